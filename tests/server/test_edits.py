"""Users' tags (server/edits.py): kept in edits.json per embedding (run, tensor, rows), in order, undone last first,
read back by a new server; checked when given; a damaged or hostile file never applied, never overwritten, never
waited on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from embedscope.errors import NotFoundError, ParameterError, PayloadTooLargeError
from embedscope.server.edits import FILENAME, MAX_COLUMN, MAX_EDITS, MAX_ROWS, MAX_VALUE, EditStore, make_edit
from embedscope.server.state import ServerSettings, ServerState


def edit(column: str = "tag", value: str = "x", rows: list[int] | None = None, n: int = 8):
    return make_edit(column, value, [0, 1] if rows is None else rows, n=n)


def test_edits_are_kept_in_order_per_embedding_and_undone_last_first(tmp_path: Path) -> None:
    store = EditStore(tmp_path)
    store.add(".", "words", 8, edit(value="a", rows=[3, 1, 1]))
    store.add(".", "words", 8, edit(value="b"))
    store.add(".", "words", 5, edit(value="other size", n=5))  # the same names, another file: its own edits
    again = EditStore(tmp_path).edits(".", "words", 8)  # a new server reads them back
    assert [(e.value, e.rows.tolist()) for e in again] == [("a", [1, 3]), ("b", [0, 1])]
    last, left = store.pop(".", "words", 8)
    assert last.value == "b" and [e.value for e in left] == ["a"]
    store.pop(".", "words", 8)
    with pytest.raises(NotFoundError, match="no tag to undo"):
        store.pop(".", "words", 8)
    assert [e.value for e in store.edits(".", "words", 5)] == ["other size"]
    doc = json.loads((tmp_path / FILENAME).read_text())
    assert doc["version"] == 1 and [e["tensor"] for e in doc["embeddings"]] == ["words"]


def test_a_restarted_server_serves_the_tags(tmp_path: Path, data) -> None:
    settings = ServerSettings(state_dir=tmp_path / "state", cache_dir=tmp_path / "cache")
    first = ServerState(data(), settings)
    first.change("r0", "e0", lambda r, t, e: first.edits.tag(r, t, e, column="tag", value="royal", rows=[0, 1]))
    first.change("r0", "e0", lambda r, t, e: first.edits.tag(r, t, e, column="kind", value="crown", rows=[6]))
    restarted = ServerState(data(), settings)
    meta = restarted.embedding("r0", "e0").metadata
    assert meta is not None
    assert meta.column("tag").to_pylist() == ["royal", "royal"] + [""] * 6
    assert meta.column("kind").to_pylist()[6] == "crown"
    assert restarted.embedding("r0", "e1").metadata is None  # another embedding: untouched
    restarted.change("r0", "e0", lambda r, t, e: restarted.edits.undo(r, t, e)[1])
    meta = restarted.embedding("r0", "e0").metadata
    assert meta is not None and meta.column("kind").to_pylist()[6] == "place"


@pytest.mark.parametrize(
    ("column", "value", "rows", "error", "match"),
    [
        ("", "x", [0], ParameterError, "1 to"),
        ("a\tb", "x", [0], ParameterError, "may not contain"),
        (" tag", "x", [0], ParameterError, "start or end with a space"),
        ("x" * (MAX_COLUMN + 1), "x", [0], ParameterError, "1 to"),
        ("tag", "a\nb", [0], ParameterError, "may not contain"),
        ("tag", "a\u2028b", [0], ParameterError, "may not contain"),
        ("tag", "a\x85b", [0], ParameterError, "may not contain"),
        ("tag", "x" * (MAX_VALUE + 1), [0], ParameterError, "at most"),
        ("tag", "x", [], ParameterError, "needs the rows"),
        ("tag", "x", [8], ParameterError, "row 8 is not a row of this embedding, which has 8 rows"),
        ("tag", "x", [-1], ParameterError, "row -1"),
        ("tag", "x", [True], ParameterError, "whole numbers"),
        ("tag", "x", [2**70], ParameterError, "whole numbers"),
        ("tag", "x", list(range(MAX_ROWS + 1)), PayloadTooLargeError, "at most"),
    ],
)
def test_an_edit_out_of_bounds_is_refused(column, value, rows, error, match) -> None:
    with pytest.raises(error, match=match):
        make_edit(column, value, rows, n=8)


@pytest.mark.parametrize(
    "text",
    [
        "\U0001f469\u200d\U0001f4bb",  # an emoji joined by a zero-width joiner
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, with a zero-width non-joiner
        "\u6771\u4eac\u3000\u30bf\u30ef\u30fc",  # an ideographic space
        "New\u00a0York",  # a no-break space
        "\u200fshalom",  # a direction mark
    ],
)
def test_text_of_every_script_is_a_value_and_a_column_name(text: str) -> None:
    made = make_edit(text, text, [0], n=8)
    assert made.column == text and made.value == text


def test_the_edits_of_one_embedding_are_bounded(tmp_path: Path, monkeypatch) -> None:
    from embedscope.server import edits

    monkeypatch.setattr(edits, "MAX_EDITS", 2)
    store = EditStore(tmp_path)
    store.add("r", "t", 8, edit())
    store.add("r", "t", 8, edit())
    with pytest.raises(PayloadTooLargeError, match="at most 2 tags"):
        store.add("r", "t", 8, edit())
    assert len(store.edits("r", "t", 8)) == 2 < MAX_EDITS


def test_a_damaged_file_is_moved_aside_and_its_bad_edits_skipped_and_kept(tmp_path: Path, caplog) -> None:
    (tmp_path / FILENAME).write_text("{not json")
    store = EditStore(tmp_path)
    assert store.every() == {}
    assert [p.name.startswith(f"{FILENAME}.unreadable-") for p in tmp_path.iterdir()] == [True]
    assert "unreadable" in caplog.text
    good = {"column": "tag", "value": "ok", "rows": [1], "created": "2024-01-01T00:00:00Z"}
    doc = {
        "version": 1,
        "embeddings": [
            {"run": ".", "tensor": "w", "rows": 4, "edits": [good, {**good, "rows": [9]}, {**good, "value": 5}]},
            {"run": ".", "tensor": "w", "rows": 4, "edits": [good]},  # a second entry of the same embedding
            {"run": 3, "tensor": "w", "rows": 4, "edits": []},
            {"run": ".", "tensor": "x", "rows": True, "edits": [good]},
            [1, 2],
        ],
    }
    (tmp_path / FILENAME).write_text(json.dumps(doc))
    assert {k: [e.value for e in v] for k, v in store.every().items()} == {(".", "w", 4): ["ok"]}
    assert caplog.text.count("edit skipped") == 6
    store.add(".", "w", 4, edit(n=4))  # a change keeps the file as it was beside the new one
    damaged = [p for p in tmp_path.iterdir() if ".damaged-" in p.name]
    assert len(damaged) == 1 and json.loads(damaged[0].read_text()) == doc
    assert [e.value for e in store.edits(".", "w", 4)] == ["ok", "x"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_or_a_link_out_of_the_folder_is_not_read(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    os.mkfifo(state / FILENAME)
    assert EditStore(state).every() == {}  # not waited on: moved aside
    secret = tmp_path / "secret.json"
    entry = {"run": ".", "tensor": "w", "rows": 2, "edits": [{"column": "c", "value": "v", "rows": [0], "created": ""}]}
    secret.write_text(json.dumps({"version": 1, "embeddings": [entry]}))
    (state / FILENAME).symlink_to(secret)
    store = EditStore(state)
    assert store.every() == {}
    store.add(".", "w", 2, edit(n=2))
    assert json.loads(secret.read_text())["embeddings"] == [entry]  # never overwritten
    assert not (state / FILENAME).is_symlink()


def test_a_state_folder_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    from embedscope.errors import StorageError

    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(StorageError, match="cannot save the tags"):
        EditStore(blocked / "state").add("r", "t", 8, edit())
    assert np.array_equal(edit(rows=[5, 2, 5]).rows, [2, 5])
