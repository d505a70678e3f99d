"""embedscope.show(): its inputs, the widget's traits, the selection both ways, its server, proxying and errors.

What the browser does with the widget is tests/e2e/test_widget.py; here the page's side of the comm is played by
`set_state` (what ipywidgets calls when the front end changes a trait).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyarrow as pa
import pytest
from PIL import Image

import embedscope
from embedscope.errors import EmbedscopeError, MissingExtraError, ParameterError
from embedscope.jupyter import frame_src

REPO = Path(__file__).resolve().parents[2]
VECTORS = np.arange(40, dtype=np.float32).reshape(10, 4) % 7 + np.eye(10, 4, dtype=np.float32)


def _have_anywidget() -> bool:
    try:
        import anywidget  # noqa: F401
    except ImportError:
        return False
    return True


needs_anywidget = pytest.mark.skipif(
    not _have_anywidget(), reason='anywidget is missing: pip install -e ".[jupyter]" (or `make setup`)'
)


@pytest.fixture
def show(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """embedscope.show, whose widgets (and their servers) are closed after the test."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EMBEDSCOPE_JUPYTER_PROXY", raising=False)
    made: list[Any] = []

    def call(*args: Any, **kwargs: Any) -> Any:
        widget = embedscope.show(*args, **kwargs)
        made.append(widget)
        return widget

    yield call
    for widget in made:
        widget.close()


def runs(widget: Any) -> list[dict[str, Any]]:
    return httpx.get(widget.url + "api/runs", timeout=30).json()["runs"]


def column(widget: Any, name: str) -> list[Any]:
    response = httpx.get(widget.url + "api/runs/r0/embeddings/e0/metadata", params={"columns": name}, timeout=30)
    assert response.status_code == 200, response.text
    return pa.ipc.open_stream(response.content).read_all().column(name).to_pylist()


# -- importing ---------------------------------------------------------------------------------------------
def test_import_embedscope_does_not_import_anywidget() -> None:
    code = "import sys, embedscope; print(callable(embedscope.show), 'anywidget' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["True", "False"]


def test_without_anywidget_show_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "anywidget", None)  # import anywidget -> ImportError
    with pytest.raises(MissingExtraError) as caught:
        embedscope.show(VECTORS)
    assert 'pip install "embedscope[jupyter]"' in str(caught.value)
    assert isinstance(caught.value, EmbedscopeError)


# -- the widget and its server -------------------------------------------------------------------------------
@needs_anywidget
def test_show_an_array_serves_it_and_returns_the_widget(show: Callable[..., Any]) -> None:
    widget = show(VECTORS, height=450)
    assert widget.url == f"http://127.0.0.1:{widget.port}/" and widget.src == widget.url + "?embed=1"
    assert widget.height == 450 and widget.selection == []
    state = widget.get_state()
    assert state["src"] == widget.src and state["selection"] == [] and state["height"] == 450
    assert state["_esm"] == (REPO / "src/embedscope/jupyter/widget.js").read_text(encoding="utf-8")
    [run] = runs(widget)
    [info] = run["embeddings"]
    assert info["shape"] == [10, 4] and info["sprite"] is None
    page = httpx.get(widget.url, timeout=30)
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert np.array_equal(widget.embedding.vectors, VECTORS)


@needs_anywidget
def test_outside_a_kernel_the_widget_still_displays_as_text(show: Callable[..., Any]) -> None:
    widget = show(VECTORS)
    bundle = widget._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/plain"] == repr(widget)
    assert repr(widget) == f"ProjectorWidget(10 x 4, 0 selected, url='{widget.url}')"


@needs_anywidget
def test_close_stops_the_server(show: Callable[..., Any]) -> None:
    widget = show(VECTORS)
    url = widget.url
    assert widget.running
    widget.close()
    assert not widget.running and repr(widget).endswith(", closed)")
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "api/runs", timeout=5)
    widget.close()  # twice is harmless


@needs_anywidget
def test_each_widget_has_its_own_server(show: Callable[..., Any]) -> None:
    first, second = show(VECTORS, name="first"), show(VECTORS[:5], name="second")
    assert first.url != second.url
    assert runs(first)[0]["embeddings"][0]["name"] == "first"
    assert runs(second)[0]["embeddings"][0]["shape"] == [5, 4]


# -- labels, metadata, images ----------------------------------------------------------------------------------
@needs_anywidget
def test_labels_become_the_label_column(show: Callable[..., Any]) -> None:
    words = [f"w{i}" for i in range(10)]
    widget = show(VECTORS, labels=words)
    info = runs(widget)[0]["embeddings"][0]
    assert info["label_column"] == "label"
    assert column(widget, "label") == words
    assert widget.embedding.labels == words


