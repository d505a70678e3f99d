"""UMAP's compiler warm-up: umap-learn's numba code compiled once per process, in the background of a server.

Measured here (benchmarks/bench_umap.py): a first fit compiles for seconds to a minute even with numba's disk
cache filled, so the server compiles at start on synthetic data instead of during a user's first projection.
"""

from __future__ import annotations

import logging
import threading
import time
from types import SimpleNamespace
from typing import Any

import numpy as np

from .umap import KnnLike, _fit

log = logging.getLogger(__name__)

WARM_UP_POINTS = 4_200  # umap-learn uses NN-descent from 4,096 points on
_warm_lock = threading.Lock()
_warm_thread: threading.Thread | None = None
_warm_done = False


def warm_up(*, background: bool = True) -> threading.Thread | None:
    """Compile umap-learn's numba code once per process, on synthetic data of 4,200 points x 16.

    First the path umap() takes with a precomputed k-NN graph (what projections use), then umap-learn's own
    NN-descent search (taken from 4,096 points on). With `background` the work runs in a daemon thread, which is
    returned (the same thread to every caller while it runs); otherwise it runs now and None is returned. Errors
    are logged, not raised, in the background.
    """
    global _warm_thread
    with _warm_lock:
        if _warm_done:
            return None
        if _warm_thread is not None and _warm_thread.is_alive():
            if background:
                return _warm_thread
            _warm_thread.join()
            return None
        if not background:
            _run_warm_up()
            return None
        _warm_thread = threading.Thread(target=_warm_up_logged, name="embedscope-umap-warm-up", daemon=True)
        _warm_thread.start()
        return _warm_thread


def _warm_up_logged() -> None:
    try:
        _run_warm_up()
    except Exception:
        log.exception("UMAP warm-up failed: the first UMAP will compile instead")


def _run_warm_up() -> None:
    global _warm_done
    started = time.perf_counter()
    x = _synthetic(WARM_UP_POINTS, 16)
    _fit(x, **_warm_params(), knn=_exact_knn(x, 14), progress=None, cancel=None, n_epochs=5)
    log.info("UMAP warm-up: precomputed k-NN path compiled in %.1f s", time.perf_counter() - started)
    _fit(x, **_warm_params(), knn=None, progress=None, cancel=None, n_epochs=5)
    log.info("UMAP warm-up: done in %.1f s", time.perf_counter() - started)
    _warm_done = True


def _warm_params() -> dict[str, Any]:
    return {"n_components": 2, "n_neighbors": 15, "min_dist": 0.1, "metric": "euclidean", "random_state": 0}


def _synthetic(n: int, d: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=1.0, size=(8, d))  # overlapping: one connected graph
    return (centres[rng.integers(0, 8, n)] + rng.normal(size=(n, d))).astype(np.float32)


def _exact_knn(x: np.ndarray, k: int) -> KnnLike:
    """scikit-learn's, not knn_graph's: a warm-up graph must not take a place in knn_graph's memo."""
    from sklearn.neighbors import NearestNeighbors

    dist, idx = NearestNeighbors(n_neighbors=k + 1).fit(x).kneighbors(x)
    return SimpleNamespace(indices=idx[:, 1:].astype(np.int64), distances=dist[:, 1:].astype(np.float32))
