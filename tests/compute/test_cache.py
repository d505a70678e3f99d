import gc
import hashlib
import logging
import os
from pathlib import Path

import numpy as np
import pytest

import embedscope.compute.cache as cache_module
from embedscope.compute.cache import ProjectionCache, cache_root, data_hash
from embedscope.errors import ParameterError


@pytest.fixture
def cache(tmp_path):
    return ProjectionCache(tmp_path / "projections")


def _entry():
    arrays = {
        "coords": np.arange(12, dtype=np.float32).reshape(6, 2),
        "components": np.random.default_rng(0).standard_normal((6, 10)).astype(np.float32),
    }
    meta = {"method": "pca", "params": {"axes": [0, 2]}, "explained_variance_ratio": [0.5, 0.25], "quality": 0.75}
    return arrays, meta


def test_round_trip(cache):
    key = cache.key(data="abc", method="pca")
    assert cache.get(key) is None
    arrays, meta = _entry()
    assert cache.put(key, arrays, {**meta, "count": np.int64(3)})
    got_arrays, got_meta = cache.get(key)
    assert set(got_arrays) == {"coords", "components"}
    for name, value in arrays.items():
        np.testing.assert_array_equal(got_arrays[name], value)
        assert got_arrays[name].dtype == value.dtype
    assert got_meta == {**meta, "count": 3}
    assert [p.name for p in cache.directory.iterdir()] == [f"{key}.npz"]


def test_a_crash_while_writing_leaves_no_entry(cache, monkeypatch, caplog):
    key = cache.key(data="abc")

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(cache_module.os, "replace", crash)
    with caplog.at_level(logging.WARNING, logger="embedscope.compute.cache"):
        assert cache.put(key, *_entry()) is False
    assert "could not write cache entry" in caplog.text and "disk full" in caplog.text
    assert cache.get(key) is None
    assert list(cache.directory.iterdir()) == []  # no temporary file left behind


def test_a_crash_keeps_the_previous_entry_whole(cache, monkeypatch):
    key = cache.key(data="abc")
    arrays, meta = _entry()
    cache.put(key, arrays, meta)

    def interrupted(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half an archive")
        raise KeyboardInterrupt

    monkeypatch.setattr(cache_module.np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cache.put(key, {"coords": np.zeros((2, 2), np.float32)}, {"method": "other"})
    got_arrays, got_meta = cache.get(key)
    assert got_meta == meta
    np.testing.assert_array_equal(got_arrays["coords"], arrays["coords"])
    assert [p.name for p in cache.directory.iterdir()] == [f"{key}.npz"]


def test_unreadable_entries_are_misses(cache, caplog):
    key = cache.key(data="abc")
    cache.directory.mkdir(parents=True)
    cache.path(key).write_bytes(b"not a zip file")
    with caplog.at_level(logging.WARNING, logger="embedscope.compute.cache"):
        assert cache.get(key) is None
    assert "unreadable cache entry" in caplog.text


def test_key_is_stable_and_canonical(cache):
    key = cache.key(data="abc", method="tsne", params={"perplexity": 30, "metric": "cosine"}, subset=None)
    canonical = b'{"data":"abc","format":1,"method":"tsne","params":{"metric":"cosine","perplexity":30},"subset":null}'
    assert key == hashlib.sha256(canonical).hexdigest()  # pinned: caches stay valid from one run to the next
    same = cache.key(subset=None, params={"metric": "cosine", "perplexity": 30.0}, method="tsne", data="abc")
    assert key == same
    assert key == ProjectionCache(Path("elsewhere")).key(
        data="abc", method="tsne", params={"perplexity": np.float64(30), "metric": "cosine"}, subset=None
    )
    assert key != cache.key(data="abc", method="tsne", params={"perplexity": 31, "metric": "cosine"}, subset=None)
    assert cache.key(axes=(0, 1)) == cache.key(axes=[0, 1]) != cache.key(axes=[1, 0])
    assert cache.key(flag=True) != cache.key(flag=1)


def test_bad_keys_and_parts_are_refused(cache):
    with pytest.raises(ParameterError, match=r"64 lowercase hex digits, got '\.\./evil'"):
        cache.get("../evil")
    with pytest.raises(ParameterError, match="cannot use a object in a cache key"):
        cache.key(thing=object())
    with pytest.raises(ParameterError, match="cannot cache array 'labels' of dtype object"):
        cache.put(cache.key(a=1), {"labels": np.array(["a", None], dtype=object)}, {})


def test_default_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path / "mine"))
    assert ProjectionCache().directory == tmp_path / "mine" / "projections"
    monkeypatch.delenv("EMBEDSCOPE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "embedscope"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert ProjectionCache().directory == tmp_path / "home" / ".cache" / "embedscope" / "projections"


def test_data_hash_depends_on_content_shape_and_dtype():
    x = np.arange(24, dtype=np.float32).reshape(6, 4)
    h = data_hash(x)
    assert len(h) == 64
    assert data_hash(x.copy()) == h
    assert data_hash(x.reshape(4, 6).copy()) != h
    assert data_hash(x.view(np.int32)) != h
    y = x.copy()
    y[5, 3] += 1
    assert data_hash(y) != h


def test_data_hash_of_views_and_memory_maps(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "HASH_CHUNK", 100)  # several chunks, hashed on two threads
    x = np.random.default_rng(0).standard_normal((50, 7)).astype(np.float32)
    assert data_hash(x.T) == data_hash(np.ascontiguousarray(x.T))
    assert data_hash(x[::2]) == data_hash(x[::2].copy())
    np.save(tmp_path / "x.npy", x)
    assert data_hash(np.load(tmp_path / "x.npy", mmap_mode="r")) == data_hash(x.copy())
    assert data_hash(np.zeros((0, 3), np.float32)) != data_hash(np.zeros((3, 0), np.float32))


def test_data_hash_is_memoised_per_array(monkeypatch):
    calls = []
    real = cache_module._digest
    monkeypatch.setattr(cache_module, "_digest", lambda chunk: calls.append(1) or real(chunk))
    x = np.ones((10, 3), dtype=np.float32)
    first = data_hash(x)
    assert data_hash(x) == first and len(calls) == 1
    data_hash(x.copy())
    assert len(calls) == 2
    key = id(x)
    assert key in cache_module._hashes
    del x
    gc.collect()
    assert key not in cache_module._hashes  # the memo never outlives its array


def test_put_creates_the_directory(tmp_path):
    cache = ProjectionCache(tmp_path / "a" / "b")
    key = cache.key(x=1)
    assert cache.put(key, {"coords": np.zeros((1, 2), np.float32)}, {})
    assert cache.get(key) is not None
    assert cache.clear() == 1 and cache.get(key) is None
    assert os.listdir(cache.directory) == []
