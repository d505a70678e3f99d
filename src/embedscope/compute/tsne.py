"""t-SNE through openTSNE's building blocks, with frames for the page, pause and cancel.

The steps are openTSNE's own (openTSNE.TSNE.fit does the same with the same defaults):
1. the initial layout: the top principal components scaled to standard deviation 1e-4, plus a little jitter
   (openTSNE.initialization.pca). It is reported at once as frame 0, before any neighbour search;
2. the affinities: Gaussian kernels calibrated to the perplexity over each point's 3 x perplexity nearest
   neighbours, symmetrised (openTSNE.affinity.PerplexityBasedNN over the shared k-NN graph of knn_graph.py:
   exact below its crossover, approximate above, as `neighbors` asks; or over the graph given);
3. early exaggeration: min(250, n_iter) iterations with the attraction multiplied by `early_exaggeration`;
4. the rest of the n_iter iterations without exaggeration. Momentum is 0.8 in both phases, and
   learning_rate="auto" is openTSNE's (1.0.4): N / exaggeration in each phase (N / 12, then N); scikit-learn's
   max(N / early_exaggeration / 4, 50) is not used.

Frames (coordinates every `every` iterations) come from openTSNE's optimisation callbacks; the callback also
blocks while the CancelToken is paused and stops the optimisation once it is cancelled (raising Cancelled).
The negative gradient is FFT-interpolated in 2-D from FFT_MIN_POINTS points on and Barnes-Hut below that and
in 3-D (openTSNE's FFT is 1-D/2-D only), with Barnes-Hut's theta widened from BH_WIDE_FROM points on (measured
below). The same seed gives identical output on an exact graph.

From tsne_sampled.SAMPLE_FROM points on, steps 3 and 4 run on a sample, the rest is placed, and all points are
optimised together briefly (tsne_sampled.py); `Run` holds what both paths share.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ParameterError
from . import tsne_sampled
from .knn_graph import KnnGraph, knn_graph
from .progress import Cancelled, CancelToken, Progress, ProgressCallback, check, report

log = logging.getLogger(__name__)

EARLY_EXAGGERATION_ITER = 250
MOMENTUM = 0.8
# 2-D: FFT from this many points on, Barnes-Hut below. Measured here (benchmarks/bench_tsne.py --crossover,
# 750 iterations): 2,000 points BH 4.9 s / FFT 6.7 s; 3,000: 8.2 s / 8.1 s; 5,000: 14.9 s / 8.1 s.
FFT_MIN_POINTS = 3_000
GRADIENT_METHODS = ("auto", "fft", "bh")
# Barnes-Hut's accuracy (theta: openTSNE's default 0.5 below this many points, 1.0 from it on). Measured here
# (3-D t-SNE of the 30,522 MiniLM token vectors, 750 iterations, 2 cores; the share of 10 nearest neighbours kept):
# theta 0.5 296 s / 0.1734, 0.8 130 s / 0.1724, 1.0 101 s / 0.1731. benchmarks/bench_scale.py --data minilm
# --components 3 runs it against openTSNE's default.
BH_WIDE_FROM = 20_000
BH_WIDE_THETA = 1.0
# below this many points one thread is as fast as two here, and safe from OpenMP spin-waiting on busy cores
SERIAL_BELOW = 5_000
AFFINITY_MEMO_SIZE = 2  # affinities kept in memory (a sparse N x N matrix of about 2 x N x 3 x perplexity entries)
_affinity_memo: OrderedDict[tuple[str, str, int, float], Any] = OrderedDict()
_affinity_lock = threading.Lock()


def tsne(
    x: np.ndarray,
    *,
    n_components: int = 2,
    perplexity: float = 30.0,
    learning_rate: float | str = "auto",
    early_exaggeration: float = 12.0,
    n_iter: int = 750,
    metric: str = "euclidean",
    random_state: int = 0,
    knn: KnnGraph | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    every: int = 10,
    n_jobs: int | None = None,
    negative_gradient_method: str = "auto",
    neighbors: str = "auto",
    labels: Sequence[str] | None = None,
    supervise_ignore: str = "",
    supervise_strength: float = 0.5,
    init: np.ndarray | None = None,
) -> np.ndarray:
    """t-SNE coordinates (N x n_components, float32) of the rows of `x`.

    `n_iter` counts every iteration, early exaggeration included. `knn` is a precomputed graph of the same rows
    (with at least 3 x perplexity neighbours, else the perplexity is lowered); without it the shared exact graph
    is computed (memoised per data). `progress` receives the initial layout as frame 0, then the coordinates every
    `every` iterations and at the end; `cancel` pauses, resumes or stops the run. `labels` (one per row) supervise
    the run: points of one label are pulled together with `supervise_strength` (supervise.py); rows labelled
    `supervise_ignore` or empty are not. `init` continues from a given layout (a finished one, perturbed: see
    ``perturbed``): SETTLE_ITER iterations without early exaggeration, on every row (no sampling).
    """
    _quiet_openmp()
    from openTSNE import TSNEEmbedding
    from openTSNE.initialization import pca

    x = _check_data(x)
    n = len(x)
    _check_params(n_components, perplexity, learning_rate, early_exaggeration, n_iter, every, negative_gradient_method)
    if knn is not None:
        _check_graph(knn, n, metric)
    perplexity = effective_perplexity(perplexity, n, None if knn is None else knn.k)
    k = min(n - 1, int(3 * perplexity))
    jobs = n_jobs if n_jobs is not None else default_jobs(n)

    start = init
    if start is not None and start.shape != (n, n_components):
        raise ParameterError(f"a layout of shape {start.shape} to continue for {n:,} x {n_components}", field="init")
    init = pca(x, n_components, random_state=random_state) if start is None else np.array(start, dtype=np.float64)
    sampled = n >= tsne_sampled.SAMPLE_FROM and start is None
    total = SETTLE_ITER if start is not None else n_iter + tsne_sampled.extra_iterations(n)
    first = "initial layout (principal components)" if start is None else "the layout perturbed"
    report(progress, _frame(0, total, init, first))
    check(cancel)
    graph = (
        knn if knn is not None else knn_graph(x, k=k, metric=metric, progress=progress, cancel=cancel, engine=neighbors)
    )
    graph = graph.head(min(k, graph.k))
    report(progress, Progress(stage="affinities", message=f"perplexity {perplexity:g} over {graph.k} neighbours"))
    run = Run(
        progress=progress,
        cancel=cancel,
        random_state=random_state,
        metric=metric,
        perplexity=perplexity,
        jobs=jobs,
        n_components=n_components,
        gradient=negative_gradient_method,
        learning_rate=learning_rate,
        early_exaggeration=early_exaggeration,
        n_iter=n_iter,
        total=total,
        every=every,
        labels=None if labels is None else list(labels),
        supervise_ignore=supervise_ignore,
        supervise_strength=supervise_strength,
    )
    if sampled:
        return tsne_sampled.sampled_tsne(run, x, init, graph)
    embedding = TSNEEmbedding(init, run.affinities(x, graph), random_state=random_state, **run.optimizer(n))
    if start is None:
        run.phases(embedding, lambda y: y)
    else:
        run.step(embedding, SETTLE_ITER, lambda y: y, "settling after a perturbation")
    return np.array(embedding, dtype=np.float32)


@dataclass
class Run:
    """One t-SNE run's settings, progress and cancel, and the steps both the plain and the sampled path take."""

    progress: ProgressCallback | None
    cancel: CancelToken | None
    random_state: int
    metric: str
    perplexity: float
    jobs: int
    n_components: int
    gradient: str
    learning_rate: float | str
    early_exaggeration: float
    n_iter: int
    total: int
    every: int
    done: int = 0  # iterations run so far, in all steps
    labels: list[str] | None = None  # supervision: one label per row of the data (supervise.py)
    supervise_ignore: str = ""
    supervise_strength: float = 0.5

    def affinities(self, x: np.ndarray, graph: KnnGraph, rows: np.ndarray | None = None) -> Any:
        """openTSNE's affinities of `x` (the data's `rows`, None: all), supervised when the run has labels."""
        affinities = _affinities(x, graph, self.perplexity, self.metric, self.jobs)
        if self.labels is not None:
            from .supervise import supervised

            labels = self.labels if rows is None else [self.labels[int(i)] for i in rows]
            affinities.P = supervised(
                affinities.P,
                labels,
                ignore=self.supervise_ignore,
                strength=self.supervise_strength,
                seed=self.random_state,
            )
        check(self.cancel)
        return affinities

    def optimizer(self, n: int) -> dict[str, Any]:
        method = gradient_method(n, self.n_components, self.gradient)
        return _optimizer_params(method, self.jobs, theta=BH_WIDE_THETA if n >= BH_WIDE_FROM else 0.5)

    def phases(self, embedding: Any, show: Callable[[np.ndarray], np.ndarray]) -> None:
        """Early exaggeration, then the rest of n_iter, with momentum 0.8 and the chosen learning rate."""
        early = min(EARLY_EXAGGERATION_ITER, self.n_iter)
        self.step(embedding, early, show, "early exaggeration", exaggeration=self.early_exaggeration)
        self.step(embedding, self.n_iter - early, show, "optimising")

    def step(
        self,
        embedding: Any,
        steps: int,
        show: Callable[[np.ndarray], np.ndarray],
        what: str,
        *,
        exaggeration: float | None = None,
        learning_rate: float | str | None = None,
        **params: Any,
    ) -> None:
        """`steps` iterations of `embedding` (openTSNE's optimize, in place); frames are show(positions)."""
        if steps == 0:
            return
        check(self.cancel)
        rate = self.learning_rate if learning_rate is None else learning_rate
        frames = _Frames(self.progress, self.cancel, self.done, self.done + steps, self.total, what, show)
        _optimize(embedding, steps, exaggeration, rate, frames, self.every, **params)
        self.done += steps
        report(self.progress, _frame(self.done, self.total, show(np.asarray(embedding)), what))


