"""One door to every projection: ``project(emb, spec)`` prepares the data, runs the method, scores it and caches it.

The request is a ``ProjectionSpec`` (spec.py: the one validation, table of defaults and cache key); the CLI, the
HTTP API's jobs and the Python API all come through ``project``. A step of a training run can be drawn in the frame
of another step (``reference``; see align.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..embedding import Embedding
from ..errors import ParameterError
from .progress import CancelToken, Progress, ProgressCallback, check, report
from .spec import CODE_VERSION, PCA_COMPONENTS, SIDES, ProjectionSpec, column_values, custom_column

log = logging.getLogger(__name__)


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
    quality: float | None = None  # fraction of 10 nearest neighbours kept (trustworthiness, continuity: in extra)
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


def project(
    emb: Embedding,
    spec: ProjectionSpec | str | None = None,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    cache: Any = None,
    reference: Embedding | None = None,
    start: np.ndarray | None = None,
    **request: Any,
) -> Projection:
    """Project every row of `emb` (or the rows of the spec's subset) to 2 or 3 dimensions.

    `spec` is a ProjectionSpec, or the request's keywords (``method``, ``n_components``, ``params``,
    ``random_state``, ``spherize``, ``subset``, ``quality``; the method may come first, by position), which
    ``ProjectionSpec.build`` checks: ``project(emb, "tsne", n_components=3)``. `cache` is a
    ProjectionCache, or None for no cache. `reference` is the embedding of the step the spec is aligned to.
    Progress reports stream to `progress` (the finished layout once with ``final=True``, before the quality
    figure); `cancel` pauses, resumes or stops the work. `start`: t-SNE only, a layout to go on from (a finished one,
    perturbed: tsne.perturbed), for tsne.SETTLE_ITER more iterations; such a result is not cached.
    """
    if spec is None or isinstance(spec, str):
        if isinstance(spec, str):
            request["method"] = spec
        spec = ProjectionSpec.build(emb, **request)
    elif request:
        raise TypeError(f"project() takes a ProjectionSpec or keywords, not both: {sorted(request)}")
    if (spec.align_to is None) != (reference is None):
        raise ParameterError("a reference embedding goes with an aligned spec, and only then", field="align_to")
    if start is not None and spec.method != "tsne":
        raise ParameterError(f"only t-SNE goes on from a layout, not {spec.method}", field="method")
    key = None if cache is None or start is not None else spec.key(emb, reference)
    if key is not None:
        hit = cached(cache, key, spec, rows=len(emb), dims=emb.dim)
        if hit is not None:
            report(progress, Progress(stage="cached", fraction=1.0, coords=hit.coords, final=True))
            return hit
    last: list[Progress] = []

    def track(item: Progress) -> None:
        last[:1] = [item]
        report(progress, item)

    track(Progress(stage="prepare", fraction=0.0, message="preparing the data"))
    x = _rows(emb, spec)
    check(cancel)
    if reference is None:
        result = _run(emb, x, spec, track, cancel, cache, start=start)
    else:
        result = _aligned(emb, reference, x, spec, progress=track, cancel=cancel, cache=cache, start=start)
        result.extra["aligned_to"] = spec.align_to
    final = Progress(
        stage="quality" if spec.quality else "done",
        iteration=_final_iteration(spec, last[0] if last else None),
        coords=result.coords,
        final=True,
        message="measuring neighbour preservation" if spec.quality else "",
    )
    report(progress, final)  # the coordinates go out before the score, which takes seconds on a million points
    if spec.quality:
        _measure(result, x, spec, cancel)
    if cancel is not None and cancel.perturbed:
        result.extra["perturbed"] = cancel.perturbed  # not what the spec alone gives: not cached under its key
    elif key is not None:
        cache.put(key, *to_cache(result))
    report(progress, Progress(stage="done", fraction=1.0))
    return result


def _measure(result: Projection, x: np.ndarray, spec: ProjectionSpec, cancel: CancelToken | None) -> None:
    """The result's quality figures: neighbours kept (on 2,000 points, 500 past 200,000), and trustworthiness and
    continuity (scikit-learn's, among 1,000 sampled points) in `extra`."""
    from .quality import neighbor_preservation, trust_and_continuity

    check(cancel)
    sample = 2000 if len(x) <= 200_000 else 500
    metric = spec.params.get("metric", "euclidean")
    seed = spec.random_state
    coords = result.coords
    drawn = np.isfinite(coords).all(axis=1)
    if not drawn.all():  # precomputed coordinates can leave rows out: measured among the rows drawn
        x, coords = np.asarray(x)[drawn], coords[drawn]
    result.quality = float(neighbor_preservation(x, coords, metric=metric, sample=sample, random_state=seed))
    check(cancel)
    if len(coords) >= 3:
        trust, continuity = trust_and_continuity(x, coords, metric=metric, sample=1000, random_state=seed)
        result.extra.update(trustworthiness=trust, continuity=continuity)


def cached(
    cache: Any, key: str, spec: ProjectionSpec, *, rows: int | None = None, dims: int | None = None
) -> Projection | None:
    """The projection stored under `key`, or None (also when the entry does not fit `spec`: it is computed again).

    `rows` is the embedding's number of rows (checked when the spec has no subset and it is given), `dims` its
    number of dimensions (a PCA has at most that many axes).
    """
    if spec.subset is not None:
        rows = len(spec.subset)
    hit = cache.get(key, check=lambda arrays, meta: check_entry(arrays, meta, spec, rows, dims))
    return None if hit is None else from_cache(hit, spec.subset)


def _rows(emb: Embedding, spec: ProjectionSpec) -> np.ndarray:
    """The spec's rows of `emb`, prepared (spherized when asked)."""
    from .prep import prepare

    rows = emb.vectors if spec.subset is None else np.asarray(emb.vectors[spec.subset])
    return prepare(np.asarray(rows), spherize=spec.spherize)


def _final_iteration(spec: ProjectionSpec, last: Progress | None) -> int | None:
    """The iteration the final frame is labelled with: t-SNE's last one; UMAP's last epoch reported."""
    if spec.method == "tsne":
        return int(last.total) if last is not None and last.total is not None else int(spec.params["n_iter"])
    return None if last is None else last.iteration


def _run(
    emb: Embedding,
    x: np.ndarray,
    spec: ProjectionSpec,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    cache: Any = None,
    *,
    start: np.ndarray | None = None,
) -> Projection:
    method, params, n_components = spec.method, spec.params, spec.n_components
    common: dict[str, Any] = {
        "params": params,
        "random_state": spec.random_state,
        "spherize": spec.spherize,
        "indices": spec.subset,
    }
    if method == "pca":
        components, ratio = _principal_components(emb, x, spec, cache)
        return Projection(
            "pca",
            np.ascontiguousarray(components[:, params["axes"]], dtype=np.float32),
            explained_variance_ratio=ratio,
            components=components,
            **common,
        )
    if method == "custom":
        return _custom(emb, x, spec, common)
    if method == "precomputed":
        return _precomputed(emb, spec, common)
    from .knn_graph import knn_graph

    if method == "tsne":
        from .tsne import tsne

        # t-SNE reports its initial layout first, then builds the (memoised, shared) k-NN graph itself
        supervision = {name: params[name] for name in ("supervise", "supervise_ignore", "supervise_strength")}
        labels = None
        if supervision["supervise"] is not None:
            values = column_values(emb, supervision["supervise"])
            labels = values if spec.subset is None else [values[int(i)] for i in spec.subset]
        coords = tsne(
            x,
            n_components=n_components,
            random_state=spec.random_state,
            progress=progress,
            cancel=cancel,
            labels=labels,
            supervise_ignore=supervision["supervise_ignore"],
            supervise_strength=supervision["supervise_strength"],
            init=start,
            **{name: value for name, value in params.items() if name not in supervision},
        )
        k = max(1, min(int(3 * params["perplexity"]), len(x) - 1))
        graph = knn_graph(x, k=k, metric=params["metric"], engine=params["neighbors"])  # served from the memo
    else:
        from .umap import umap

        k = max(1, min(int(params["n_neighbors"]), len(x) - 1))
        report(progress, Progress(stage="knn", message=f"finding the {k} nearest neighbours of every point"))
        graph = knn_graph(x, k=k, metric=params["metric"], progress=progress, cancel=cancel, engine=params["neighbors"])
        coords = umap(
            x,
            n_components=n_components,
            random_state=spec.random_state,
            knn=graph,
            progress=progress,
            cancel=cancel,
            **params,
        )
    reproducible = graph.engine == "exact" and not params.get("parallel", False)
    extra = {"knn_engine": graph.engine, "knn_recall": graph.recall, "reproducible": reproducible}
    return Projection(method, np.asarray(coords, dtype=np.float32), extra=extra, **common)


def _principal_components(
    emb: Embedding, x: np.ndarray, spec: ProjectionSpec, cache: Any
) -> tuple[np.ndarray, list[float]]:
    """Every row on the first min(10, N, D) principal axes, and each axis's share of the variance.

    Computed once per data, subset, spherize and seed: with a cache, another choice of `axes` (another view of
    the same PCA) reads them back instead of computing them again.
    """
    from .cache import data_hash, make_key
    from .pca import pca

    key = None
    if cache is not None:
        subset = None if spec.subset is None else data_hash(spec.subset)
        parts = {"spherize": spec.spherize, "random_state": spec.random_state, "subset": subset}
        key = make_key(kind="pca-components", code=CODE_VERSION, data=data_hash(emb.vectors), **parts)
        hit = cache.get(key, check=lambda arrays, meta: _check_components(arrays, meta, len(x), spec))
        if hit is not None:
            return hit[0]["components"], [float(v) for v in hit[1]["explained_variance_ratio"]]
    res = pca(x, n_components=min(PCA_COMPONENTS, *x.shape), random_state=spec.random_state)
    components = res.coords.astype(np.float32)
    ratio = [float(v) for v in res.explained_variance_ratio]
    if key is not None:
        cache.put(key, {"components": components}, {"explained_variance_ratio": ratio})
    return components, ratio


def _custom(emb: Embedding, x: np.ndarray, spec: ProjectionSpec, common: dict[str, Any]) -> Projection:
    """Custom axes as TensorBoard draws them: each pattern's centroid over every row of the data (an isolated
    subset is projected on axes made from all rows, so "the neighbours of A onto B - C" works when B and C are not
    among them), and the match counts are those of every row."""
    from .custom import custom_axes
    from .prep import prepare

    params = spec.params
    column = custom_column(emb, spec.n_components, params)
    x_all = x if spec.subset is None else prepare(np.asarray(emb.vectors), spherize=spec.spherize)
    sides = {s: params[s] for s in SIDES}
    res = custom_axes(
        x_all,
        column_values(emb, column),
        regex=params["regex"],
        random_state=spec.random_state,
        fallback=params["fallback"],
        **sides,
    )
    coords = res.coords if spec.subset is None else res.coords[spec.subset]
    extra = {
        "counts": res.counts,
        "x_label": res.x_label,
        "y_label": res.y_label,
        "cos_xy": res.cos_xy,
        "column": column,
    }
    return Projection("custom", np.ascontiguousarray(coords, dtype=np.float32), extra=extra, **common)


def _precomputed(emb: Embedding, spec: ProjectionSpec, common: dict[str, Any]) -> Projection:
    """Coordinates computed elsewhere, read from numeric metadata columns; a row without them (an empty cell, a
    non-finite number) is not drawn."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = spec.params["columns"].split(",")
    assert emb.metadata is not None  # checked by the spec
    axes = [pc.cast(emb.metadata.column(name), pa.float64()).to_numpy(zero_copy_only=False) for name in names]
    coords = np.column_stack(axes).astype(np.float32)
    if spec.subset is not None:
        coords = coords[spec.subset]
    finite = np.isfinite(coords).all(axis=1)
    coords[~finite] = np.nan
    if finite.sum() < 3:
        raise ParameterError(
            f"only {int(finite.sum())} of {len(coords):,} rows have coordinates in {', '.join(names)}",
            field="columns",
            fix="give at least 3 rows finite numbers in every coordinate column",
        )
    if not finite.all():
        log.warning("%d of %d rows have no coordinates in %s: not drawn", (~finite).sum(), len(coords), names)
    extra = {"columns": names, "missing": int((~finite).sum()), "x_label": names[0], "y_label": names[1]}
    return Projection("precomputed", np.ascontiguousarray(coords), extra=extra, **common)


def _aligned(
    emb: Embedding,
    reference: Embedding,
    x: np.ndarray,
    spec: ProjectionSpec,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    cache: Any = None,
    start: np.ndarray | None = None,
) -> Projection:
    """Project `emb` (one step; `x` its prepared rows) in the frame of `reference` (another step of the same shape).

    The reference's own projection (t-SNE, UMAP) is ``project(reference, spec.reference)`` through `cache` (a
    ProjectionCache or None): the very entry that viewing the reference step itself uses, so a sweep over the
    steps computes it once.
    """
    from .align import align_layout, in_basis, reference_basis

    if emb.shape != reference.shape:
        raise ParameterError(
            f"cannot align a {emb.shape[0]:,} x {emb.shape[1]:,} step to a "
            f"{reference.shape[0]:,} x {reference.shape[1]:,} one",
            field="align_to",
            fix="align to a step of the same embedding",
        )
    if spec.method == "pca":
        report(progress, Progress(stage="pca", fraction=0.0, message="principal axes of the reference step"))
        rows = _rows(reference, spec)
        basis = reference_basis(rows, n_components=min(PCA_COMPONENTS, *rows.shape), random_state=spec.random_state)
        check(cancel)
        coords, ratio = in_basis(x, basis)
        return Projection(
            "pca",
            np.ascontiguousarray(coords[:, spec.params["axes"]], dtype=np.float32),
            spec.params,
            spec.random_state,
            spec.spherize,
            indices=spec.subset,
            explained_variance_ratio=ratio,
            components=coords,
        )
    report(progress, Progress(stage="reference", fraction=0.0, message="projecting the reference step"))
    target = project(reference, spec.reference, cancel=cancel, cache=cache).coords

    def moved(item: Progress) -> None:
        if item.coords is not None and item.coords.shape == target.shape:
            item = replace(item, coords=align_layout(item.coords, target))
        report(progress, item)

    own = _run(emb, x, spec, moved, cancel, start=start)
    own.coords = align_layout(own.coords, target)
    return own


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


_META_TYPES: dict[str, tuple[type, ...]] = {
    "method": (str,),
    "params": (dict,),
    "random_state": (int,),
    "spherize": (bool,),
    "explained_variance_ratio": (list, type(None)),
    "extra": (dict,),
    "quality": (int, float, type(None)),
}


def _check_array(arrays: dict[str, np.ndarray], name: str, rows: int | None, columns: int) -> np.ndarray:
    """arrays[name]: float32, `rows` x (at least) `columns`; ValueError (or KeyError) when it is not."""
    arr = arrays[name]
    if arr.dtype != np.float32 or arr.ndim != 2 or arr.shape[1] < columns or rows not in (None, arr.shape[0]):
        want = f"{'n' if rows is None else rows} x {columns}"
        raise ValueError(f"{name!r} is {arr.dtype} {arr.shape}, expected float32 {want}")
    return arr


def check_entry(
    arrays: dict[str, np.ndarray], meta: dict[str, Any], spec: ProjectionSpec, rows: int | None, dims: int | None = None
) -> None:
    """Raise ValueError (or KeyError) unless a cache entry is a projection as `to_cache` stores one for `spec`."""
    # PCA of D-dimensional data has at most D axes: a 3-D PCA of 2-D vectors is stored with 2 columns
    columns = min(spec.n_components, dims) if spec.method == "pca" and dims is not None else spec.n_components
    coords = _check_array(arrays, "coords", rows, columns)
    if coords.shape[1] != columns:
        raise ValueError(f"'coords' has {coords.shape[1]} columns , expected {columns}")
    if "components" in arrays:
        _check_array(arrays, "components", len(coords), 1)
    for name, types in _META_TYPES.items():
        if not isinstance(meta[name], types):
            raise ValueError(f"metadata {name!r} is a {type(meta[name]).__name__}")
    if meta["method"] != spec.method:
        raise ValueError(f"a {meta['method']!r} projection stored for {spec.method!r}")


def _check_components(arrays: dict[str, np.ndarray], meta: dict[str, Any], rows: int, spec: ProjectionSpec) -> None:
    """Raise unless a cache entry holds PCA components for `rows` rows, with one variance ratio per component."""
    axes = spec.params.get("axes", [0, 1])
    components = _check_array(arrays, "components", rows, max(axes) + 1)
    ratio = meta["explained_variance_ratio"]
    if not isinstance(ratio, list) or len(ratio) != components.shape[1]:
        raise ValueError(f"{components.shape[1]} components with variance ratios {ratio!r:.80}")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in ratio):
        raise ValueError(f"variance ratios {ratio!r:.80} are not all numbers")
