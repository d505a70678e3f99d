"""The approximate k-NN graph used above the crossover: hnswlib's HNSW index, with its recall measured every time.

Why HNSW, and these settings. Measured here (2 cores; a 50-cluster Gaussian mixture, 50 dimensions; k = 90, what
t-SNE with perplexity 30 needs), wall seconds for every point's neighbours and the recall against the exact graph:

=========================  =====================  ======================  ======================
engine                     60,000 points          200,000 points          1,000,000 points
=========================  =====================  ======================  ======================
exact (knn_graph.py)       7.8 s                  81 s                    ~2,000 s (N squared)
hnswlib M=16, ef_c=100     3.8 s, recall 0.992    24.5 s, recall 0.944
hnswlib M=16, ef_c=64                             21.5 s, recall 0.926    82 s build + 118 s query
faiss HNSW M=16, ef_c=40                          18.2 s, recall 0.915
usearch M=16, ef_c=64                             24.3 s, recall 0.911
faiss IVF 2048 lists, 16 probed                   8.2 s, recall 0.752
=========================  =====================  ======================  ======================

faiss's IVF reaches recall 1.0 on this mixture with 512 lists (10.5 s at 200,000), but only because its lists fall
on the mixture's clusters; its cost grows with N squared at a fixed share of lists probed, and its recall falls on
data without clusters. pynndescent (umap-learn's own search) took 60-74 s for 70,000 points at recall 0.86
(shared/BASELINES.md). hnswlib is small, well kept and about as fast as faiss's HNSW, so it is the engine.

The index is built on every core. Insertions then run concurrently, so two builds can link a few points
differently: the graph, and a projection drawn from it, can differ slightly from one run to the next (the exact
graph is bit-identical every time; `neighbors="exact"` asks for it at any size). Queries are read-only and
deterministic for a given index.

Recall is measured on every graph: the exact neighbours of a seeded sample of up to RECALL_SAMPLE points (a
blocked scan of all N, a few seconds at 1,000,000 x 50) against the graph's; the figure goes into the
projection's summary, the CLI and the page. It also sets the query breadth: where the first breadth finds under
RECALL_TARGET of the sample's neighbours (12,000 MiniLM token vectors, euclidean: 0.69), it is doubled until it
does (or reaches EF_MAX, or a doubling gains under RECALL_GAIN_MIN) before all points are searched.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .progress import CancelToken, Progress, ProgressCallback, check, report

ENGINE = "hnsw"
M = 16  # links per node
EF_CONSTRUCTION = 64
# query breadth: max(EF_MIN, k) at first, doubled while the sample's recall is under the target. Measured
# (1,000,000 x 50 low-rank mixture): k = 15, ef 32 found the same share as 64 (0.941) in 21 s instead of 34 s;
# k = 90, ef 90 instead of 135 (1.5 k): the whole graph in 88 s instead of 104 s, recall 0.985 / 0.961
EF_MIN = 32
EF_MAX = 1024
RECALL_TARGET = 0.9
# ... unless doubling it gained less than this: the index's links, not the breadth, limit the recall then (measured,
# 1,000,000 x 50, k = 15, ef_construction 40: breadth 16 -> 0.895, 24 -> 0.899, 32 -> 0.900)
RECALL_GAIN_MIN = 0.01
CHUNK = 20_000  # rows added or queried between progress reports and cancel checks
RECALL_SAMPLE = 1_000


def hnsw_search(
    x: np.ndarray,
    k: int,
    metric: str,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Approximate k nearest other rows of every row of `x` (float32, contiguous), and the recall measured.

    Returns (N x k int64, N x k float32, recall). Distances are true distances: L2 for euclidean, 1 - cos for
    cosine; nearest first, the point itself left out. The query breadth starts at max(EF_MIN, k) and doubles
    (up to EF_MAX) while the recall on the sample is under RECALL_TARGET; the recall returned is that sample's, with
    the breadth used for all points (queries are deterministic, so it is the graph's own figure on those rows).
    """
    index = _build(x, metric, progress, cancel)
    n = len(x)
    m = min(RECALL_SAMPLE, n)
    rows = np.sort(np.random.default_rng(0).choice(n, m, replace=False)) if m < n else np.arange(n)
    from .quality import nearest

    exact = nearest(x, rows, k=k, metric=metric)
    ef, before = max(EF_MIN, k), -1.0
    while True:
        found, _ = _query(index, x[rows], k, metric, None, cancel, own=True, ids=rows, ef=ef)
        recall = _recall(found, exact)
        if recall >= RECALL_TARGET or ef >= EF_MAX or recall - before < RECALL_GAIN_MIN:
            break
        ef, before = min(2 * ef, EF_MAX), recall
    indices, distances = _query(index, x, k, metric, progress, cancel, own=True, ef=ef)
    return indices, distances, recall