def _affinities(x: np.ndarray, graph: KnnGraph, perplexity: float, metric: str, jobs: int) -> Any:
    """openTSNE's perplexity-calibrated affinities over `graph`, memoised per data, metric, graph size and
    perplexity: a 3-D t-SNE after a 2-D one (or a second seed) starts from the same affinities."""
    from openTSNE.affinity import PerplexityBasedNN
    from openTSNE.nearest_neighbors import PrecomputedNeighbors

    from .cache import data_hash

    key = (data_hash(x), metric, graph.k, float(perplexity))
    with _affinity_lock:
        hit = _affinity_memo.get(key)
        if hit is not None:
            _affinity_memo.move_to_end(key)
    if hit is None:
        neighbours = PrecomputedNeighbors(np.ascontiguousarray(graph.indices), np.ascontiguousarray(graph.distances))
        hit = PerplexityBasedNN(knn_index=neighbours, perplexity=perplexity, n_jobs=jobs)
        with _affinity_lock:
            _affinity_memo[key] = hit
            while len(_affinity_memo) > AFFINITY_MEMO_SIZE:
                _affinity_memo.popitem(last=False)
    own = copy.copy(hit)  # openTSNE scales P in place during early exaggeration: each run gets its own P
    own.P = hit.P.copy()
    return own