@needs_anywidget
def test_a_dataframe_is_the_metadata_and_selected_keeps_its_index_and_types(show: Callable[..., Any]) -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "kind": pd.Categorical(["cat", "dog"] * 5),
            "ok": [True, False] * 5,
            "score": np.linspace(0, 1, 10),
            "when": pd.date_range("2024-01-01", periods=10),
        },
        index=[f"id{i}" for i in range(10)],
    )
    widget = show(VECTORS, labels=list("abcdefghij"), metadata=frame)
    info = runs(widget)[0]["embeddings"][0]
    kinds = {c["name"]: c["type"] for c in info["columns"]}
    assert kinds == {"label": "string", "kind": "string", "ok": "string", "score": "numeric", "when": "string"}
    assert column(widget, "ok")[:2] == ["True", "False"]  # shown as text in the page
    assert column(widget, "when")[0].startswith("2024-01-01")

    widget.selection = [3, 0]
    selected = widget.selected
    assert list(selected.index) == ["id3", "id0"]
    assert list(selected.columns) == ["label", "kind", "ok", "score", "when"]
    assert list(selected["label"]) == ["d", "a"]
    assert selected["ok"].tolist() == [False, True]  # the user's own types
    assert isinstance(selected["kind"].dtype, pd.CategoricalDtype)
    assert selected["when"].iloc[0] == pd.Timestamp("2024-01-04")


@needs_anywidget
def test_metadata_as_a_pyarrow_table_or_a_dict(show: Callable[..., Any]) -> None:
    table = pa.table({"word": [f"t{i}" for i in range(10)], "n": list(range(10))})
    widget = show(VECTORS, metadata=table)
    assert runs(widget)[0]["embeddings"][0]["label_column"] == "word"
    widget.selection = [9]
    selected = widget.selected
    assert list(selected.index) == [9] and selected.index.name == "row"
    assert selected.loc[9, "word"] == "t9" and selected.loc[9, "n"] == 9

    widget = show(VECTORS, metadata={"tag": np.array(["x", "y"] * 5), "n": range(10)}, label_column="tag")
    assert runs(widget)[0]["embeddings"][0]["label_column"] == "tag"
    assert column(widget, "tag")[:3] == ["x", "y", "x"]


@needs_anywidget
def test_without_metadata_selected_is_the_row_numbers(show: Callable[..., Any]) -> None:
    widget = show(VECTORS)
    widget.selection = [2, 4]
    selected = widget.selected
    assert list(selected.index) == [2, 4] and list(selected.columns) == []


@needs_anywidget
def test_an_embedding_or_a_path_keeps_its_own_metadata(show: Callable[..., Any]) -> None:
    emb = embedscope.Embedding(VECTORS, name="mine", metadata=pa.table({"token": [f"k{i}" for i in range(10)]}))
    widget = show(emb)
    info = runs(widget)[0]["embeddings"][0]
    assert info["name"] == "mine" and info["label_column"] == "token"
    assert widget.embedding.labels == emb.labels

    widget = show(REPO / "tests/fixtures/numpy/vectors.npy")
    assert runs(widget)[0]["embeddings"][0]["shape"] == [60, 12]


@needs_anywidget
def test_images_become_the_sprite(show: Callable[..., Any]) -> None:
    images = np.zeros((10, 6, 5), dtype=np.uint8)
    images[:, 2:4, 1:4] = 255
    widget = show(VECTORS, images=images)
    info = httpx.get(widget.url + "api/runs/r0/embeddings/e0/sprite", timeout=30).json()
    assert info["single_image_dim"] == [5, 6]
    png = httpx.get(widget.url + "api/runs/r0/embeddings/e0/sprite.png", timeout=30)
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert widget.embedding.sprite is not None
    assert np.asarray(widget.embedding.sprite.thumbnail(7)).max() == 255

    pictures = [Image.new("RGB", (4, 4), (i * 20, 0, 0)) for i in range(10)]
    widget = show(VECTORS, images=pictures)
    assert widget.embedding.sprite is not None and widget.embedding.sprite.single_image_dim == (4, 4)
    assert widget.embedding.sprite.thumbnail(9).getpixel((0, 0)) == (180, 0, 0)


# -- the selection ---------------------------------------------------------------------------------------------
@needs_anywidget
def test_selection_from_python_is_synced_state(show: Callable[..., Any]) -> None:
    widget = show(VECTORS)
    seen: list[list[int]] = []
    widget.observe(lambda change: seen.append(change["new"]), names="selection")
    widget.selection = np.array([4, 2, 4, 9])  # any iterable of integers; each row once, in order
    assert widget.selection == [4, 2, 9]
    assert widget.get_state()["selection"] == [4, 2, 9]
    widget.selection = range(3)
    assert widget.selection == [0, 1, 2]
    assert seen == [[4, 2, 9], [0, 1, 2]]


@needs_anywidget
def test_selection_from_the_page_reaches_python(show: Callable[..., Any]) -> None:
    widget = show(VECTORS, labels=[f"w{i}" for i in range(10)])
    seen: list[list[int]] = []
    widget.observe(lambda change: seen.append(change["new"]), names="selection")
    widget.set_state({"selection": [7, 1]})  # what the comm does with the page's save_changes()
    assert widget.selection == [7, 1] and seen == [[7, 1]]
    assert list(widget.selected["label"]) == ["w7", "w1"]
    widget.set_state({"selection": []})
    assert widget.selected.empty


