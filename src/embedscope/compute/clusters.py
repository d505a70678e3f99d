"""Clusters of a map: scikit-learn's HDBSCAN on the drawn coordinates, in two or three levels, named from a column.

``find_levels(coords)`` runs HDBSCAN on at most SAMPLE drawn points (a seeded sample beyond; every other point joins
the cluster of its nearest sampled point, which keeps a million points to seconds: scikit-learn's HDBSCAN grows faster
than linearly, ~38 s at 100,000 2-D points against ~1.5 s at 20,000, with the same clusters found; benchmarks/
bench_clusters.py). It keeps two cuts of one cluster tree: HDBSCAN's clusters (excess of mass: the `cluster`
column) and the leaves inside them, their parts (a large continuous region, such as most of a vocabulary's map,
is one cluster of many parts: cities, first names, verbs...). ``hierarchy`` adds a coarser level above the clusters
when they are many (one Ward dendrogram of their centres), so the levels nest. ``clusters(emb, coords)`` does both,
names every cluster of every level from a metadata column (cluster_labels.py) and caches the result. Clusters are
numbered by size, largest first; -1 is noise (and undrawn rows).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from ..embedding import Embedding
from ..errors import ParameterError
from .progress import CancelToken, check

CLUSTER_VERSION = 2  # part of the cache key: bump when the clusters or their labels change
SAMPLE = 20_000  # HDBSCAN on at most this many points; the others join their nearest sampled point's cluster
MIN_SAMPLES = 10  # HDBSCAN's min_samples (density estimate); min_cluster_size defaults to N / SIZE_SHARE
SIZE_SHARE = 100
MIN_SIZE = 10
TOP_LEVEL_MAX = 8  # more clusters than this get a coarser level above them ...
LEVEL_RATIO = 4  # ... with about this many times fewer groups


@dataclass
class Cluster:
    """One cluster of one level: `parent` is the id of the cluster one level coarser that holds it."""

    id: int
    level: int  # 0: the coarsest
    size: int
    center: list[float]  # a member near the middle of the cluster on the map (where its label goes)
    row: int  # that member's row of the coordinates (of the embedding once `Clusters` has mapped it)
    parent: int | None = None
    label: str = ""
    terms: list[tuple[str, float]] = field(default_factory=list)  # what the label is made of, with their weights
    renamed: bool = False  # `label` is the user's name for it, not the one made from the terms
    made: str = ""  # the name made from the terms (the label again when the user's name is taken back)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "size": self.size,
            "center": self.center,
            "row": self.row,
            "parent": self.parent,
            "label": self.label,
            "terms": [[t, s] for t, s in self.terms],
            "renamed": self.renamed,
        }


@dataclass
class Clusters:
    """The clusters of one map. `assignment` gives each row's cluster (HDBSCAN's, the `base` level; -1: noise or not
    drawn) and `detail` its part of it (the level below, when there is one)."""

    assignment: np.ndarray  # int32, one per row of the coordinates: ids 0..k-1 of the base level
    clusters: list[Cluster]  # every level's
    levels: int
    min_cluster_size: int
    column: str | None  # the metadata column the labels come from
    label_kind: str | None  # text, categorical or members
    indices: np.ndarray | None = None  # rows of the embedding the coordinates belong to (None: all)
    cached: bool = False
    key: str = ""  # what the clusters of this map, column and settings are known by (user names are kept under it)
    base: int = 0  # the level of HDBSCAN's own clusters (the `cluster` column); a coarser one above it, parts below
    detail: np.ndarray | None = None  # int32, each row's part (the level below `base`), -1 where none

    def as_dict(self) -> dict[str, Any]:
        """What the CLI's `--json` prints and the server answers (with its own fields beside)."""
        return {
            "points": len(self.assignment),
            "noise": int((self.assignment < 0).sum()),
            "levels": self.levels,
            "base_level": self.base,
            "min_cluster_size": self.min_cluster_size,
            "column": self.column,
            "label_kind": self.label_kind,
            "clusters": [c.as_dict() for c in self.clusters],
        }

    def level(self, level: int) -> list[Cluster]:
        return [c for c in self.clusters if c.level == level]

    @property
    def base_clusters(self) -> list[Cluster]:
        return self.level(self.base)

    def rows(self, cluster_id: int) -> np.ndarray:
        """The rows (of the coordinates) in a cluster of any level."""
        by_id = {c.id: c for c in self.clusters}
        level = by_id[cluster_id].level
        if level > self.base and self.detail is not None:
            return np.flatnonzero(self.detail == cluster_id)
        base = [c.id for c in self.base_clusters if cluster_id in self.lineage(c.id)]
        return np.flatnonzero(np.isin(self.assignment, base))

    def lineage(self, cluster_id: int) -> list[int]:
        """A cluster's id and those of the clusters above it."""
        by_id = {c.id: c for c in self.clusters}
        out = [cluster_id]
        while by_id[out[-1]].parent is not None:
            out.append(by_id[out[-1]].parent)  # type: ignore[arg-type]
        return out

    def rename(self, names: dict[int, str]) -> None:
        """Give clusters the user's names (id -> name); the others have the names made from their terms."""
        for c in self.clusters:
            c.made = c.made or c.label
            c.label, c.renamed = (names[c.id], True) if c.id in names else (c.made, False)

    def table(self, n_rows: int) -> pa.Table:
        """For an embedding of `n_rows` rows: `cluster` (the base level's id, null for noise) and `cluster_label`, and
        `subcluster` and `subcluster_label` (the level below) when there is one."""
        rows = np.arange(len(self.assignment)) if self.indices is None else self.indices
        columns = {}
        for name, ids_of in (("cluster", self.assignment), ("subcluster", self.detail)):
            if ids_of is None:
                continue
            ids = np.full(n_rows, -1, dtype=np.int64)
            ids[rows] = ids_of
            label = {c.id: c.label for c in self.clusters}
            names = np.array([label.get(i, "") for i in range(int(ids.max()) + 1)] + [""], dtype=object)
            mask = ids < 0
            columns[name] = pa.array(ids, mask=mask)
            columns[f"{name}_label"] = pa.array(names[ids], type=pa.string(), mask=mask)
        return pa.table(columns)


