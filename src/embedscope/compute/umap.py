"""UMAP through umap-learn, with epoch progress, pause and cancel, a shared k-NN graph, and a compiler warm-up.

Reproducibility. With an integer `random_state` (the default, 0) umap-learn runs single-threaded (`n_jobs=1`;
a seed makes it use one thread anyway) and the same inputs and seed give identical coordinates, equal to calling
`umap.UMAP(...).fit_transform` with the same parameters. `random_state=None` uses every core and is not
reproducible (nor pre-compiled by `warm_up`).

Progress, pause and cancel. umap-learn's layout loop iterates `tqdm(range(n_epochs), **tqdm_kwds)` with the
`tqdm` name of `umap.layouts`. That name is replaced once by a dispatcher: a call whose `tqdm_kwds` carry our
hook gets a generator that reports each epoch and calls `cancel.check()` between epochs (blocking while paused,
raising Cancelled); every other call goes to tqdm unchanged. So the layout can be paused or cancelled at any
epoch. The stages before it (the fuzzy graph from the k-NN graph, the spectral initialisation: a few seconds at
70,000 points) run inside one umap-learn call: a pause or cancel requested then takes effect at the first epoch.
If a umap-learn version lacks that loop, progress falls back to the start and the end and cancel to before and
after the fit. (tqdm's own `file=` hook cannot be used: it writes under tqdm's process-wide lock, which an
exception leaves held and a pause would hold.)

Many points. From umap_sampled.SAMPLE_FROM points on (with a k-NN graph given), a sample is laid out, the rest
placed as umap-learn's `transform` places new points, and all refined together briefly (umap_sampled.py).

Precomputed k-NN. A KnnGraph (neighbours without the point itself) becomes umap-learn's `precomputed_knn` with
each point prepended as its own nearest neighbour at distance 0, as umap-learn's own search returns it; its
distances must be true distances in `metric` (not squared). Fewer than 4,096 points: umap-learn then still uses
the graph instead of all pairwise distances (it sets `force_approximation_algorithm`).

Numba's compile cache. umap-learn compiles with numba. Measured here (2 cores, benchmarks/bench_umap.py) with
numba's disk cache filled: importing umap-learn takes 1-2 s (about 20 s with an empty cache); a first fit given
a k-NN graph compiles for about 5 s more (70,000 x 50: 30 s against 24-26 s warm); umap-learn's own NN-descent
search (no graph, 4,096 points or more) compiles for about 20 s more. Importing this module sets NUMBA_CACHE_DIR
to `<embedscope cache dir>/numba` unless it is already set, before numba is imported (if numba was imported
already its configuration is reloaded; functions of libraries imported before keep their cache location).
umap-learn itself is imported on first use. A long-running process calls `umap_warmup.warm_up()` at start: it
compiles the path taken with a graph first (the one projections use), then the NN-descent path, in a background thread
(about 24 s in a fresh process; the first fit after it runs at warm speed).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import ParameterError
from . import umap_sampled
from .progress import CancelToken, Progress, ProgressCallback, check, report

log = logging.getLogger(__name__)


def default_numba_cache_dir() -> Path:
    """`$EMBEDSCOPE_CACHE_DIR`, else `$XDG_CACHE_HOME/embedscope`, else `~/.cache/embedscope`; then `numba/`."""
    base = os.environ.get("EMBEDSCOPE_CACHE_DIR")
    if base:
        return Path(base).expanduser() / "numba"
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return root / "embedscope" / "numba"


def _set_numba_cache_dir() -> None:
    os.environ.setdefault("NUMBA_CACHE_DIR", str(default_numba_cache_dir()))
    if "numba" in sys.modules:  # imported before us: make numba read the variable again
        from numba.core import config

        config.reload_config()


_set_numba_cache_dir()

STAGE = "umap"
_HOOK_KEY = "embedscope_epochs"
_hook_lock = threading.Lock()
_hook_installed: bool | None = None  # None: not tried yet


class KnnLike(Protocol):
    """What umap() needs of a KnnGraph: `indices` (N x k, self excluded) and `distances` (N x k, ascending)."""

    @property
    def indices(self) -> np.ndarray: ...

    @property
    def distances(self) -> np.ndarray: ...


def umap(
    x: np.ndarray,
    *,
    n_components: int = 2,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    metric: str = "euclidean",
    random_state: int | None = 0,
    knn: KnnLike | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    neighbors: str = "auto",
    parallel: bool = False,
) -> np.ndarray:
    """Embed the rows of `x` (N x D) in `n_components` dimensions; returns N x n_components float32.

    `knn` is a KnnGraph of `x` in `metric` with at least `n_neighbors - 1` neighbours per point; without it
    umap-learn finds the neighbours itself (all pairs below 4,096 points, NN-descent above). `neighbors` is what
    the caller asked of the graph (used by projection.py, which builds it; here only checked). `parallel` lays
    out on every core: umap-learn then runs without a seed (`random_state=None`), faster and not reproducible. So
    does a graph that is not exact (`knn.engine`, e.g. "hnsw": built by several threads, it can differ between
    runs, so a seed could not fix the map anyway); a sample's own layout (umap_sampled.py) stays seeded.
    """
    if neighbors not in ("auto", "exact", "approximate"):
        raise ParameterError(
            f"`neighbors` must be 'auto', 'exact' or 'approximate', got {neighbors!r}", field="neighbors"
        )
    seed = None if parallel else random_state  # the sample's layout (umap_sampled.py) stays seeded unless asked
    if parallel or getattr(knn, "engine", "exact") != "exact":
        random_state = None  # an approximate graph already differs from run to run: lay out on every core too
    common: dict[str, Any] = {
        "n_components": n_components,
        "n_neighbors": n_neighbors,
        "min_dist": min_dist,
        "metric": metric,
        "random_state": random_state,
        "progress": progress,
        "cancel": cancel,
    }
    if knn is not None and _check_data(x) >= umap_sampled.SAMPLE_FROM:
        _check_params(len(x), n_components, n_neighbors, min_dist, metric, random_state)
        return umap_sampled.sampled_umap(_fit, x, knn, sample_random_state=seed, **common)
    return _fit(x, knn=knn, **common)


def _fit(
    x: np.ndarray,
    *,
    n_components: int,
    n_neighbors: int,
    min_dist: float,
    metric: str,
    random_state: int | None,
    knn: KnnLike | None,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    n_epochs: int | None = None,
    init: str | np.ndarray = "spectral",
    learning_rate: float = 1.0,
    negative_sample_rate: int = 5,
) -> np.ndarray:
    n = _check_data(x)
    n_neighbors = _check_params(n, n_components, n_neighbors, min_dist, metric, random_state)
    check(cancel)
    report(progress, Progress(stage=STAGE, fraction=0.0, message="building the fuzzy graph and the initial layout"))
    started = time.perf_counter()
    reducer = make_reducer(
        n_components=n_components,
        n_neighbors=n_neighbors,
        min_dist=min_dist,
        metric=metric,
        random_state=random_state,
        knn=None if knn is None else precomputed_knn(knn, n=n, n_neighbors=n_neighbors, metric=metric),
        n_epochs=n_epochs,
        init=init,
        learning_rate=learning_rate,
        negative_sample_rate=negative_sample_rate,
    )
    hooked = _install_hook()
    if hooked:
        reducer.tqdm_kwds = {_HOOK_KEY: _EpochHook(progress, cancel)}
    # A graph passed without umap-learn's NN-descent index makes UMAP.transform unavailable, which we don't use.
    # A process-wide filter for that one message (catch_warnings() is not thread-safe); re-adding it is a no-op.
    warnings.filterwarnings(
        "ignore", message=r"precomputed_knn\[2\] \(knn_search_index\)", category=UserWarning, module="umap"
    )
    import numba

    threads = numba.get_num_threads()
    try:
        coords = reducer.fit_transform(x)
    finally:  # umap-learn sets numba's thread count for the fit and restores it only when the fit returns
        numba.set_num_threads(threads)
    check(cancel)
    coords = np.ascontiguousarray(coords, dtype=np.float32)
    lost = int(np.isnan(coords[:, 0]).sum())
    if lost:
        log.warning("UMAP left %d point(s) unconnected to the neighbour graph: their coordinates are NaN", lost)
    log.debug("UMAP on %d points took %.1f s", n, time.perf_counter() - started)
    if not hooked:
        report(progress, Progress(stage=STAGE, fraction=1.0, message="done"))
    return coords


def make_reducer(
    *,
    n_components: int = 2,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    metric: str = "euclidean",
    random_state: int | None = 0,
    knn: tuple[np.ndarray, np.ndarray] | None = None,
    n_epochs: int | None = None,
    init: str | np.ndarray = "spectral",
    learning_rate: float = 1.0,
    negative_sample_rate: int = 5,
) -> Any:
    """The `umap.UMAP` estimator umap() fits: the same object a user of umap-learn would build."""
    import umap as umap_learn

    return umap_learn.UMAP(
        n_components=n_components,
        n_neighbors=n_neighbors,
        min_dist=min_dist,
        metric=metric,
        random_state=random_state,
        n_jobs=1 if random_state is not None else -1,
        n_epochs=n_epochs,
        init=init,
        learning_rate=learning_rate,
        negative_sample_rate=negative_sample_rate,
        precomputed_knn=(None, None, None) if knn is None else (knn[0], knn[1], None),
    )


def precomputed_knn(
    knn: KnnLike, *, n: int, n_neighbors: int, metric: str = "euclidean"
) -> tuple[np.ndarray, np.ndarray]:
    """umap-learn's (indices, distances): every point first, as its own neighbour at 0, then `n_neighbors - 1`."""
    graph_metric = getattr(knn, "metric", metric)
    if graph_metric != metric:
        raise ParameterError(
            f"the k-NN graph was computed with metric {graph_metric!r}, UMAP was asked for {metric!r}",
            field="knn",
            fix=f"compute the graph with metric={metric!r}",
        )
    indices = np.asarray(knn.indices)
    distances = np.asarray(knn.distances)
    if indices.ndim != 2 or indices.shape != distances.shape or indices.shape[0] != n:
        raise ParameterError(
            f"the k-NN graph has indices {indices.shape} and distances {distances.shape} for {n:,} points",
            field="knn",
            fix=f"pass a graph of the same data: two {n:,} x k arrays",
        )
    need = n_neighbors - 1
    if indices.shape[1] < need:
        raise ParameterError(
            f"the k-NN graph has {indices.shape[1]} neighbours per point, UMAP with n_neighbors={n_neighbors} "
            f"needs {need} (the point itself is added)",
            field="knn",
            fix=f"compute the graph with k >= {need}",
        )
    out_i = np.empty((n, n_neighbors), dtype=np.int64)
    out_d = np.empty((n, n_neighbors), dtype=np.float32)
    out_i[:, 0] = np.arange(n)
    out_d[:, 0] = 0.0
    out_i[:, 1:] = indices[:, :need]
    out_d[:, 1:] = distances[:, :need]
    return out_i, out_d