@needs_anywidget
@pytest.mark.parametrize(
    ("value", "match"),
    [
        ([10], "row 10 is out of range: this embedding has N = 10 rows"),
        ([-1], "row -1 is out of range"),
        ([1.5], "integer row numbers"),
        (["3"], "integer row numbers"),
        ("3", "integer row numbers"),  # traitlets' List takes a string as a one-item list
        (5, "list of row numbers, got int"),
    ],
)
def test_bad_selections_are_refused(show: Callable[..., Any], value: Any, match: str) -> None:
    widget = show(VECTORS)
    widget.selection = [1]
    with pytest.raises(ParameterError, match=match):
        widget.selection = value
    assert widget.selection == [1]


# -- bad input ---------------------------------------------------------------------------------------------------
@needs_anywidget
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"labels": ["a", "b"]}, ParameterError, "`labels` has 2 values for 10 points"),
        ({"labels": "abcdefghij"}, ParameterError, "a single string"),
        ({"metadata": {"n": [1, 2, 3]}}, ParameterError, "`metadata` has 3 rows for 10 points"),
        ({"metadata": [1, 2]}, ParameterError, "pandas DataFrame, a pyarrow Table or a dict"),
        ({"metadata": {"label": list(range(10))}, "labels": list(range(10))}, ParameterError, "already has"),
        ({"label_column": "nope", "labels": list(range(10))}, EmbedscopeError, "no metadata column `nope`"),
        ({"images": np.zeros((3, 4, 4))}, ParameterError, "`images` has 3 images for 10 points"),
        ({"height": 20}, ParameterError, "at least 100 px"),
        ({"proxy": "https://hub/proxy/"}, ParameterError, "holding {port}"),
        ({"key": 3}, ParameterError, "`key` must be a string, got int 3"),
    ],
)
def test_bad_input_is_a_typed_error(show: Callable[..., Any], kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        show(VECTORS, **kwargs)


@needs_anywidget
def test_bad_data_is_a_typed_error(show: Callable[..., Any], tmp_path: Path) -> None:
    with pytest.raises(EmbedscopeError, match="2-D"):
        show(np.zeros(5))
    collection = embedscope.Collection()
    collection.add("a", embedscope.Embedding(VECTORS, name="x"))
    with pytest.raises(ParameterError, match=r"collection\.get"):
        show(collection)
    with pytest.raises(EmbedscopeError):
        show(tmp_path / "missing.npy")


# -- reaching the page through jupyter-server-proxy ---------------------------------------------------------------
def test_frame_src() -> None:
    assert frame_src("", 4321, None) == "http://127.0.0.1:4321/?embed=1"  # embed=1: the page is in a notebook
    assert frame_src("jupyter", 4321, "t-k") == "proxy/4321/?embed=1&token=t-k"
    template = "https://hub.example.org/user/me/proxy/{port}/?x=1"
    assert frame_src(template, 4321, "t") == "https://hub.example.org/user/me/proxy/4321/?x=1&embed=1&token=t"


@needs_anywidget
def test_a_proxied_widget_needs_its_token(show: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    widget = show(VECTORS, proxy=True)
    token = widget.src.split("token=", 1)[1]
    assert widget.src == f"proxy/{widget.port}/?embed=1&token={token}" and len(token) >= 16
    assert widget.url == f"http://127.0.0.1:{widget.port}/?token={token}"  # opens the page in a local browser
    # jupyter-server-proxy passes the browser's Host and Origin on: the token, not the host, lets them in
    base = f"http://127.0.0.1:{widget.port}/"
    proxied = {"Host": "hub.example.org", "Origin": "https://hub.example.org"}
    refused = httpx.get(base + "api/runs", headers=proxied, timeout=30)
    assert refused.status_code == 401 and refused.json()["error"]["kind"] == "unauthorized"
    first = httpx.get(base, params={"token": token}, headers=proxied, timeout=30)
    assert first.status_code == 200
    cookie = first.headers["set-cookie"].split(";")[0]
    assert httpx.get(base + "api/runs", headers={**proxied, "Cookie": cookie}, timeout=30).status_code == 200

    monkeypatch.setenv("EMBEDSCOPE_JUPYTER_PROXY", "https://hub.example.org/user/me/proxy/{port}/")
    other = show(VECTORS)  # proxy=None reads the environment; every proxied server shares one token (one cookie)
    assert other.src == f"https://hub.example.org/user/me/proxy/{other.port}/?embed=1&token={token}"
    monkeypatch.setenv("EMBEDSCOPE_JUPYTER_PROXY", "0")
    assert show(VECTORS).src.startswith("http://127.0.0.1:")


@needs_anywidget
def test_raw_texts_are_embedded_then_shown(
    show: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sentence_transformers", reason="the embed extra: pip install 'embedscope[embed]'")
    import pandas as pd

    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path))
    frame = pd.DataFrame(
        {"review": ["never got a refund", "arrived in two days", "broken on arrival"], "stars": [1, 5, 2]}
    )
    widget = show(frame, text="review")
    info = runs(widget)[0]["embeddings"][0]
    assert info["shape"] == [3, 384] and info["label_column"] == "review"
    assert widget.embedding.model is not None and column(widget, "stars") == [1, 5, 2]
