"""The vector cache: keys of any bytes (a trailing NUL too) read back; a damaged chunk is passed over, not trusted."""

from __future__ import annotations

import logging

import numpy as np

from embedscope.embed.store import VectorStore, item_key


def test_vectors_read_back_by_key_in_a_new_store(tmp_path) -> None:
    keys = [item_key("a"), item_key("b"), b"\x01" * 15 + b"\x00"]  # a key ending in a NUL byte
    vectors = np.arange(12, dtype=np.float32).reshape(3, 4)
    VectorStore(tmp_path, 4).add(keys, vectors)
    store = VectorStore(tmp_path, 4)
    assert len(store) == 3
    found, got = store.find([keys[2], item_key("c"), keys[0]])
    assert found.tolist() == [0, 2] and np.array_equal(got, vectors[[2, 0]])


def test_a_damaged_or_other_shaped_chunk_is_passed_over(tmp_path, caplog) -> None:
    VectorStore(tmp_path, 4).add([item_key("a")], np.ones((1, 4), dtype=np.float32))
    (vectors,) = tmp_path.glob("*.vectors.npy")
    vectors.write_bytes(b"not a numpy file")
    with caplog.at_level(logging.WARNING):
        store = VectorStore(tmp_path, 4)
    assert len(store) == 0 and "cannot be used" in caplog.text
    assert len(VectorStore(tmp_path / "missing", 8)) == 0
    other = VectorStore(tmp_path / "dim", 4)
    other.add([item_key("x")], np.ones((1, 4), dtype=np.float32))
    assert len(VectorStore(tmp_path / "dim", 5)) == 0  # another model's length: not used


def test_an_unwritable_cache_is_a_warning(tmp_path, caplog) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with caplog.at_level(logging.WARNING):
        VectorStore(blocker / "sub", 2).add([item_key("a")], np.zeros((1, 2), dtype=np.float32))
    assert "cannot keep the vectors" in caplog.text
