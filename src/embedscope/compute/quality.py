"""How much a picture can be trusted: the share of each point's nearest neighbours a projection keeps.

For a sample of points, the exact k nearest neighbours in the original space (each sampled point against all N,
by `metric`) are compared with its exact k nearest in the projection (always euclidean: that is what the eye
sees). Neighbours in a projection come from a k-d tree; in the original space from a blocked float32 scan on
every core. The score is the mean of |kNN_x(i) ∩ kNN_coords(i)| / k: 1.0 when the projection keeps every
neighbourhood, about k / N for a random one.

Trustworthiness and continuity (Venna and Kaski) weigh the misses by rank, on a sample of points among themselves:
trustworthiness penalises points that are near in the picture but far in the data (false neighbours, ranked by
their distance in the data), continuity points near in the data but far in the picture (torn neighbourhoods,
ranked in the picture). Both are scikit-learn's `trustworthiness`, continuity with the two spaces swapped; 1.0 is
perfect, about 0.5 random.
"""

from __future__ import annotations

import logging

import numpy as np

from ..errors import ParameterError
from .prep import in_blocks

log = logging.getLogger(__name__)

METRICS = ("euclidean", "cosine")
SCORE_BUDGET = 1 << 22  # scores in one block of rows x queries (16 MiB in float32), per thread
TRUST_K = 10  # neighbours for trustworthiness and continuity
TREE_DIM = 8  # up to this many dimensions a k-d tree finds neighbours (exact, float64: no rounding ties)


def neighbor_preservation(
    x: np.ndarray,
    coords: np.ndarray,
    *,
    k: int = 10,
    sample: int = 2000,
    metric: str = "euclidean",
    random_state: int = 0,
) -> float:
    """Mean fraction of each sampled point's k nearest neighbours in `x` that are also its k nearest in `coords`."""
    n = _check_pair(x, coords, metric)
    if not isinstance(k, int | np.integer) or k < 1:
        raise ParameterError(f"`k` must be a positive integer, got {k!r}", field="k")
    if n < 2:
        raise ParameterError(f"neighbour preservation needs at least 2 points, got {n}", field="x")
    if k > n - 1:
        log.warning("neighbour preservation: k=%d reduced to %d for %d points", k, n - 1, n)
        k = n - 1
    rng = np.random.default_rng(random_state)
    m = min(int(sample), n)
    rows = np.sort(rng.choice(n, size=m, replace=False)) if m < n else np.arange(n)
    near_x = nearest(x, rows, k=k, metric=metric)
    near_c = nearest(coords, rows, k=k, metric="euclidean")
    kept = [np.intersect1d(a, b, assume_unique=True).size for a, b in zip(near_x, near_c, strict=True)]
    return float(np.mean(kept) / k)


def nearest(x: np.ndarray, rows: np.ndarray, *, k: int, metric: str = "euclidean") -> np.ndarray:
    """Exact k nearest neighbours (self excluded) of x[rows] among all rows of x: len(rows) x k int64, unsorted.

    Low-dimensional data (projections) goes through a k-d tree in float64; the rest is a blocked float32 scan.
    Under cosine, rows are scaled to unit length first (same ranking; zero rows stay zero).
    """
    rows = np.asarray(rows, dtype=np.int64)
    if x.shape[1] <= TREE_DIM:
        return _tree(x, rows, k, metric)
    return _scan(x, rows, k, metric)


def _unit_rows(b: np.ndarray) -> np.ndarray:
    norms = np.sqrt(np.einsum("ij,ij->i", b, b))
    norms[norms == 0] = 1.0
    return b / norms[:, None]


def _tree(x: np.ndarray, rows: np.ndarray, k: int, metric: str) -> np.ndarray:
    from scipy.spatial import cKDTree

    data = np.asarray(x, dtype=np.float64)
    if metric == "cosine":
        data = _unit_rows(data)
    _, found = cKDTree(data).query(data[rows], k=k + 1)
    found = np.asarray(found, dtype=np.int64).reshape(len(rows), k + 1)
    own = found == rows[:, None]
    drop = np.where(own.any(axis=1), np.argmax(own, axis=1), k)  # the point itself, else the farthest
    keep = np.ones_like(found, dtype=bool)
    keep[np.arange(len(rows)), drop] = False
    return found[keep].reshape(len(rows), k)