def default_min_cluster_size(n: int) -> int:
    """Points a cluster needs, by default: 1% of the drawn points, at least MIN_SIZE."""
    return max(MIN_SIZE, round(n / SIZE_SHARE))


def find_clusters(
    coords: np.ndarray,
    *,
    min_cluster_size: int | None = None,
    random_state: int = 0,
    sample: int = SAMPLE,
    cancel: CancelToken | None = None,
) -> np.ndarray:
    """Each row's cluster (0 = the largest, -1 = noise or a non-finite row), by HDBSCAN on the finite rows."""
    return find_levels(
        coords, min_cluster_size=min_cluster_size, random_state=random_state, sample=sample, cancel=cancel
    )[0]


def find_levels(
    coords: np.ndarray,
    *,
    min_cluster_size: int | None = None,
    random_state: int = 0,
    sample: int = SAMPLE,
    cancel: CancelToken | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's cluster and its part: HDBSCAN's clusters (excess of mass: 0 = the largest, -1 = noise or a
    non-finite row) and the leaves of the same cluster tree inside them (numbered on from the clusters; the points of
    a cluster that no leaf holds join their nearest leaf's; a cluster with one leaf or none is its own one part)."""
    from scipy.spatial import cKDTree
    from sklearn.cluster import HDBSCAN

    coords = np.asarray(coords, dtype=np.float64)
    drawn = np.flatnonzero(np.isfinite(coords).all(axis=1))
    base = np.full(len(coords), -1, dtype=np.int32)
    parts = np.full(len(coords), -1, dtype=np.int32)
    size = default_min_cluster_size(len(drawn)) if min_cluster_size is None else int(min_cluster_size)
    if size < 2:
        raise ParameterError(f"`min_cluster_size` must be at least 2, got {size}", field="min_cluster_size")
    if len(drawn) < max(size, 2):
        return base, parts
    picked = drawn
    if len(drawn) > sample:
        picked = np.sort(np.random.default_rng(random_state).choice(drawn, sample, replace=False))
    scaled = max(2, round(size * len(picked) / len(drawn)))
    found = []
    for method in ("eom", "leaf"):
        check(cancel)
        model = HDBSCAN(
            min_cluster_size=scaled, min_samples=min(MIN_SAMPLES, scaled), cluster_selection_method=method, copy=True
        )
        found.append(model.fit_predict(coords[picked]))
    check(cancel)
    if len(picked) < len(drawn):
        _, nearest = cKDTree(coords[picked]).query(coords[drawn], k=1, workers=-1)
        found = [f[nearest] for f in found]
    base[drawn] = _by_size(found[0])
    parts[drawn] = _parts(coords[drawn], base[drawn], found[1])
    return base, parts


def _parts(coords: np.ndarray, base: np.ndarray, leaves: np.ndarray) -> np.ndarray:
    """The leaves as parts of the clusters: numbered after the clusters, by size within each, every clustered point
    in one (its nearest leaf's within its cluster); a cluster with fewer than two leaves is one part."""
    from scipy.spatial import cKDTree

    out = np.full(len(base), -1, dtype=np.int32)
    k = int(base.max()) + 1 if len(base) and base.max() >= 0 else 0
    next_id = k
    for cluster in range(k):
        inside = np.flatnonzero(base == cluster)
        mine = leaves[inside]
        kinds = np.unique(mine[mine >= 0])
        if len(kinds) < 2:
            out[inside] = next_id
            next_id += 1
            continue
        held = mine >= 0
        if not held.all():
            _, nearest = cKDTree(coords[inside[held]]).query(coords[inside[~held]], k=1, workers=-1)
            mine = mine.copy()
            mine[~held] = mine[held][nearest]
        ranked = _by_size(np.searchsorted(kinds, mine))
        out[inside] = next_id + ranked
        next_id += len(kinds)
    return out


def _by_size(labels: np.ndarray) -> np.ndarray:
    """The same clusters numbered by size, largest first (ties: by the old number); noise stays -1."""
    ids = labels[labels >= 0]
    if ids.size == 0:
        return labels.astype(np.int32)
    counts = np.bincount(ids)
    order = np.lexsort((np.arange(len(counts)), -counts))
    new = np.empty(len(counts), dtype=np.int32)
    new[order] = np.arange(len(counts), dtype=np.int32)
    return np.where(labels >= 0, new[np.maximum(labels, 0)], -1).astype(np.int32)


def hierarchy(coords: np.ndarray, base: np.ndarray, parts: np.ndarray | None = None) -> tuple[list[Cluster], int]:
    """The clusters of every level, coarsest first, and the level of the base clusters: a coarser level above them
    when they are more than TOP_LEVEL_MAX (one Ward dendrogram of their centres cut at about 1/LEVEL_RATIO as many),
    and their parts below them when any cluster has more than one. Each cluster has its size and centre."""
    from scipy.cluster.hierarchy import fcluster, linkage

    k = int(base.max()) + 1 if base.size and base.max() >= 0 else 0
    if k == 0:
        return [], 0
    members = [np.flatnonzero(base == c) for c in range(k)]
    out: list[Cluster] = []
    top = k > TOP_LEVEL_MAX
    level = 1 if top else 0
    next_id = k + (0 if parts is None else int(parts.max()) + 1 - k)
    if top:
        centroids = np.stack([coords[m].astype(np.float64).mean(axis=0) for m in members])
        groups = fcluster(linkage(centroids, method="ward"), t=math.ceil(k / LEVEL_RATIO), criterion="maxclust") - 1
        groups = _by_size_weighted(groups, members)
        for g in range(int(groups.max()) + 1):
            rows = np.concatenate([members[c] for c in np.flatnonzero(groups == g)])
            out.append(_cluster(next_id + g, 0, coords, rows, None))
        parent_of = {c: next_id + int(groups[c]) for c in range(k)}
    for c in range(k):
        out.append(_cluster(c, level, coords, members[c], parent_of[c] if top else None))
    if parts is not None and len(np.unique(parts[parts >= 0])) > k:
        for p in np.unique(parts[parts >= 0]):
            rows = np.flatnonzero(parts == p)
            out.append(_cluster(int(p), level + 1, coords, rows, int(base[rows[0]])))
    return out, level


def _cluster(cid: int, level: int, coords: np.ndarray, rows: np.ndarray, parent: int | None) -> Cluster:
    middle = rows[_middle(coords[rows])]
    return Cluster(cid, level, len(rows), _floats(coords[middle]), int(middle), parent)


def _by_size_weighted(group: np.ndarray, members: list[np.ndarray]) -> np.ndarray:
    """Groups of fine clusters renumbered by their number of points, largest first, without gaps."""
    present = np.unique(group)
    group = np.searchsorted(present, group)
    points = np.bincount(group, weights=[len(m) for m in members])
    order = np.lexsort((np.arange(len(points)), -points))
    new = np.empty(len(points), dtype=np.int64)
    new[order] = np.arange(len(points))
    return new[group]


def _middle(points: np.ndarray) -> int:
    """Which of the points is nearest their mean: a member inside the cluster even when it is bent."""
    mean = points.astype(np.float64).mean(axis=0)
    return int(np.argmin(((points - mean) ** 2).sum(axis=1)))


def _floats(point: np.ndarray) -> list[float]:
    return [float(v) for v in point]


def clusters(
    emb: Embedding,
    coords: np.ndarray,
    *,
    indices: np.ndarray | None = None,
    column: str | None = None,
    min_cluster_size: int | None = None,
    random_state: int = 0,
    cache: Any = None,
    cancel: CancelToken | None = None,
) -> Clusters:
    """The clusters of a map of `emb` (`coords`: one row per embedding row, or per row of `indices`), named from
    `column` (default: the label column), cached in `cache` (a ProjectionCache, or None)."""
    from .cache import data_hash, make_key
    from .spec import column_values, strings_hash

    coords = np.asarray(coords)
    rows = np.arange(len(emb)) if indices is None else np.asarray(indices, dtype=np.int64)
    if coords.ndim != 2 or len(coords) != len(rows):
        raise ParameterError(f"{len(coords):,} map rows for {len(rows):,} points", field="coords")
    column = _column(emb, column)
    values = column_values(emb, column) if column is not None else []
    parts: dict[str, Any] = {
        "coords": data_hash(np.ascontiguousarray(coords)),
        "rows": data_hash(rows),
        "column": column,
    }
    parts |= {"values": strings_hash(values), "data": data_hash(emb.vectors), "seed": random_state}
    size = default_min_cluster_size(int(np.isfinite(coords).all(axis=1).sum()))
    size = size if min_cluster_size is None else int(min_cluster_size)
    key = make_key(kind="clusters", code=CLUSTER_VERSION, min_cluster_size=size, **parts)
    if cache is not None:
        hit = cache.get(key, check=lambda arrays, meta: _check_entry(arrays, meta, len(coords)))
        if hit is not None:
            return _from_cache(hit, indices, key)
    assignment, detail = find_levels(coords, min_cluster_size=size, random_state=random_state, cancel=cancel)
    check(cancel)
    tree, base = hierarchy(coords, assignment, detail)
    levels = max((c.level for c in tree), default=-1) + 1
    parted = levels > base + 1  # a level of parts below the clusters
    for c in tree:
        c.row = int(rows[c.row])  # the embedding's row
    if column is not None:
        kind = _name_all(tree, assignment, detail if parted else None, base, rows, values, emb, random_state)
    else:
        kind = None
        for c in tree:
            c.label = f"cluster {c.id}"
    result = Clusters(
        assignment, tree, levels, size, column, kind, indices, key=key, base=base, detail=detail if parted else None
    )
    if cache is not None:
        arrays = {"assignment": assignment} if result.detail is None else {"assignment": assignment, "detail": detail}
        cache.put(key, arrays, _meta(result))
    return result


def _column(emb: Embedding, column: str | None) -> str | None:
    have = [] if emb.metadata is None else emb.metadata.column_names
    if column is None:
        return emb.label_column
    if column not in have:
        raise ParameterError(
            f"no metadata column `{column}` to name the clusters by", field="column", fix=f"choose one of {have}"
        )
    return column


def _name_all(
    tree: list[Cluster],
    assignment: np.ndarray,
    detail: np.ndarray | None,
    base: int,
    rows: np.ndarray,
    values: list[str],
    emb: Embedding,
    seed: int,
) -> str:
    """Label every cluster of `tree` from `values` (one per embedding row); returns the kind of labels made."""
    from . import cluster_labels as cl

    kind = cl.label_kind([values[int(r)] for r in rows[assignment >= 0]])
    by_id = {c.id: c for c in tree}
    for level in range(max((c.level for c in tree), default=-1) + 1):
        members = [c for c in tree if c.level == level]
        if level > base and detail is not None:
            groups = [rows[detail == c.id] for c in members]
        else:
            under = {c.id: [b.id for b in tree if b.level == base and c.id in _above(by_id, b)] for c in members}
            groups = [rows[np.isin(assignment, under[c.id])] for c in members]
        if kind == "text":
            terms = cl.text_terms(values, groups, random_state=seed)
        elif kind == "categorical":
            terms = cl.categorical_terms(values, groups)
        else:
            terms = cl.member_terms(values, groups, emb.vectors, random_state=seed)
        names = cl.unique_names([cl.name(t, kind) or f"cluster {c.id}" for t, c in zip(terms, members, strict=True)])
        for c, t, n in zip(members, terms, names, strict=True):
            c.terms, c.label = t, n
    return kind


def _above(by_id: dict[int, Cluster], cluster: Cluster) -> set[int]:
    out = {cluster.id}
    while cluster.parent is not None:
        cluster = by_id[cluster.parent]
        out.add(cluster.id)
    return out


def _meta(result: Clusters) -> dict[str, Any]:
    return {
        "clusters": [c.as_dict() for c in result.clusters],
        "levels": result.levels,
        "base": result.base,
        "min_cluster_size": result.min_cluster_size,
        "column": result.column,
        "label_kind": result.label_kind,
    }


def _check_entry(arrays: dict[str, np.ndarray], meta: dict[str, Any], rows: int) -> None:
    assignment = arrays["assignment"]
    if assignment.dtype != np.int32 or assignment.shape != (rows,):
        raise ValueError(f"'assignment' is {assignment.dtype} {assignment.shape}, expected int32 ({rows},)")
    if (
        not isinstance(meta["clusters"], list)
        or not isinstance(meta["levels"], int)
        or not isinstance(meta["base"], int)
    ):
        raise ValueError("no cluster list")
    ids = {c["id"] for c in meta["clusters"]}
    for name in ("assignment", "detail"):
        if name in arrays:
            got = arrays[name]
            if got.dtype != np.int32 or got.shape != (rows,) or not set(np.unique(got[got >= 0]).tolist()) <= ids:
                raise ValueError(f"{name!r} assigns rows to clusters that are not listed")


def _from_cache(hit: tuple[dict[str, np.ndarray], dict[str, Any]], indices: np.ndarray | None, key: str) -> Clusters:
    arrays, meta = hit
    tree = [
        Cluster(
            c["id"],
            c["level"],
            c["size"],
            c["center"],
            c["row"],
            c["parent"],
            c["label"],
            [(t, s) for t, s in c["terms"]],
        )
        for c in meta["clusters"]
    ]
    return Clusters(
        arrays["assignment"],
        tree,
        meta["levels"],
        meta["min_cluster_size"],
        meta["column"],
        meta["label_kind"],
        indices,
        cached=True,
        key=key,
        base=meta["base"],
        detail=arrays.get("detail"),
    )
