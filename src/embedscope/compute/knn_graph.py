"""The k-nearest-neighbour graph of every point, shared by t-SNE and UMAP.

The search is exact: blocks of rows are scored against all N rows with one float32 matrix product each
(``||b||^2 - 2 a.b`` for euclidean, ``-a.b`` on unit rows for cosine). Each row's k-th smallest score is
bounded from a sample of the columns, the scores under that bound are partitioned for the true k-th, and every
candidate within rounding error of it is re-scored exactly in float64 before the final ranking, so the result
equals a brute-force search: nearest first, ties broken by the lower index, the point itself left out. Blocks
run on every core (one BLAS thread each) and are sized to keep memory small.

Above the crossover (APPROX_FROM points) the graph is approximate by default: hnswlib's HNSW index
(knn_approx.py, which holds the measurements), with its recall measured on a sample and kept with the graph.
The crossover, measured here (2 cores, 50 dimensions, k = 15 / 90): 30,000 points exact 2.0 / 2.8 s, HNSW 1.0 /
1.6 s; 60,000: 5.7 / 7.8 s against 2.6 / 3.8 s; 100,000: 14.8 / 18.0 s against 5.0 / 8.2 s; 200,000: 81 s against
24.5 s (k = 90). Below 50,000 points the exact graph costs a few seconds and an approximation would save at most
two, so it stays exact there; `engine="exact"` or `"approximate"` chooses at any size.

Graphs are memoised in-process by (cache.data_hash of the float32 data, metric); a graph with more neighbours
serves any smaller k, so t-SNE (3 x perplexity neighbours) and UMAP (n_neighbors) on the same data share one
search.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from ..errors import ParameterError
from .cache import data_hash
from .knn_approx import RECALL_TARGET
from .progress import CancelToken, Progress, ProgressCallback, check, report

log = logging.getLogger(__name__)

METRICS = ("euclidean", "cosine")
ENGINE = "exact"
ENGINES = ("auto", "exact", "approximate")  # what a caller asks for; a graph's engine is "exact" or "hnsw"
APPROX_FROM = 50_000  # from this many points "auto" builds the approximate graph
# "auto" falls back to the exact graph when the approximate one's recall stays under the target, up to this many
# points (an exact graph of 200,000 x 50 takes 81 s here; of 1,000,000, about half an hour)
EXACT_FALLBACK_UP_TO = 200_000
BLOCK_BYTES = 32 << 20  # one block's score matrix (rows x N float32)
MEMO_SIZE = 2  # graphs kept in memory (70,000 x 90 costs 75 MB)
SAMPLE_COLUMNS = 8192  # columns sampled for a bound on each row's k-th score (at least 64 per neighbour)
SAMPLE_PER_NEIGHBOUR = 64
_REFINE_CAP = 256  # candidates per row re-scored exactly at most (more means massive ties)


@dataclass(frozen=True)
class KnnGraph:
    """Each point's k nearest other points, nearest first (ties by index), and the distances to them."""

    indices: np.ndarray  # N x k int64, self excluded
    distances: np.ndarray  # N x k float32: L2 for euclidean, 1 - cos for cosine
    engine: str
    recall: float | None = None  # 1.0 for the exact engine; measured on a sample for an approximate one
    metric: str = "euclidean"

    @property
    def k(self) -> int:
        return int(self.indices.shape[1])

    def head(self, k: int) -> KnnGraph:
        """The graph of the k nearest neighbours only (k <= self.k): a view, no copy."""
        if k == self.k:
            return self
        return KnnGraph(self.indices[:, :k], self.distances[:, :k], self.engine, self.recall, self.metric)


_memo: OrderedDict[tuple[str, str], KnnGraph] = OrderedDict()
_memo_lock = threading.Lock()


def clear_memo() -> None:
    with _memo_lock:
        _memo.clear()