def effective_perplexity(perplexity: float, n: int, graph_k: int | None = None) -> float:
    """The perplexity actually used: lowered (with a warning) to a third of the neighbours available."""
    available = n - 1 if graph_k is None else min(n - 1, graph_k)
    if int(3 * perplexity) <= available:  # openTSNE uses int(3 x perplexity) neighbours
        return float(perplexity)
    lowered = available / 3
    source = f"{n:,} points" if graph_k is None or graph_k >= n - 1 else f"a k-NN graph of {graph_k} neighbours"
    log.warning(
        "`perplexity` %g is too large for %s (t-SNE uses 3 x perplexity neighbours, %d are available): using %.4g",
        perplexity,
        source,
        available,
        lowered,
    )
    return lowered


def gradient_method(n: int, n_components: int, requested: str = "auto") -> str:
    """'fft' or 'bh': FFT for 2-D from FFT_MIN_POINTS points on, Barnes-Hut otherwise (and always in 3-D)."""
    if requested != "auto":
        return requested
    return "fft" if n_components <= 2 and n >= FFT_MIN_POINTS else "bh"


class _Frames:
    """openTSNE callback: report the coordinates, wait while paused, stop (return True) once cancelled.

    openTSNE calls it before the update of the iteration it names; the phase's last frame is reported after the
    phase instead, so that it shows the phase's result.
    """

    def __init__(
        self,
        progress: ProgressCallback | None,
        cancel: CancelToken | None,
        offset: int,
        end: int,
        total: int,
        what: str,
        show: Callable[[np.ndarray], np.ndarray],
    ) -> None:
        self.progress, self.cancel, self.what, self.show = progress, cancel, what, show
        self.offset, self.end, self.total = offset, end, total
        self.last = offset
        self.stopped = False

    @property
    def needed(self) -> bool:
        return self.progress is not None or self.cancel is not None

    def __call__(self, iteration: int, error: float, embedding: np.ndarray) -> bool:
        self.last = self.offset + iteration
        if self.cancel is not None and self.cancel.take_perturb():
            _perturb(embedding, self.cancel.perturbed)
        if self.last < self.end:
            shown = self.show(np.asarray(embedding))
            report(self.progress, _frame(self.last, self.total, shown, f"{self.what}, KL divergence {error:.4f}"))
        try:
            check(self.cancel)  # blocks while paused
        except Cancelled:
            self.stopped = True
            return True
        return False


PERTURB = 0.05  # a perturbation's noise: this share of the layout's spread on each axis
SETTLE_ITER = 250  # iterations a finished layout runs again once perturbed


def perturbed(layout: np.ndarray, count: int) -> np.ndarray:
    """A copy of a finished t-SNE layout nudged by perturbation number `count` (what `init` continues from)."""
    out = np.array(layout, dtype=np.float64)
    _perturb(out, count)
    return out


