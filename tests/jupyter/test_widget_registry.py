"""Which widgets show() keeps: a cell run again releases what it showed before, and a closed comm stops the server.

A notebook kernel is played by `FakeShell`: it runs a cell's code in its namespace, under an execute_request that
carries the cell's id (as JupyterLab and Notebook 7 send it), the way ipykernel does.
"""

from __future__ import annotations

import gc
import hashlib
import threading
import uuid
import weakref
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import numpy as np
import pytest

import embedscope
from embedscope.jupyter.registry import live

pytest.importorskip("anywidget", reason='anywidget is missing: pip install -e ".[jupyter]" (or `make setup`)')

VECTORS = np.arange(40, dtype=np.float32).reshape(10, 4) % 7 + np.eye(10, 4, dtype=np.float32)


def servers() -> int:
    """How many embedscope servers run in this process (their threads)."""
    return sum(t.name.startswith("embedscope-server-") and t.is_alive() for t in threading.enumerate())


def answers(url: str) -> bool:
    try:
        httpx.get(url + "api/runs", timeout=5)
    except httpx.TransportError:
        return False
    return True


class FakeShell:
    """An IPython kernel's shell, as far as show() looks at it: the request it answers, and the cells' namespace."""

    def __init__(self) -> None:
        self.user_ns: dict[str, Any] = {"embedscope": embedscope, "VECTORS": VECTORS}
        self.execution_count = 1
        self.request: dict[str, Any] = {}
        self.kernel = SimpleNamespace(get_parent=lambda: self.request)

    def run(self, code: str, *, cell: str | None = "cell-1") -> dict[str, Any]:
        """Run `code` as a cell (its id: `cell`; None: a front end that sends none); returns the namespace."""
        self.request = {"header": {"msg_id": uuid.uuid4().hex}, "metadata": {"cellId": cell} if cell else {}}
        name = f"/tmp/ipykernel_1/{hashlib.sha1(code.encode()).hexdigest()[:8]}.py"  # named after the cell's text
        exec(compile(code, name, "exec"), self.user_ns)
        self.execution_count += 1
        return self.user_ns


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[FakeShell]:
    import IPython

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EMBEDSCOPE_JUPYTER_PROXY", raising=False)
    shell = FakeShell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    before = set(live())
    yield shell
    for widget in set(live()) - before:
        widget.close()


@pytest.fixture
def show(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[Callable[..., Any]]:
    """embedscope.show outside IPython; its widgets are closed after the test."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EMBEDSCOPE_JUPYTER_PROXY", raising=False)
    made: list[Any] = []

    def call(*args: Any, **kwargs: Any) -> Any:
        made.append(embedscope.show(*args, **kwargs))
        return made[-1]

    yield call
    for widget in made:
        widget.close()


def test_running_a_cell_again_releases_the_widget_it_showed(kernel: FakeShell) -> None:
    running = servers()
    shown = []
    for _ in range(4):
        shown.append(kernel.run("w = embedscope.show(VECTORS)\nw")["w"])
    assert servers() == running + 1
    assert [w.running for w in shown] == [False, False, False, True]
    assert shown[-1] in live() and not any(w in live() for w in shown[:3])
    assert not answers(shown[0].url) and answers(shown[-1].url)
    assert repr(shown[0]).endswith(", closed)")


def test_a_cell_keeps_every_widget_it_shows_in_one_run(kernel: FakeShell) -> None:
    running = servers()
    code = (
        "a = embedscope.show(VECTORS)\n"
        "b = embedscope.show(VECTORS[:5])\n"
        "views = [embedscope.show(VECTORS) for _ in range(2)]"
    )
    first = dict(kernel.run(code))
    assert servers() == running + 4 and first["a"].running and first["b"].running
    second = kernel.run(code)
    assert servers() == running + 4
    assert not first["a"].running and not first["b"].running and not any(w.running for w in first["views"])
    assert second["a"].running and all(w.running for w in second["views"])


def test_other_cells_keep_their_widgets(kernel: FakeShell) -> None:
    one = kernel.run("one = embedscope.show(VECTORS)", cell="cell-1")["one"]
    two = kernel.run("two = embedscope.show(VECTORS)", cell="cell-2")["two"]
    assert one.running and two.running
    kernel.run("two = embedscope.show(VECTORS)", cell="cell-2")
    assert one.running and not two.running


def test_without_a_cell_id_the_cells_code_is_the_place(kernel: FakeShell) -> None:
    code = "def view(x):\n    return embedscope.show(x)\n\nw = view(VECTORS)"
    first = kernel.run(code, cell=None)["w"]
    again = kernel.run(code, cell=None)["w"]
    assert not first.running and again.running  # the same cell run again
    edited = kernel.run(code + "  # edited", cell=None)["w"]
    assert again.running and edited.running  # another text: ipykernel gives it another name


def test_outside_ipython_a_key_names_the_place(show: Callable[..., Any]) -> None:
    running = servers()
    kept = [show(VECTORS) for _ in range(2)]  # a script runs nothing again: nothing is released
    assert all(w.running for w in kept)
    keyed = [show(VECTORS, key="digits") for _ in range(3)]
    assert [w.running for w in keyed] == [False, False, True]
    assert all(w.running for w in kept) and servers() == running + 3


def test_a_comm_closed_by_the_front_end_stops_the_server(show: Callable[..., Any]) -> None:
    from comm import get_comm_manager

    widget = show(VECTORS)
    url = widget.url
    assert answers(url)
    get_comm_manager().comm_close(None, None, {"content": {"comm_id": widget.model_id, "data": {}}})
    assert not widget.running and widget not in live()
    assert not answers(url)


def test_the_registry_keeps_no_widget_alive(show: Callable[..., Any]) -> None:
    widget = embedscope.show(VECTORS, key="weak")
    ref = weakref.ref(widget)
    widget.close()
    del widget
    gc.collect()
    assert ref() is None
