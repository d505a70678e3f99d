"""One door to every projection: validate parameters, prepare the data, run the method, score it, cache it.

A projection is identified by (data hash, subset, method, parameters, seed, spherize); the same request is served
from the cache.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..embedding import Embedding
from ..errors import ParameterError
from .progress import CancelToken, Progress, ProgressCallback, check, report

log = logging.getLogger(__name__)

METHODS = ("pca", "tsne", "umap", "custom")

# name -> (default, validator description, check)
_NUMBER_RULES: dict[str, dict[str, tuple[float, float]]] = {
    "tsne": {"perplexity": (1.0, 1000.0), "early_exaggeration": (1.0, 100.0), "n_iter": (250, 10000)},
    "umap": {"n_neighbors": (2, 200), "min_dist": (0.0, 1.0)},
}
_DEFAULTS: dict[str, dict[str, Any]] = {
    "pca": {"axes": None},
    "tsne": {
        "perplexity": 30.0,
        "learning_rate": "auto",
        "early_exaggeration": 12.0,
        "n_iter": 750,
        "metric": "euclidean",
    },
    "umap": {"n_neighbors": 15, "min_dist": 0.1, "metric": "euclidean"},
    "custom": {
        "column": None,
        "left": None,
        "right": None,
        "up": None,
        "down": None,
        "regex": False,
        "fallback": "pca",
    },
}
_METRICS = ("euclidean", "cosine")


@dataclass
class Projection:
    """Coordinates for every point of the data (or of a subset), and what explains them."""

    method: str
    coords: np.ndarray  # n x dims, float32
    params: dict[str, Any]
    random_state: int
    spherize: bool
    indices: np.ndarray | None = None  # rows of the embedding the coords belong to (None: all, in order)
    explained_variance_ratio: list[float] | None = None  # PCA: all computed components
    components: np.ndarray | None = None  # PCA: n x k coordinates on every computed component
    extra: dict[str, Any] = field(default_factory=dict)
    quality: float | None = None  # fraction of 10 nearest neighbours kept by the projection
    cached: bool = False

    @property
    def dims(self) -> int:
        return int(self.coords.shape[1])

    def summary(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "dims": self.dims,
            "n": int(self.coords.shape[0]),
            "params": self.params,
            "random_state": self.random_state,
            "spherize": self.spherize,
            "explained_variance_ratio": self.explained_variance_ratio,
            "quality": self.quality,
            "cached": self.cached,
            **self.extra,
        }


def validate(method: str, n_components: int, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Fill defaults and check every parameter, naming the bad one, its value and the valid range or choices."""
    if method not in METHODS:
        raise ParameterError(f"`method` must be one of {list(METHODS)}, got {method!r}", field="method")
    if n_components not in (2, 3):
        raise ParameterError(f"`n_components` must be 2 or 3, got {n_components!r}", field="n_components")
    given = dict(params or {})
    unknown = sorted(set(given) - set(_DEFAULTS[method]))
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {unknown} for {method}", field=unknown[0], fix=f"use {sorted(_DEFAULTS[method])}"
        )
    out = {**_DEFAULTS[method], **given}
    for name, (low, high) in _NUMBER_RULES.get(method, {}).items():
        value = out[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise ParameterError(f"`{name}` must be a number from {low:g} to {high:g}, got {value!r}", field=name)
    if "metric" in out and out["metric"] not in _METRICS:
        raise ParameterError(f"`metric` must be one of {list(_METRICS)}, got {out['metric']!r}", field="metric")
    lr = out.get("learning_rate")
    if method == "tsne" and lr != "auto" and (not isinstance(lr, int | float) or lr <= 0):
        raise ParameterError(f"`learning_rate` must be 'auto' or a positive number, got {lr!r}", field="learning_rate")
    if method == "custom" and out["fallback"] not in ("pca", "random"):
        raise ParameterError(f"`fallback` must be 'pca' or 'random', got {out['fallback']!r}", field="fallback")
    return out


def check_subset(emb: Embedding, subset: Sequence[int] | np.ndarray | None) -> np.ndarray | None:
    """The rows of an "isolate" request, sorted and unique, checked against N (None: every row)."""
    if subset is None:
        return None
    idx = np.unique(np.asarray(subset, dtype=np.int64))
    if idx.size < 3:
        raise ParameterError(f"a subset needs at least 3 points, got {idx.size}", field="subset")
    if idx[0] < 0 or idx[-1] >= len(emb):
        bad = int(idx[0] if idx[0] < 0 else idx[-1])
        raise ParameterError(
            f"subset index {bad} is out of range: this embedding has N = {len(emb):,} rows (0..{len(emb) - 1})",
            field="subset",
        )
    return idx


def pca_axes(axes: Any, n_components: int, k: int) -> list[int]:
    """The PCA components to draw (the first ones by default), checked against the k computed (k = min(10, N, D))."""
    if axes is None:
        return list(range(min(n_components, k)))
    ok = isinstance(axes, list | tuple) and len(axes) == n_components
    if not ok or any(isinstance(a, bool) or not isinstance(a, int) or not 0 <= a < k for a in axes):
        raise ParameterError(
            f"`axes` must be {n_components} component numbers from 0 to {k - 1}, got {axes!r}", field="axes"
        )
    return list(axes)


def custom_column(emb: Embedding, n_components: int, params: Mapping[str, Any]) -> str:
    """The metadata column custom axes match, after checking they can be drawn (2-D, a pattern, the column)."""
    from .patterns import check_pattern

    if n_components != 2:
        raise ParameterError("custom axes are 2-D", field="n_components", fix="ask for 2 dimensions (--dims 2)")
    column = params["column"] or emb.label_column
    have = [] if emb.metadata is None else emb.metadata.column_names
    if column is None or column not in have:
        raise ParameterError(
            f"custom axes need a metadata column, got {column!r}", field="column", fix=f"choose one of {have}"
        )
    sides = {s: params[s] for s in ("left", "right", "up", "down") if params[s] not in (None, "")}
    if not sides:
        raise ParameterError("custom axes need at least one pattern", fix="give `left`, `right`, `up` or `down`")
    for side, pattern in sides.items():
        if not isinstance(pattern, str):
            raise ParameterError(f"`{side}` must be a string, got {pattern!r}", field=side)
        check_pattern(pattern, regex=bool(params["regex"]), field=side)  # a bad regex fails here, before any work
    return str(column)


def project(
    emb: Embedding,
    *,
    method: str,
    n_components: int = 2,
    params: Mapping[str, Any] | None = None,
    subset: Sequence[int] | np.ndarray | None = None,
    spherize: bool | None = None,
    random_state: int = 0,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    cache: Any = None,
    quality: bool = True,
) -> Projection:
    """Project every row of `emb` (or the rows in `subset`) to 2 or 3 dimensions.

    `cache` is a ProjectionCache, or None for no cache. Progress reports stream to `progress`; `cancel` pauses,
    resumes or stops the work.
    """
    from .prep import default_spherize, prepare

    full = validate(method, n_components, params)
    indices = check_subset(emb, subset)
    use_spherize = default_spherize(emb.dim) if spherize is None else bool(spherize)
    key = None
    if cache is not None:
        from .cache import data_hash

        key = cache.key(
            data=data_hash(emb.vectors),
            subset=None if indices is None else data_hash(indices),
            method=method,
            n_components=n_components,
            params=full,
            random_state=random_state,
            spherize=use_spherize,
            quality=quality,
        )
        hit = cache.get(key)
        if hit is not None:
            report(progress, Progress(stage="cached", fraction=1.0))
            return from_cache(hit, indices)
    report(progress, Progress(stage="prepare", fraction=0.0, message="preparing the data"))
    rows = emb.vectors if indices is None else np.asarray(emb.vectors[indices])
    x = prepare(np.asarray(rows), spherize=use_spherize)
    check(cancel)
    result = _run(emb, x, indices, method, n_components, full, random_state, progress, cancel)
    result.spherize = use_spherize
    if quality:
        from .quality import neighbor_preservation

        # the coordinates go out first: the score is exact per sampled point (each against all N rows), so it
        # takes seconds on a million points
        report(progress, Progress(stage="quality", coords=result.coords, message="measuring neighbour preservation"))
        metric = full.get("metric", "euclidean")
        sample = 2000 if len(x) <= 200_000 else 500
        result.quality = float(
            neighbor_preservation(x, result.coords, metric=metric, sample=sample, random_state=random_state)
        )
    if cache is not None and key is not None:
        cache.put(key, *to_cache(result))
    report(progress, Progress(stage="done", fraction=1.0))
    return result


def _run(
    emb: Embedding,
    x: np.ndarray,
    indices: np.ndarray | None,
    method: str,
    n_components: int,
    params: dict[str, Any],
    random_state: int,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> Projection:
    common: dict[str, Any] = {"params": params, "random_state": random_state, "spherize": False, "indices": indices}
    if method == "pca":
        from .pca import pca

        res = pca(x, n_components=10, random_state=random_state)
        k = res.coords.shape[1]
        axes = pca_axes(params["axes"], n_components, k)
        return Projection(
            "pca",
            np.ascontiguousarray(res.coords[:, axes], dtype=np.float32),
            explained_variance_ratio=[float(v) for v in res.explained_variance_ratio],
            components=res.coords.astype(np.float32),
            **common,
        )
    if method == "custom":
        return _custom(emb, x, indices, n_components, params, common)
    from .knn_graph import knn_graph

    if method == "tsne":
        from .tsne import tsne

        # t-SNE reports its initial layout first, then builds the (memoised, shared) k-NN graph itself
        coords = tsne(
            x, n_components=n_components, random_state=random_state, progress=progress, cancel=cancel, **params
        )
        k = max(1, min(int(3 * params["perplexity"]), len(x) - 1))
        graph = knn_graph(x, k=k, metric=params["metric"])  # served from the memo
    else:
        from .umap import umap

        k = max(1, min(int(params["n_neighbors"]), len(x) - 1))
        report(progress, Progress(stage="knn", message=f"finding the {k} nearest neighbours of every point"))
        graph = knn_graph(x, k=k, metric=params["metric"], progress=progress, cancel=cancel)
        coords = umap(
            x,
            n_components=n_components,
            random_state=random_state,
            knn=graph,
            progress=progress,
            cancel=cancel,
            **params,
        )
    extra = {"knn_engine": graph.engine, "knn_recall": graph.recall}
    return Projection(method, np.asarray(coords, dtype=np.float32), extra=extra, **common)


def _custom(
    emb: Embedding,
    x: np.ndarray,
    indices: np.ndarray | None,
    n_components: int,
    params: dict[str, Any],
    common: dict[str, Any],
) -> Projection:
    from ..metadata import column_strings
    from .custom import custom_axes

    column = custom_column(emb, n_components, params)
    assert emb.metadata is not None  # custom_column checked the column exists
    table = emb.metadata if indices is None else emb.metadata.take(indices)
    values = column_strings(table, column)
    sides = {s: params[s] for s in ("left", "right", "up", "down")}
    res = custom_axes(
        x, values, regex=params["regex"], random_state=common["random_state"], fallback=params["fallback"], **sides
    )
    extra = {
        "counts": res.counts,
        "x_label": res.x_label,
        "y_label": res.y_label,
        "cos_xy": res.cos_xy,
        "column": column,
    }
    return Projection("custom", np.asarray(res.coords, dtype=np.float32), extra=extra, **common)


def to_cache(p: Projection) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    arrays = {"coords": p.coords}
    if p.components is not None:
        arrays["components"] = p.components
    meta = {
        "method": p.method,
        "params": p.params,
        "random_state": p.random_state,
        "spherize": p.spherize,
        "explained_variance_ratio": p.explained_variance_ratio,
        "extra": p.extra,
        "quality": p.quality,
    }
    return arrays, meta


def from_cache(hit: tuple[dict[str, np.ndarray], dict[str, Any]], indices: np.ndarray | None) -> Projection:
    arrays, meta = hit
    return Projection(
        meta["method"],
        arrays["coords"],
        meta["params"],
        meta["random_state"],
        meta["spherize"],
        indices=indices,
        explained_variance_ratio=meta["explained_variance_ratio"],
        components=arrays.get("components"),
        extra=meta["extra"],
        quality=meta["quality"],
        cached=True,
    )