def _perturb(embedding: np.ndarray, count: int) -> None:
    """Nudge the layout in place with Gaussian noise (seeded by the perturbation's number), as TensorBoard's
    Perturb does: the optimisation goes on from there and may leave a poor local layout."""
    y = np.asarray(embedding)
    noise = np.random.default_rng(count).normal(size=y.shape) * (PERTURB * y.std(axis=0, keepdims=True))
    y += noise.astype(y.dtype)


def _optimize(
    embedding: Any,
    steps: int,
    exaggeration: float | None,
    learning_rate: float | str,
    frames: _Frames,
    every: int,
    **params: Any,
) -> None:
    from openTSNE.tsne import OptimizationInterrupt

    callbacks: dict[str, Any] = {"callbacks": [frames], "callbacks_every_iters": every} if frames.needed else {}
    try:
        embedding.optimize(
            n_iter=steps,
            exaggeration=exaggeration,
            momentum=MOMENTUM,
            learning_rate=learning_rate,
            inplace=True,
            propagate_exception=True,
            **callbacks,
            **params,
        )
    except OptimizationInterrupt:
        if frames.stopped:
            raise Cancelled(f"t-SNE was cancelled at iteration {frames.last:,} of {frames.total:,}") from None
        raise


def _optimizer_params(method: str, n_jobs: int, theta: float = 0.5) -> dict[str, Any]:
    """openTSNE.TSNE's defaults for the gradient descent (dof, FFT grid, step clipping); `theta` is Barnes-Hut's."""
    return {
        "negative_gradient_method": method,
        "dof": 1,
        "theta": theta,
        "n_interpolation_points": 3,
        "min_num_intervals": 50,
        "ints_in_interval": 1,
        "max_grad_norm": None,
        "max_step_norm": 5,
        "n_jobs": n_jobs,
        "verbose": False,
    }


def _frame(iteration: int, total: int, coords: np.ndarray, message: str) -> Progress:
    return Progress(
        stage="tsne",
        fraction=iteration / total if total else 1.0,
        iteration=iteration,
        total=total,
        coords=np.array(coords, dtype=np.float32),
        message=message,
    )


def _check_data(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[0] < 4 or x.shape[1] < 1:
        raise ParameterError(f"t-SNE needs an N x D matrix with N >= 4, got shape {x.shape}", field="x")
    return np.ascontiguousarray(x, dtype=np.float32)


def _check_params(
    n_components: int,
    perplexity: float,
    learning_rate: float | str,
    early_exaggeration: float,
    n_iter: int,
    every: int,
    method: str,
) -> None:
    if n_components not in (2, 3):
        raise ParameterError(f"`n_components` must be 2 or 3, got {n_components!r}", field="n_components")
    if not _positive(perplexity):
        raise ParameterError(f"`perplexity` must be a positive number, got {perplexity!r}", field="perplexity")
    if learning_rate != "auto" and not _positive(learning_rate):
        raise ParameterError(
            f"`learning_rate` must be 'auto' or a positive number, got {learning_rate!r}", field="learning_rate"
        )
    if not _positive(early_exaggeration):
        raise ParameterError(
            f"`early_exaggeration` must be a positive number, got {early_exaggeration!r}", field="early_exaggeration"
        )
    for name, value in (("n_iter", n_iter), ("every", every)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ParameterError(f"`{name}` must be a positive integer, got {value!r}", field=name)
    if method not in GRADIENT_METHODS:
        raise ParameterError(
            f"`negative_gradient_method` must be one of {list(GRADIENT_METHODS)}, got {method!r}",
            field="negative_gradient_method",
        )
    if method == "fft" and n_components == 3:
        raise ParameterError("FFT-accelerated t-SNE is 2-D only", field="negative_gradient_method", fix="use 'bh'")


def _check_graph(knn: KnnGraph, n: int, metric: str) -> None:
    if knn.indices.shape[0] != n:
        raise ParameterError(f"the k-NN graph has {knn.indices.shape[0]:,} rows for {n:,} points", field="knn")
    if knn.metric != metric:
        raise ParameterError(
            f"the k-NN graph was built with metric {knn.metric!r}, t-SNE asked for {metric!r}", field="knn"
        )


def _positive(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float | np.number) and float(value) > 0


def _quiet_openmp() -> None:
    """Let openTSNE's OpenMP threads sleep, not spin, while they wait (unless OMP_WAIT_POLICY is set already).

    Spinning is libgomp's default; on cores busy with other work (the server's other jobs, other processes) it
    made a 2-thread Barnes-Hut run of 1,000 points take 11 s instead of 1 s here. It only takes effect if it is
    set before libgomp is loaded, which openTSNE shares with scikit-learn: before the first import of either.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def default_jobs(n: int) -> int:
    """Threads for openTSNE: one below SERIAL_BELOW points (more threads gain nothing there), else every core."""
    return 1 if n < SERIAL_BELOW else _cpu_count()


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