def knn_graph(
    x: np.ndarray,
    *,
    k: int = 15,
    metric: str = "euclidean",
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    engine: str = "auto",
) -> KnnGraph:
    """The k nearest neighbours of every row of `x` among all the others (N x k, self excluded).

    `engine`: "exact", "approximate" (HNSW, recall measured on a sample), or "auto": exact below APPROX_FROM
    points, HNSW from there on (exact after all where HNSW misses its recall target and N <= EXACT_FALLBACK_UP_TO).
    A memoised exact graph serves any request; an approximate one only approximate ones.
    """
    x = _check(x, k, metric)
    asked, engine = engine, choose_engine(len(x), engine)
    key = (data_hash(x), metric)
    with _memo_lock:
        hit = _memo.get(key)
        if hit is not None and hit.k >= k and (hit.engine == ENGINE or engine != ENGINE):
            _memo.move_to_end(key)
            report(progress, Progress(stage="knn", fraction=1.0, message="nearest neighbours from memory"))
            return hit.head(k)
    if engine == ENGINE:
        indices, distances = _search(x, k, metric, progress, cancel)
        recall = 1.0
    else:
        from .knn_approx import hnsw_search

        indices, distances, recall = hnsw_search(x, k, metric, progress, cancel)
        if recall < RECALL_TARGET and asked == "auto" and len(x) <= EXACT_FALLBACK_UP_TO:
            log.warning(
                "the approximate k-NN graph found %.1f%% of the true neighbours (target %.0f%%): using the exact one",
                100 * recall,
                100 * RECALL_TARGET,
            )
            indices, distances = _search(x, k, metric, progress, cancel)
            engine, recall = ENGINE, 1.0
    indices.flags.writeable = False
    distances.flags.writeable = False
    graph = KnnGraph(indices, distances, engine, recall, metric)
    with _memo_lock:
        old = _memo.get(key)
        if old is None or old.k < k or (old.engine != ENGINE and engine == ENGINE):
            _memo[key] = graph
        _memo.move_to_end(key)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return graph


def choose_engine(n: int, engine: str = "auto") -> str:
    """The engine a request for `n` points gets: "exact" or "hnsw"."""
    if engine not in ENGINES:
        raise ParameterError(f"`engine` must be one of {list(ENGINES)}, got {engine!r}", field="engine")
    if engine == "auto":
        return "hnsw" if n >= APPROX_FROM else ENGINE
    return "hnsw" if engine == "approximate" else ENGINE


def _check(x: np.ndarray, k: int, metric: str) -> np.ndarray:
    if metric not in METRICS:
        raise ParameterError(f"`metric` must be one of {list(METRICS)}, got {metric!r}", field="metric")
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 1:
        raise ParameterError(f"a k-NN graph needs an N x D matrix with N >= 2, got shape {x.shape}", field="x")
    n = x.shape[0]
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= n - 1:
        raise ParameterError(
            f"`k` must be an integer from 1 to N - 1 = {n - 1:,}, got {k!r}", field="k", fix="ask for fewer neighbours"
        )
    x = np.ascontiguousarray(x, dtype=np.float32)
    finite = np.isfinite(x).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise ParameterError(f"row {row:,} holds NaN or infinity: neighbours are undefined", field="x")
    return x