def hnsw_search_other(
    data: np.ndarray,
    queries: np.ndarray,
    k: int,
    metric: str,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Approximate k nearest rows of `data` to each row of `queries` (rows numbered in `data`), nearest first.

    The index is built on one thread, so the result is the same every time (`data` is the smaller side here: a
    sample of 20,000 rows takes a second or two); the queries run on every core.
    """
    index = _build(np.ascontiguousarray(data, dtype=np.float32), metric, progress, cancel, threads=1)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    return _query(index, queries, k, metric, progress, cancel, own=False, ef=max(EF_MIN, k))


def _build(
    x: np.ndarray,
    metric: str,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    threads: int | None = None,
) -> Any:
    import hnswlib

    n, d = x.shape
    index = hnswlib.Index(space="cosine" if metric == "cosine" else "l2", dim=d)
    index.init_index(max_elements=n, M=M, ef_construction=EF_CONSTRUCTION, random_seed=0)
    for start in range(0, n, CHUNK):
        check(cancel)
        stop = min(start + CHUNK, n)
        index.add_items(x[start:stop], np.arange(start, stop), num_threads=threads or _cpu_count())
        _report(progress, stop / n / 2, f"building the HNSW index: {stop:,} of {n:,} points")
    return index


def _query(
    index: Any,
    queries: np.ndarray,
    k: int,
    metric: str,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    *,
    own: bool,
    ef: int,
    ids: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each query row's k nearest (`own`: the queries are the index's rows `ids`, default 0..m-1; self left out)."""
    m = len(queries)
    ids = np.arange(m) if ids is None else ids
    index.set_ef(ef)
    indices = np.empty((m, k), dtype=np.int64)
    distances = np.empty((m, k), dtype=np.float32)
    for start in range(0, m, CHUNK):
        check(cancel)
        stop = min(start + CHUNK, m)
        labels, dist = index.knn_query(queries[start:stop], k=k + 1 if own else k, num_threads=_cpu_count())
        if own:
            _drop_self(labels, dist, ids[start:stop], indices[start:stop], distances[start:stop])
        else:
            indices[start:stop], distances[start:stop] = labels, dist
        _report(progress, 0.5 + stop / m / 2, f"searching the HNSW index: {stop:,} of {m:,} points")
    if metric == "euclidean":
        np.sqrt(np.maximum(distances, 0.0, out=distances), out=distances)  # hnswlib's l2 is squared
    return indices, distances


def measured_recall(x: np.ndarray, indices: np.ndarray, metric: str, sample: int = RECALL_SAMPLE) -> float:
    """The share of the exact k nearest neighbours found, over a seeded sample of rows (all rows if fewer)."""
    from .quality import nearest

    n, k = indices.shape
    m = min(sample, n)
    rows = np.sort(np.random.default_rng(0).choice(n, m, replace=False)) if m < n else np.arange(n)
    return _recall(indices[rows], nearest(x, rows, k=k, metric=metric))


def _recall(found: np.ndarray, exact: np.ndarray) -> float:
    hits = sum(np.intersect1d(a, b).size for a, b in zip(found, exact, strict=True))
    return float(hits / exact.size)


def _drop_self(labels: np.ndarray, dist: np.ndarray, own: np.ndarray, out_i: np.ndarray, out_d: np.ndarray) -> None:
    """Each row's k + 1 results without the point itself (or without the farthest, when it was not found)."""
    labels = labels.astype(np.int64, copy=False)
    k = out_i.shape[1]
    is_self = labels == own[:, None]
    drop = np.where(is_self.any(axis=1), np.argmax(is_self, axis=1), k)
    keep = np.ones(labels.shape, dtype=bool)
    keep[np.arange(len(labels)), drop] = False
    out_i[:] = labels[keep].reshape(-1, k)
    out_d[:] = dist[keep].reshape(-1, k)


def _report(progress: ProgressCallback | None, fraction: float, message: str) -> None:
    report(progress, Progress(stage="knn", fraction=fraction, message=message))


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