def _check_data(x: np.ndarray) -> int:
    shape: tuple[int, ...] = tuple(getattr(x, "shape", ()))
    if len(shape) != 2 or shape[0] < 3 or shape[1] < 1:
        raise ParameterError(
            f"UMAP needs an N x D array with at least 3 rows, got shape {tuple(shape)}",
            field="x",
            fix="project at least 3 points",
        )
    return int(shape[0])


def _check_params(
    n: int, n_components: int, n_neighbors: int, min_dist: float, metric: str, random_state: int | None
) -> int:
    if isinstance(n_components, bool) or not isinstance(n_components, int) or n_components < 1:
        raise ParameterError(f"`n_components` must be a positive integer, got {n_components!r}", field="n_components")
    if n_components >= n - 1:
        raise ParameterError(
            f"`n_components` must be less than the number of points minus 1 ({n - 1}), got {n_components}",
            field="n_components",
        )
    if isinstance(n_neighbors, bool) or not isinstance(n_neighbors, int) or n_neighbors < 2:
        raise ParameterError(f"`n_neighbors` must be an integer >= 2, got {n_neighbors!r}", field="n_neighbors")
    if isinstance(min_dist, bool) or not isinstance(min_dist, int | float) or not 0.0 <= min_dist <= 1.0:
        raise ParameterError(f"`min_dist` must be a number from 0 to 1, got {min_dist!r}", field="min_dist")
    if random_state is not None and (isinstance(random_state, bool) or not isinstance(random_state, int)):
        raise ParameterError(f"`random_state` must be an integer or None, got {random_state!r}", field="random_state")
    from umap.distances import named_distances

    if metric not in named_distances:
        raise ParameterError(
            f"`metric` must be one of umap-learn's named metrics, got {metric!r}",
            field="metric",
            fix="use 'euclidean' or 'cosine'",
        )
    if n_neighbors > n - 1:
        log.warning("n_neighbors=%d is too large for %d points: using %d", n_neighbors, n, n - 1)
        return n - 1
    return n_neighbors


