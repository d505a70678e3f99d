"""One bookmark never breaks the bookmarks for everyone: states are checked (depth, size, numbers, text) before they
are saved, the store has a count and a total size, a damaged entry in the file is skipped and reported (and kept),
the file is compact JSON, and a bookmarks file that is not a regular file in the state folder never blocks (#13)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from bounded import hang_guard

from embedscope.server import bookmarks as store_module

URL = "/api/bookmarks"


def _nested(depth: int) -> Any:
    value: Any = 0
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def _names(client: Any) -> list[str]:
    listing = client.get(URL)
    assert listing.status_code == 200, listing.text
    return [b["name"] for b in listing.json()["bookmarks"]]


def _file(tmp_path: Path) -> Path:
    return tmp_path / "state" / "bookmarks.json"


def _seed(tmp_path: Path, entries: list[Any]) -> Path:
    """A bookmarks file written by hand (or by an older server) with these entries."""
    path = _file(tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "bookmarks": entries}, ensure_ascii=True), encoding="utf-8")
    return path


def _entry(name: str, state: Any = 1) -> dict[str, Any]:
    return {"name": name, "state": state, "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z"}


def test_a_state_nested_too_deep_is_refused_and_the_list_keeps_working(client, expect_error) -> None:
    client.put(f"{URL}/kept", json={"state": {"a": [1]}})
    error = expect_error(client.put(f"{URL}/deep", json={"state": _nested(500)}), 422, "parameter", match="nested")
    assert error["field"] == "state" and "64" in error["message"]
    assert _names(client) == ["kept"]
    assert client.put(f"{URL}/fine", json={"state": _nested(60)}).status_code == 200
    assert _names(client) == ["kept", "fine"]
    assert client.get(f"{URL}/fine").json()["state"] == _nested(60)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_a_state_with_a_number_json_has_not_is_refused(client, expect_error, literal: str) -> None:
    body = '{"state": {"zoom": ' + literal + "}}"
    response = client.put(f"{URL}/odd", content=body, headers={"content-type": "application/json"})
    expect_error(response, 422, "parameter", match="number")
    assert _names(client) == []


def test_damaged_entries_are_skipped_reported_and_kept(make_client, tmp_path: Path, caplog) -> None:
    entries = [
        _entry("first", {"camera": [1, 2, 3]}),
        _entry("deep", _nested(500)),
        "not an object",
        {"state": 1},
        _entry("bad/name"),
        {**_entry("no dates"), "created": 5},
        _entry("surrogate", "\ud800"),
        _entry("first", "a second bookmark of that name"),
        _entry("last", {"selection": [4, 5]}),
    ]
    path = _seed(tmp_path, entries)
    original = path.read_bytes()
    client = make_client()
    with caplog.at_level(logging.WARNING, logger="embedscope"):
        listing = client.get(URL)
    assert listing.status_code == 200, listing.text
    body = listing.json()
    assert [b["name"] for b in body["bookmarks"]] == ["first", "last"]
    skipped = body["skipped"]
    assert len(skipped) == 7 and all("bookmarks.json" in s for s in skipped)
    assert "entry 2" in skipped[0] and "nested" in skipped[0]
    assert "bookmark" in caplog.text and "skipped" in caplog.text
    assert client.get(f"{URL}/last").json()["state"] == {"selection": [4, 5]}
    assert client.get(f"{URL}/deep").status_code == 404
    # the next change keeps the file as it was beside the new one: nothing saved is lost
    assert client.put(f"{URL}/new", json={"state": 2}).status_code == 200
    assert _names(client) == ["first", "last", "new"]
    assert client.get(URL).json()["skipped"] == []
    aside = [p for p in path.parent.iterdir() if p.name.startswith("bookmarks.json.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes() == original


def test_the_file_is_compact_json(client, tmp_path: Path) -> None:
    state = {"selection": list(range(100_000)), "nested": _nested(40)}
    assert client.put(f"{URL}/big", json={"state": state}).status_code == 200
    compact = len(json.dumps(state, separators=(",", ":")))
    assert _file(tmp_path).stat().st_size < compact + 1000
    assert client.get(f"{URL}/big").json()["state"] == state


def test_a_page_bookmark_with_a_large_selection_fits(client) -> None:
    """What the page saves (frontend/src/state/snapshot.ts): a selection and an isolated set of 100k points each,
    among a million rows, with the camera and every choice."""
    rows = list(range(900_000, 1_000_000))
    state = {
        "version": 1,
        "embedding": {"run": "r0", "id": "e0"},
        "projection": {"method": "tsne", "n_components": 3, "axes": [0, 1, 2]},
        "params": {"perplexity": 30, "iterations": 1000, "n_neighbors": 15},
        "isolated": rows,
        "selection": rows,
        "focus": None,
        "labelBy": "label",
        "colorBy": "kind",
        "colorMode": "category",
        "colorScale": None,
        "k": 100,
        "metric": "cosine",
        "spherize": True,
        "step": None,
        "camera": {"target": [0.5, -0.25, 1.0], "zoom": 2.5, "rotationX": 30, "rotationOrbit": 45},
    }
    assert client.put(f"{URL}/page", json={"state": state}).status_code == 200
    assert client.get(f"{URL}/page").json()["state"] == state


def test_the_number_of_bookmarks_is_limited(make_client, tmp_path: Path, expect_error) -> None:
    limit = store_module.MAX_COUNT
    assert 100 <= limit <= 10_000
    _seed(tmp_path, [_entry(f"b{i}") for i in range(limit)])
    client = make_client()
    error = expect_error(client.put(f"{URL}/one more", json={"state": 1}), 413, "too_large")
    assert f"{limit:,}" in error["message"] and error["fix"]
    assert client.put(f"{URL}/b7", json={"state": 2}).status_code == 200  # replacing one is fine
    assert client.delete(f"{URL}/b8").status_code == 200
    assert client.put(f"{URL}/one more", json={"state": 1}).status_code == 200


def test_the_total_size_of_the_bookmarks_is_limited(client, expect_error, monkeypatch) -> None:
    assert store_module.MAX_TOTAL_BYTES >= 16 * store_module.MAX_STATE_BYTES
    monkeypatch.setattr(store_module, "MAX_TOTAL_BYTES", 300_000)
    for i in range(2):
        assert client.put(f"{URL}/b{i}", json={"state": "x" * 100_000}).status_code == 200
    error = expect_error(client.put(f"{URL}/b2", json={"state": "x" * 150_000}), 413, "too_large")
    assert "300,000" in error["message"]
    assert _names(client) == ["b0", "b1"]
    assert client.put(f"{URL}/b2", json={"state": "x" * 50_000}).status_code == 200


def test_a_fifo_as_bookmarks_file_never_blocks(make_client, tmp_path: Path, caplog) -> None:
    fifo = _file(tmp_path)
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    client = make_client()
    with caplog.at_level(logging.WARNING, logger="embedscope"):
        listing = hang_guard(lambda: client.get(URL), fifo, what="the bookmarks file")
    assert listing.status_code == 200 and listing.json()["bookmarks"] == []
    assert "FIFO" in caplog.text
    assert client.put(f"{URL}/new", json={"state": 1}).status_code == 200
    assert _names(client) == ["new"] and _file(tmp_path).is_file()


def test_a_bookmarks_file_linking_out_of_the_state_folder_is_not_read(make_client, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.json"
    outside.write_text(json.dumps({"version": 1, "bookmarks": [_entry("secret")]}))
    link = _file(tmp_path)
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    client = make_client()
    assert _names(client) == []
    assert client.put(f"{URL}/new", json={"state": 1}).status_code == 200
    assert json.loads(outside.read_text())["bookmarks"][0]["name"] == "secret"  # left alone
    assert _names(client) == ["new"]


def test_an_older_indented_file_is_read_and_written_compact(make_client, tmp_path: Path) -> None:
    path = _file(tmp_path)
    path.parent.mkdir(parents=True)
    doc = {"version": 1, "bookmarks": [_entry("old", {"selection": list(range(1000))})]}
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    indented = path.stat().st_size
    client = make_client()
    assert _names(client) == ["old"]
    assert client.put(f"{URL}/new", json={"state": 1}).status_code == 200
    assert path.stat().st_size < indented / 2
    assert _names(client) == ["old", "new"]


def test_a_file_too_large_to_read_is_moved_aside_whole(make_client, tmp_path: Path, monkeypatch, caplog) -> None:
    path = _seed(tmp_path, [_entry(f"b{i}", "x" * 1000) for i in range(20)])
    original = path.read_bytes()
    monkeypatch.setattr(store_module, "MAX_FILE_BYTES", 10_000)
    client = make_client()
    with caplog.at_level(logging.WARNING, logger="embedscope"):
        assert _names(client) == []
    assert "moved to" in caplog.text
    aside = [p for p in path.parent.iterdir() if p.name.startswith("bookmarks.json.unreadable-")]
    assert len(aside) == 1 and aside[0].read_bytes() == original
