"""UMAP of many points: lay out a sample, place the rest as umap-learn's `transform` does, then refine all.

From SAMPLE_FROM points on, umap.umap() runs these steps instead of umap-learn's 200 epochs over every point
(the same plan as tsne_sampled.py; timed in benchmarks/bench_scale.py):
1. a seeded sample of SAMPLE_SIZE rows gets an ordinary UMAP (the same parameters, umap-learn's spectral start)
   on the sample's own exact k-NN graph;
2. every other row starts at the weighted mean of its `n_neighbors` nearest sample points (found in an HNSW index
   of the sample), weighted by umap-learn's own membership strengths (`smooth_knn_dist`, local connectivity 0):
   the start umap-learn's `UMAP.transform` gives new points (`init_graph_transform`);
3. all points are laid out together from there for JOINT_EPOCHS epochs on the fuzzy graph of all points (the
   shared k-NN graph, approximate above the crossover), at transform's learning rate (a quarter of fit's), so
   neighbours outside the sample pull together without undoing the sample's global layout.
Progress: the sample's epochs fill the first SAMPLE_SHARE of the bar, the joint epochs the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from .knn_approx import hnsw_search_other
from .knn_graph import knn_graph
from .progress import CancelToken, Progress, ProgressCallback, check, report

SAMPLE_FROM = 100_000
SAMPLE_SIZE = 20_000  # below the approximate graph's crossover: the sample's own graph is exact
JOINT_EPOCHS = 50
JOINT_LEARNING_RATE = 0.1  # a tenth of fit's initial rate (transform uses a quarter): measured best here
JOINT_NEGATIVE_SAMPLE_RATE = 2  # 5 in fit: the sample already spread the clusters; refining needs less push
SAMPLE_SHARE = 0.4  # of the progress bar


def sampled_umap(
    fit: Callable[..., np.ndarray],
    x: np.ndarray,
    knn: Any,
    *,
    n_neighbors: int,
    metric: str,
    random_state: int | None,
    sample_random_state: int | None,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    **params: Any,
) -> np.ndarray:
    """The three steps; `fit` is umap._fit (one umap-learn run), `knn` the k-NN graph of all rows of `x`.

    `sample_random_state` seeds the sample's choice and layout, `random_state` the joint layout (None: every core).
    """
    n = len(x)
    rng = np.random.default_rng(0 if sample_random_state is None else sample_random_state)
    sample = np.sort(rng.choice(n, SAMPLE_SIZE, replace=False))
    rest = np.setdiff1d(np.arange(n), sample, assume_unique=True)
    xs, xr = x[sample], x[rest]
    common = {"n_neighbors": n_neighbors, "metric": metric, "cancel": cancel, **params}

    report(progress, Progress(stage="knn", message=f"the {len(sample):,}-point sample's own neighbours"))
    sample_graph = knn_graph(xs, k=n_neighbors - 1, metric=metric, engine="exact", cancel=cancel)
    sample_progress = _scaled(progress, 0.0, SAMPLE_SHARE, "the sample")
    ys = fit(xs, knn=sample_graph, random_state=sample_random_state, progress=sample_progress, **common)
    check(cancel)

    report(progress, Progress(stage="knn", message=f"placing {len(rest):,} points near the sample"))
    near_i, near_d = hnsw_search_other(xs, xr, n_neighbors, metric, progress, cancel)
    start = np.empty((n, ys.shape[1]), dtype=np.float32)
    start[sample] = ys
    start[rest] = place(ys, near_i, near_d, n_neighbors)
    check(cancel)

    return fit(
        x,
        knn=knn,
        init=start,
        n_epochs=JOINT_EPOCHS,
        learning_rate=JOINT_LEARNING_RATE,
        negative_sample_rate=JOINT_NEGATIVE_SAMPLE_RATE,
        random_state=random_state,
        progress=_scaled(progress, SAMPLE_SHARE, 1.0, "all points together"),
        **common,
    )


def place(ys: np.ndarray, indices: np.ndarray, distances: np.ndarray, n_neighbors: int) -> np.ndarray:
    """Each row's weighted mean of the sample coordinates `ys[indices]`, with umap-learn's membership strengths.

    The arithmetic of umap-learn's `init_graph_transform` over the graph `UMAP.transform` builds (its local
    connectivity is the fit's minus one, 0 by default), vectorised: a row at distance 0 from a sample point sits on it.
    """
    from umap.umap_ import smooth_knn_dist

    d = np.ascontiguousarray(distances, dtype=np.float32)
    sigmas, rhos = smooth_knn_dist(d, float(n_neighbors), local_connectivity=0.0)
    gap = np.maximum(d - rhos[:, None], 0.0)
    weights = np.exp(-gap / np.maximum(sigmas, 1e-12)[:, None]).astype(np.float32)
    weights[sigmas == 0] = 1.0
    exact = d[:, 0] <= 0.0
    out = np.einsum("nk,nkc->nc", weights, ys[indices]) / weights.sum(axis=1, keepdims=True)
    out[exact] = ys[indices[exact, 0]]
    return out.astype(np.float32)


def _scaled(progress: ProgressCallback | None, lo: float, hi: float, what: str) -> ProgressCallback | None:
    """`progress` with fractions mapped into [lo, hi] and `what` added to the message."""
    if progress is None:
        return None

    def scaled(item: Progress) -> None:
        fraction = None if item.fraction is None else lo + (hi - lo) * item.fraction
        message = f"{item.message} ({what})" if item.message else what
        progress(replace(item, fraction=fraction, message=message))

    return scaled