class _EpochHook:
    """Stands in for tqdm around umap-learn's epoch loop: reports each epoch, pauses and cancels between them."""

    def __init__(self, progress: ProgressCallback | None, cancel: CancelToken | None) -> None:
        self.progress = progress
        self.cancel = cancel

    def __call__(self, epochs: Iterable[int]) -> Iterator[int]:
        items = list(epochs)
        total = len(items)
        every = max(1, total // 100)  # about 100 reports, the last at 1.0; cancel is checked every epoch
        check(self.cancel)
        for done, epoch in enumerate(items, start=1):
            yield epoch
            check(self.cancel)
            if done % every == 0 or done == total:
                self._report(done, total)

    def _report(self, done: int, total: int) -> None:
        message = "optimising the layout"
        item = Progress(
            stage=STAGE, fraction=done / total if total else 1.0, iteration=done, total=total, message=message
        )
        report(self.progress, item)


def _install_hook() -> bool:
    """Put the dispatcher in place of `umap.layouts.tqdm` once; False if this umap-learn has no such name."""
    global _hook_installed
    with _hook_lock:
        if _hook_installed is None:
            import umap.layouts as layouts

            original = getattr(layouts, "tqdm", None)
            if original is None:
                log.warning("umap-learn %s has no epoch loop to hook: progress only at start and end", _version())
                _hook_installed = False
            elif getattr(original, "_embedscope_dispatch", False):
                _hook_installed = True
            else:
                layouts.tqdm = _dispatcher(original)
                _hook_installed = True
        return _hook_installed


def _dispatcher(original: Any) -> Any:
    def tqdm_or_epoch_hook(*args: Any, **kwargs: Any) -> Any:
        hook = kwargs.pop(_HOOK_KEY, None)
        if hook is None:
            return original(*args, **kwargs)
        return hook(args[0] if args else kwargs["iterable"])

    tqdm_or_epoch_hook._embedscope_dispatch = True  # type: ignore[attr-defined]
    tqdm_or_epoch_hook.__wrapped__ = original  # type: ignore[attr-defined]
    return tqdm_or_epoch_hook


def _version() -> str:
    import umap as umap_learn

    return str(getattr(umap_learn, "__version__", "?"))
