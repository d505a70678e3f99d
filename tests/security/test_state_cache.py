"""A damaged projection cache entry is a miss: a warning, the entry removed, the projection computed again; never a
500 or a traceback, and never a request that blocks (#13)."""

from __future__ import annotations

import io
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bounded import hang_guard

from embedscope.compute.cache import META, ProjectionCache

BASE = "/api/runs/r0/embeddings/e0/projections"
PCA = {"method": "pca"}


def _done(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Start (or attach to) a projection and wait, a couple of minutes at most, until it is done."""
    started = client.post(BASE, json=body)
    assert started.status_code == 200, started.text
    job_id = started.json()["id"]
    for _ in range(1200):
        status = client.get(f"/api/projections/{job_id}")
        assert status.status_code == 200, status.text
        if status.json()["state"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    assert status.json()["state"] == "done", status.json()
    return status.json()


def _coords(client: Any, job_id: str) -> list[list[float]]:
    response = client.get(f"/api/projections/{job_id}/coords", params={"format": "json"})
    assert response.status_code == 200, response.text
    return response.json()["coords"]


def _arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def _rewrite(change: Callable[[dict[str, np.ndarray]], None]) -> Callable[[Path], None]:
    """A damage that writes a valid .npz whose content `change` spoils (on the entry's main array)."""

    def damage(path: Path) -> None:
        arrays = _arrays(path)
        change(arrays)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        path.write_bytes(buffer.getvalue())

    return damage


def _main(arrays: dict[str, np.ndarray]) -> str:
    return "coords" if "coords" in arrays else "components"


def _meta(text: bytes) -> Callable[[dict[str, np.ndarray]], None]:
    def change(arrays: dict[str, np.ndarray]) -> None:
        arrays[META] = np.frombuffer(text, dtype=np.uint8)

    return change


def _set(value: Callable[[np.ndarray], np.ndarray]) -> Callable[[dict[str, np.ndarray]], None]:
    def change(arrays: dict[str, np.ndarray]) -> None:
        name = _main(arrays)
        arrays[name] = value(arrays[name])

    return change


def _with(number: float) -> Callable[[np.ndarray], np.ndarray]:
    def value(a: np.ndarray) -> np.ndarray:
        out = a.copy()
        out[1, 0] = number
        return out

    return value


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


DAMAGES: dict[str, Callable[[Path], None]] = {
    "empty file": lambda p: p.write_bytes(b""),
    "truncated zip": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "not a zip": lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"),
    "a folder": _folder,
    "main array missing": _rewrite(lambda a: a.pop(_main(a))),
    "metadata missing": _rewrite(lambda a: a.pop(META)),
    "metadata not JSON": _rewrite(_meta(b"\xff\xfe{")),
    "metadata a list": _rewrite(_meta(b"[1, 2, 3]")),
    "metadata without fields": _rewrite(_meta(b"{}")),
    "metadata of wrong types": _rewrite(
        _meta(json.dumps({"method": 3, "params": [], "explained_variance_ratio": "x", "extra": 1}).encode())
    ),
    "text coordinates": _rewrite(_set(lambda a: np.full(a.shape, "x"))),
    "one-dimensional": _rewrite(_set(lambda a: a.ravel())),
    "too few rows": _rewrite(_set(lambda a: a[:3])),
    "one column": _rewrite(_set(lambda a: a[:, :1])),
    "NaN coordinates": _rewrite(_set(_with(float("nan")))),
    "infinite coordinates": _rewrite(_set(_with(float("inf")))),
    "integer coordinates": _rewrite(_set(lambda a: a.astype(np.int64))),
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_a_damaged_entry_is_computed_again(make_client, data, tmp_path: Path, caplog, damage: str) -> None:
    first = make_client(data())
    job = _done(first, PCA)
    expected = _coords(first, job["id"])
    entries = sorted((tmp_path / "cache").glob("*.npz"))
    assert len(entries) == 2  # the PCA components and the projection itself
    for entry in entries:
        DAMAGES[damage](entry)
    with caplog.at_level(logging.WARNING, logger="embedscope"):
        again = make_client(data())  # a new server on the same cache folder
        status = _done(again, PCA)
        assert status["summary"]["cached"] is False  # computed again
        assert _coords(again, status["id"]) == expected
        for url in ("/api/projections", f"/api/projections/{status['id']}"):
            assert again.get(url).status_code == 200
    assert "cache entry" in caplog.text
    assert "Traceback" not in caplog.text
    cache = ProjectionCache(tmp_path / "cache")
    for entry in entries:  # written again, whole
        assert entry.is_file() and cache.get(entry.stem) is not None
    third = make_client(data())
    assert _done(third, PCA)["summary"]["cached"] is True


def test_a_fifo_entry_is_a_miss_that_never_blocks(tmp_path: Path, caplog) -> None:
    cache = ProjectionCache(tmp_path / "projections")
    key = cache.key(data="abc")
    cache.directory.mkdir(parents=True)
    os.mkfifo(cache.path(key))
    with caplog.at_level(logging.WARNING, logger="embedscope.compute.cache"):
        assert hang_guard(lambda: cache.get(key), cache.path(key), what="a cache entry") is None
    assert "FIFO" in caplog.text
    assert cache.put(key, {"coords": np.zeros((2, 2), np.float32)}, {"method": "pca"})
    assert cache.get(key) is not None


def test_an_entry_linking_out_of_the_cache_is_not_read(tmp_path: Path, caplog) -> None:
    cache = ProjectionCache(tmp_path / "projections")
    outside = ProjectionCache(tmp_path / "elsewhere")
    key = cache.key(data="abc")
    assert outside.put(key, {"coords": np.ones((2, 2), np.float32)}, {"method": "pca"})
    cache.directory.mkdir(parents=True)
    cache.path(key).symlink_to(outside.path(key))
    with caplog.at_level(logging.WARNING, logger="embedscope.compute.cache"):
        assert cache.get(key) is None
    assert "outside" in caplog.text
    assert outside.get(key) is not None  # the file linked to is left alone