def _search(
    x: np.ndarray, k: int, metric: str, progress: ProgressCallback | None, cancel: CancelToken | None
) -> tuple[np.ndarray, np.ndarray]:
    n = len(x)
    if metric == "cosine":
        norms = np.sqrt(np.einsum("ij,ij->i", x, x))
        scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
        lhs = x * scale[:, None]  # unit rows (zero rows stay zero)
        rhs = -lhs.T  # score = -cos
        base = lhs
    else:
        squares = np.einsum("ij,ij->i", x, x)
        lhs = np.hstack([x, np.ones((n, 1), np.float32)])
        rhs = np.hstack([-2.0 * x, squares[:, None]]).T  # score = ||b||^2 - 2 a.b (+ ||a||^2 = squared distance)
        base = x
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float32)
    rows = int(min(max(16, BLOCK_BYTES // (4 * n)), 4096, n))
    size = max(SAMPLE_COLUMNS, SAMPLE_PER_NEIGHBOUR * k)
    sample = np.sort(np.random.default_rng(0).choice(n, size, replace=False)) if 4 * size <= n else None
    starts = list(range(0, n, rows))
    workers = max(1, min(_cpu_count(), len(starts)))
    local = threading.local()

    def block(start: int) -> int:
        check(cancel)  # a paused search waits here; a cancelled one stops
        stop = min(start + rows, n)
        if getattr(local, "buffers", None) is None:
            local.buffers = (
                np.empty((rows, n), np.float32),
                np.empty((rows, n), np.float32),
                np.empty((rows, n), bool),
            )
        scores, work, mask = (b[: stop - start] for b in local.buffers)
        np.matmul(lhs[start:stop], rhs, out=scores)
        span = np.arange(stop - start)
        scores[span, start + span] = np.inf  # leave the point itself out
        _select(scores, work, mask, base, start, k, metric, sample, indices[start:stop], distances[start:stop])
        return stop - start

    done = 0
    step = max(1, n // 100)
    last = -step
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(block, s) for s in starts]
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
                for f in finished:
                    done += f.result()  # re-raises a worker's error (Cancelled included)
                if done - last >= step or not pending:
                    last = done
                    report(progress, Progress(stage="knn", fraction=done / n, message=f"{done:,} of {n:,} points"))
        finally:
            for f in pending:
                f.cancel()
    return indices, distances


def _select(
    scores: np.ndarray,
    work: np.ndarray,
    mask: np.ndarray,
    base: np.ndarray,
    start: int,
    k: int,
    metric: str,
    sample: np.ndarray | None,
    out_indices: np.ndarray,
    out_distances: np.ndarray,
) -> None:
    """Pick each row's k nearest from its scores; candidates near the k-th are re-scored exactly.

    A bound on each row's k-th smallest score comes from a sample of the columns (the k-th smallest of a subset
    is never below the true one), which is far cheaper than partitioning whole rows; the few hundred scores
    under it are then partitioned for the true k-th. Rows whose sample bound lets too much through fall back to
    partitioning the whole block.
    """
    b, n = scores.shape
    a = base[start : start + b].astype(np.float64)
    own = np.einsum("ij,ij->i", a, a)
    bound = None if sample is None else _sample_bound(scores, sample, k)
    if bound is not None:
        row, col, value = _under(scores, mask, bound + _tolerance(bound, own, metric))
        kth = _kth_of_candidates(row, value, b, k) if len(row) <= n * b // 8 else None
    if bound is None or kth is None:
        np.copyto(work, scores)
        work.partition(k - 1, axis=1)
        bound = kth = work[:, k - 1].astype(np.float64)
        row, col, value = _under(scores, mask, bound + _tolerance(bound, own, metric))
    keep = value <= (kth + _tolerance(bound, own, metric))[row]
    row, col = row[keep], col[keep]
    cap = max(_REFINE_CAP, k)
    counts = np.bincount(row, minlength=b)
    if counts.max() > cap:  # massive ties: keep each row's `cap` best by its score
        order = np.lexsort((col, value[keep], row))
        row, col = row[order], col[order]
        first = np.cumsum(counts) - counts
        within = (np.arange(len(row)) - first[row]) < cap
        row, col = row[within], col[within]
    exact = _exact(base, a, row, col, metric)
    order = np.lexsort((col, exact, row))
    first = np.searchsorted(row[order], np.arange(b))
    take = order[(first[:, None] + np.arange(k)[None, :]).ravel()]
    out_indices[:] = col[take].reshape(b, k)
    out_distances[:] = exact[take].reshape(b, k)


def _sample_bound(scores: np.ndarray, sample: np.ndarray, k: int) -> np.ndarray:
    """Per row, the k-th smallest score among the sampled columns: an upper bound on the true k-th."""
    sub = scores[:, sample]
    sub.partition(k - 1, axis=1)
    return sub[:, k - 1].astype(np.float64)


def _under(scores: np.ndarray, mask: np.ndarray, limit: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, score) of every score <= its row's limit, in row-major order."""
    n = scores.shape[1]
    np.less_equal(scores, limit.astype(np.float32)[:, None], out=mask)
    flat = np.flatnonzero(mask)
    row = flat // n
    return row, flat - row * n, scores.ravel()[flat]


def _kth_of_candidates(row: np.ndarray, value: np.ndarray, b: int, k: int) -> np.ndarray | None:
    """The k-th smallest candidate score of each row (rows are contiguous in `row`), via a padded partition."""
    counts = np.bincount(row, minlength=b)
    if counts.min() < k:
        return None
    padded = np.full((b, int(counts.max())), np.inf, dtype=np.float32)
    first = np.cumsum(counts) - counts
    padded[row, np.arange(len(row)) - first[row]] = value
    padded.partition(k - 1, axis=1)
    return padded[:, k - 1].astype(np.float64)


def _tolerance(kth: np.ndarray, own: np.ndarray, metric: str) -> np.ndarray:
    """A generous bound on float32 rounding in the scores near the k-th (so exact re-scoring can reorder them)."""
    if metric == "cosine":
        return 1e-5 * (1.0 + np.abs(kth))
    return 1e-5 * (own + np.abs(kth) + np.maximum(own + kth, 0.0)) + 1e-30


def _exact(base: np.ndarray, a: np.ndarray, row: np.ndarray, col: np.ndarray, metric: str) -> np.ndarray:
    """Distances from block rows `row` (as float64 rows of `a`) to points `col`, in float64."""
    other = base[col].astype(np.float64)
    if metric == "cosine":
        return 1.0 - np.einsum("ij,ij->i", a[row], other)
    diff = other - a[row]
    return np.sqrt(np.einsum("ij,ij->i", diff, diff))


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
