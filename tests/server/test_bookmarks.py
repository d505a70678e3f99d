"""BookmarkStore: named states in one JSON file, written atomically; a failed write never loses earlier ones."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from embedscope.errors import ConflictError, NotFoundError, ParameterError, PayloadTooLargeError, StorageError
from embedscope.server.bookmarks import BookmarkStore
from embedscope.server.state_files import write_atomic


@pytest.fixture
def store(tmp_path: Path) -> BookmarkStore:
    return BookmarkStore(tmp_path / "state")


def test_save_list_rename_delete(store: BookmarkStore) -> None:
    assert store.entries() == []
    first = store.save("first", {"projection": "pca", "camera": [0, 0, 1]})
    assert first["created"] == first["updated"]
    store.save("second", {"selection": [1, 2]})
    store.save("first", {"projection": "tsne"})
    assert [(b["name"], b["state"]) for b in store.entries()] == [
        ("first", {"projection": "tsne"}),
        ("second", {"selection": [1, 2]}),
    ]
    store.rename("first", "renamed")
    assert store.get("renamed")["state"] == {"projection": "tsne"}
    store.delete("second")
    assert [b["name"] for b in store.entries()] == ["renamed"]
    doc = json.loads(store.path.read_text(encoding="utf-8"))
    assert doc["version"] == 1 and doc["bookmarks"][0]["name"] == "renamed"


def test_errors(store: BookmarkStore) -> None:
    store.save("a", 1)
    store.save("b", 2)
    with pytest.raises(NotFoundError, match="no bookmark 'c'"):
        store.get("c")
    with pytest.raises(NotFoundError):
        store.delete("c")
    with pytest.raises(ConflictError, match="'b' exists already"):
        store.rename("a", "b")
    for bad in ("", "   ", "x" * 201, "a/b", "tab\there", "nul\x00"):
        with pytest.raises(ParameterError):
            store.save(bad, 1)
    with pytest.raises(PayloadTooLargeError):
        store.save("huge", "x" * (5 * 1024 * 1024))


def test_unicode_names_and_states_round_trip(store: BookmarkStore) -> None:
    store.save("café ☕", {"label": "naïve"})
    assert BookmarkStore(store.folder).get("café ☕")["state"] == {"label": "naïve"}


def test_a_failed_replace_keeps_the_earlier_bookmarks(store: BookmarkStore, monkeypatch) -> None:
    store.save("kept", {"n": 1})
    before = store.path.read_bytes()

    def broken_replace(src, dst) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StorageError, match="No space left on device"):
        store.save("lost", {"n": 2})
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.folder.iterdir()) == ["bookmarks.json"]  # no temp file left behind
    monkeypatch.undo()
    assert [b["name"] for b in store.entries()] == ["kept"]


def test_a_crash_mid_write_keeps_the_earlier_bookmarks(store: BookmarkStore, monkeypatch) -> None:
    """A process killed between writing the temp file and renaming it: the old file is whole, the temp ignored."""
    store.save("kept", {"n": 1})

    class Killed(BaseException):
        pass

    real_fsync = os.fsync

    def dying_fsync(fd: int) -> None:
        real_fsync(fd)
        raise Killed

    monkeypatch.setattr(os, "fsync", dying_fsync)
    with pytest.raises(Killed):
        store.save("half", {"n": 2})
    monkeypatch.undo()
    (store.folder / ".bookmarks.json.leftover.tmp").write_text('{"version": 1, "bookm')  # what a kill -9 leaves
    assert [b["name"] for b in BookmarkStore(store.folder).entries()] == ["kept"]
    store.save("next", {"n": 3})
    assert [b["name"] for b in store.entries()] == ["kept", "next"]


def test_an_unreadable_file_is_moved_aside_not_overwritten(store: BookmarkStore, caplog) -> None:
    store.folder.mkdir(parents=True)
    store.path.write_text("{torn")
    assert store.entries() == []
    aside = [p for p in store.folder.iterdir() if p.name.startswith("bookmarks.json.unreadable-")]
    assert len(aside) == 1 and aside[0].read_text() == "{torn"
    assert "unreadable" in caplog.text
    store.save("new", 1)
    assert [b["name"] for b in store.entries()] == ["new"]


def test_an_unwritable_folder_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="cannot save the bookmarks") as info:
        BookmarkStore(blocker / "state").save("a", 1)
    assert "--state-dir" in (info.value.fix or "")


def test_write_atomic_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "file.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.json"]
