"""t-SNE of many points: fit a sample, place the rest with openTSNE's own `prepare_partial`, then refine all.

From SAMPLE_FROM points on (2-D and 3-D), tsne.tsne() runs these steps instead of optimising every point for
n_iter iterations (openTSNE's advice for data sets of a million points and more, timed in benchmarks/bench_scale.py):
1. a seeded sample of SAMPLE_SIZE rows gets an ordinary t-SNE (the same perplexity, early exaggeration and
   n_iter), started from the rows' share of the PCA layout of all points;
2. every other row is placed by openTSNE's `TSNEEmbedding.prepare_partial` (the median of its 25 nearest sample
   points, found in an HNSW index of the sample, with perplexity-5 affinities to them) and moved for
   PARTIAL_ITER iterations against the fixed sample, with openTSNE's `transform` settings;
3. all points are optimised together for JOINT_ITER iterations on the affinities of all points (the shared k-NN
   graph, approximate above the crossover), so neighbours outside the sample pull together.
While the sample is optimised the page sees every point, the unsampled ones drawn at their nearest sample point.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .knn_approx import hnsw_search_other
from .knn_graph import KnnGraph, knn_graph
from .progress import Progress, check, report

SAMPLE_FROM = 100_000
SAMPLE_SIZE = 20_000  # below the approximate graph's crossover: the sample's own graph is exact
PLACE_K = 25  # openTSNE's transform(): the median of the 25 nearest sample points, perplexity 5 over 15
PLACE_PERPLEXITY = 5.0
# Measured at 1,000,000 x 50 (benchmarks/bench_scale.py's data): 100 placing + 50 joint iterations kept 0.192 of
# the 10 nearest neighbours (openTSNE's default: 0.231) in 296 s; 25 + 100 kept 0.211 in 334 s. Joint iterations
# move every point against every other, placing ones only the rest against the fixed sample.
PARTIAL_ITER = 25
JOINT_ITER = 100


def extra_iterations(n: int) -> int:
    """Iterations added after the sample's n_iter (placing the rest, then all together); 0 below SAMPLE_FROM."""
    return PARTIAL_ITER + JOINT_ITER if n >= SAMPLE_FROM else 0


def sampled_tsne(run: Any, x: np.ndarray, init: np.ndarray, full_graph: KnnGraph) -> np.ndarray:
    """The three steps over `run` (tsne.Run: parameters, progress, cancel) for the rows of `x`."""
    from openTSNE import TSNEEmbedding

    n = len(x)
    rng = np.random.default_rng(run.random_state)
    sample = np.sort(rng.choice(n, SAMPLE_SIZE, replace=False))
    rest = np.setdiff1d(np.arange(n), sample, assume_unique=True)
    xs, xr = x[sample], x[rest]
    report(
        run.progress, Progress(stage="knn", message=f"placing {len(rest):,} points near a {len(sample):,}-point sample")
    )
    near_i, near_d = hnsw_search_other(xs, xr, PLACE_K, run.metric, run.progress, run.cancel)
    check(run.cancel)

    sample_graph = knn_graph(xs, k=full_graph.k, metric=run.metric, engine="exact", cancel=run.cancel)
    affinities = run.affinities(xs, sample_graph, rows=sample)
    affinities.knn_index = _Queried(affinities.knn_index, xr, near_i, near_d)
    coords = np.empty((n, init.shape[1]), dtype=np.float32)

    def show(ys: np.ndarray) -> np.ndarray:
        coords[sample] = ys
        coords[rest] = ys[near_i[:, 0]]
        return coords

    embedding = TSNEEmbedding(init[sample], affinities, random_state=run.random_state, **run.optimizer(len(xs)))
    run.phases(embedding, show)
    check(run.cancel)

    partial = embedding.prepare_partial(xr, initialization="median", k=PLACE_K, perplexity=PLACE_PERPLEXITY)
    partial_frames = lambda yr: _merged(coords, sample, rest, np.asarray(embedding), yr)  # noqa: E731
    run.step(
        partial,
        PARTIAL_ITER,
        partial_frames,
        "placing the rest",
        learning_rate=0.1,
        exaggeration=1.5,
        max_grad_norm=0.25,
    )
    check(run.cancel)

    start = _merged(coords, sample, rest, np.asarray(embedding), np.asarray(partial)).copy()
    report(run.progress, Progress(stage="affinities", message=f"affinities of all {n:,} points"))
    everything = TSNEEmbedding(start, run.affinities(x, full_graph), random_state=run.random_state, **run.optimizer(n))
    run.step(everything, JOINT_ITER, lambda y: y, "optimising all points together", learning_rate="auto")
    return np.array(everything, dtype=np.float32)


def _merged(out: np.ndarray, sample: np.ndarray, rest: np.ndarray, ys: np.ndarray, yr: np.ndarray) -> np.ndarray:
    out[sample] = ys
    out[rest] = yr
    return out


class _Queried:
    """The sample's k-NN index for openTSNE's affinities: its own graph, and the rest's precomputed neighbours."""

    def __init__(self, own: Any, rest: np.ndarray, indices: np.ndarray, distances: np.ndarray) -> None:
        self.own, self.rest, self.indices, self.distances = own, rest, indices, distances
        self.n_samples, self.k = own.n_samples, own.k

    def build(self) -> tuple[np.ndarray, np.ndarray]:
        return self.own.build()

    def query(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if query is not self.rest or k > self.indices.shape[1]:
            raise ValueError("only the rows placed by this run can be queried")
        return self.indices[:, :k], self.distances[:, :k]