def _scan(x: np.ndarray, rows: np.ndarray, k: int, metric: str) -> np.ndarray:
    """Blocked float32 scan: scores |b|^2 - 2 q.b (the query's own |q|^2 does not change its ranking)."""
    n = len(x)
    m = len(rows)
    q = np.asarray(x[rows], dtype=np.float32)
    if metric == "cosine":
        q = _unit_rows(q)
    q2 = np.ascontiguousarray(-2.0 * q.T, dtype=np.float32)
    block = max(k + 1, SCORE_BUDGET // max(m, 1))

    def scan(spans: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        best_d = np.full((m, k), np.inf, dtype=np.float32)
        best_i = np.zeros((m, k), dtype=np.int64)
        for start, stop in spans:
            b = np.asarray(x[start:stop], dtype=np.float32)
            if metric == "cosine":
                b = _unit_rows(b)
            dist = b @ q2  # rows x queries: B x m
            dist += np.einsum("ij,ij->i", b, b)[:, None]
            own = (rows >= start) & (rows < stop)
            dist[rows[own] - start, np.flatnonzero(own)] = np.inf  # a point is not its own neighbour
            cj, qi = np.nonzero(dist < best_d.max(axis=1)[None, :])
            if qi.size > 4 * m * k:  # early blocks: most scores are candidates, partition each query instead
                take = min(k, stop - start)
                cj = np.argpartition(dist, take - 1, axis=0)[:take].T.ravel()
                qi = np.repeat(np.arange(m), take)
            if qi.size:
                best_d, best_i = _merge(best_d, best_i, qi, dist[cj, qi], cj + start)
        return best_d, best_i

    parts = in_blocks(scan, n, block)
    best_d, best_i = parts[0]
    for d_part, i_part in parts[1:]:
        best_d, best_i = _merge(best_d, best_i, np.repeat(np.arange(m), k), d_part.ravel(), i_part.ravel())
    return best_i


def _merge(
    best_d: np.ndarray, best_i: np.ndarray, qi: np.ndarray, cand_d: np.ndarray, cand_i: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Keep the k smallest of each query's current best and its new candidates (ties: lower row first)."""
    m, k = best_d.shape
    all_q = np.concatenate([np.repeat(np.arange(m), k), qi])
    all_d = np.concatenate([best_d.ravel(), cand_d])
    all_i = np.concatenate([best_i.ravel(), cand_i])
    order = np.lexsort((all_i, all_d, all_q))
    counts = np.bincount(all_q, minlength=m)
    first = np.cumsum(counts) - counts
    rank = np.arange(order.size) - first[all_q[order]]
    keep = order[rank < k]
    return all_d[keep].reshape(m, k), all_i[keep].reshape(m, k)


def trust_and_continuity(
    x: np.ndarray, coords: np.ndarray, *, metric: str = "euclidean", sample: int = 1000, random_state: int = 0
) -> tuple[float, float]:
    """scikit-learn's trustworthiness of `coords` for `x` (TRUST_K neighbours), and the continuity, on a seeded
    sample of the rows drawn (finite coordinates).

    Under cosine the rows of `x` are scaled to unit length first (euclidean distances then rank as cosine ones).
    """
    from sklearn.manifold import trustworthiness

    _check_pair(x, coords, metric)
    drawn = np.flatnonzero(np.isfinite(coords).all(axis=1))  # UMAP leaves points cut off from the graph at NaN
    m = min(int(sample), len(drawn))
    rng = np.random.default_rng(random_state)
    rows = np.sort(rng.choice(drawn, size=m, replace=False)) if m < len(drawn) else drawn
    k = min(TRUST_K, (m - 1) // 2)  # scikit-learn's bound: n_neighbors < n_samples / 2
    if k < 1:
        raise ParameterError(f"trustworthiness needs at least 3 drawn points, got {m}", field="x")
    xs = np.asarray(x[rows], dtype=np.float64)
    if metric == "cosine":
        xs = _unit_rows(xs)
    ys = np.asarray(coords[rows], dtype=np.float64)
    return float(trustworthiness(xs, ys, n_neighbors=k)), float(trustworthiness(ys, xs, n_neighbors=k))


def _check_pair(x: np.ndarray, coords: np.ndarray, metric: str) -> int:
    """The number of rows, once `coords` has as many as `x` and `metric` is known."""
    n = len(x)
    if len(coords) != n:
        raise ParameterError(f"coords has {len(coords):,} rows for {n:,} vectors", field="coords")
    if metric not in METRICS:
        raise ParameterError(f"`metric` must be one of {list(METRICS)}, got {metric!r}", field="metric")
    return n
