"""Clusters of a map: scikit-learn's HDBSCAN on the drawn coordinates, a hierarchy of two or three levels, labels.

``find_clusters(coords)`` runs HDBSCAN on at most SAMPLE drawn points (a seeded sample beyond; every other point
joins the cluster of its nearest sampled point, which keeps a million points to seconds: scikit-learn's HDBSCAN
grows faster than linearly, ~38 s at 100,000 2-D points against ~1.5 s at 20,000, with the same clusters found;
benchmarks/README.md "Clusters"). Clusters are numbered by size, largest first; -1 is noise (and undrawn rows).
``hierarchy`` groups them into coarser levels by cutting one Ward dendrogram of their centres, so the levels nest.
``clusters(emb, coords)`` does both, names every cluster of every level from a metadata column
(cluster_labels.py) and caches the result.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from ..embedding import Embedding
from ..errors import ParameterError
from .progress import CancelToken, check

log = logging.getLogger(__name__)

CLUSTER_VERSION = 1  # part of the cache key: bump when the clusters or their labels change
SAMPLE = 20_000  # HDBSCAN on at most this many points; the others join their nearest sampled point's cluster
MIN_SAMPLES = 10  # HDBSCAN's min_samples (density estimate); min_cluster_size defaults to N / SIZE_SHARE
SIZE_SHARE = 100
MIN_SIZE = 10
TOP_LEVEL_MAX = 6  # the coarsest level has at most this many clusters ...
LEVEL_RATIO = 4  # ... and each level about this many times fewer than the next finer one
MAX_LEVELS = 3


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
    """The clusters of one map: `assignment` gives each drawn row's finest cluster (-1: noise or not drawn)."""

    assignment: np.ndarray  # int32, one per row of the coordinates
    clusters: list[Cluster]  # every level's; the finest level's ids are 0..k-1 (the values of `assignment`)
    levels: int
    min_cluster_size: int
    column: str | None  # the metadata column the labels come from
    label_kind: str | None  # text, categorical or members
    indices: np.ndarray | None = None  # rows of the embedding the coordinates belong to (None: all)
    cached: bool = False
    key: str = ""  # what the clusters of this map, column and settings are known by (user names are kept under it)

    @property
    def finest(self) -> list[Cluster]:
        return [c for c in self.clusters if c.level == self.levels - 1]

    def rows(self, cluster_id: int) -> np.ndarray:
        """The rows (of the coordinates) in a cluster of any level."""
        fine = [c.id for c in self.finest if cluster_id in self.lineage(c.id)]
        return np.flatnonzero(np.isin(self.assignment, fine))

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
        """`cluster` (finest id, null for noise) and `cluster_label` columns for an embedding of `n_rows` rows."""
        ids = np.full(n_rows, -1, dtype=np.int64)
        rows = np.arange(len(self.assignment)) if self.indices is None else self.indices
        ids[rows] = self.assignment
        names = np.array([c.label for c in sorted(self.finest, key=lambda c: c.id)] + [""], dtype=object)
        mask = ids < 0
        return pa.table(
            {
                "cluster": pa.array(ids, mask=mask),
                "cluster_label": pa.array(names[ids], type=pa.string(), mask=mask),
            }
        )


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
    from scipy.spatial import cKDTree
    from sklearn.cluster import HDBSCAN

    coords = np.asarray(coords, dtype=np.float64)
    drawn = np.flatnonzero(np.isfinite(coords).all(axis=1))
    out = np.full(len(coords), -1, dtype=np.int32)
    size = default_min_cluster_size(len(drawn)) if min_cluster_size is None else int(min_cluster_size)
    if size < 2:
        raise ParameterError(f"`min_cluster_size` must be at least 2, got {size}", field="min_cluster_size")
    if len(drawn) < max(size, 2):
        return out
    picked = drawn
    if len(drawn) > sample:
        picked = np.sort(np.random.default_rng(random_state).choice(drawn, sample, replace=False))
    scaled = max(2, round(size * len(picked) / len(drawn)))
    check(cancel)
    found = HDBSCAN(min_cluster_size=scaled, min_samples=min(MIN_SAMPLES, scaled), copy=True).fit_predict(
        coords[picked]
    )
    check(cancel)
    if len(picked) < len(drawn):
        _, nearest = cKDTree(coords[picked]).query(coords[drawn], k=1, workers=-1)
        found = found[nearest]
    out[drawn] = _by_size(found)
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


def level_sizes(k: int) -> list[int]:
    """How many clusters each level has, coarsest first, for k clusters at the finest: [3, 10] for 10."""
    sizes = [k]
    while sizes[0] > TOP_LEVEL_MAX and len(sizes) < MAX_LEVELS:
        sizes.insert(0, max(2, math.ceil(sizes[0] / LEVEL_RATIO)))
    return sizes


def hierarchy(coords: np.ndarray, assignment: np.ndarray) -> list[Cluster]:
    """The finest clusters (ids 0..k-1) and coarser levels over them (the next ids), each with size and centre."""
    from scipy.cluster.hierarchy import fcluster, linkage

    k = int(assignment.max()) + 1 if assignment.size and assignment.max() >= 0 else 0
    if k == 0:
        return []
    sizes = level_sizes(k)
    members = [np.flatnonzero(assignment == c) for c in range(k)]
    centroids = np.stack([coords[m].astype(np.float64).mean(axis=0) for m in members])
    groups: list[np.ndarray] = []  # per coarser level: each fine cluster's group (0-based)
    if len(sizes) > 1:
        tree = linkage(centroids, method="ward")
        for count in sizes[:-1]:
            groups.append(_by_size_weighted(fcluster(tree, t=count, criterion="maxclust") - 1, members))
    out: list[Cluster] = []
    first_id = [0] * len(sizes)
    next_id = k
    for level in range(len(sizes) - 1):
        first_id[level] = next_id
        next_id += int(groups[level].max()) + 1
    for level in range(len(sizes)):
        finest = level == len(sizes) - 1
        group = np.arange(k) if finest else groups[level]
        for g in range(int(group.max()) + 1):
            rows = np.concatenate([members[c] for c in np.flatnonzero(group == g)])
            parent = None if level == 0 else first_id[level - 1] + int(groups[level - 1][np.flatnonzero(group == g)[0]])
            middle = rows[_middle(coords[rows])]
            out.append(Cluster(first_id[level] + g, level, len(rows), _floats(coords[middle]), int(middle), parent))
    return out


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
    assignment = find_clusters(coords, min_cluster_size=size, random_state=random_state, cancel=cancel)
    check(cancel)
    tree = hierarchy(coords, assignment)
    for c in tree:
        c.row = int(rows[c.row])  # the embedding's row
    kind = _name_all(tree, assignment, rows, values, emb, random_state) if column is not None else None
    if column is None:
        for c in tree:
            c.label = f"cluster {c.id}"
    levels = max((c.level for c in tree), default=-1) + 1
    result = Clusters(assignment, tree, levels, size, column, kind, indices, key=key)
    if cache is not None:
        cache.put(key, {"assignment": assignment}, _meta(result))
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
    tree: list[Cluster], assignment: np.ndarray, rows: np.ndarray, values: list[str], emb: Embedding, seed: int
) -> str:
    """Label every cluster of `tree` from `values` (one per embedding row); returns the kind of labels made."""
    from . import cluster_labels as cl

    drawn = assignment >= 0
    kind = cl.label_kind([values[int(r)] for r in rows[drawn]])
    fine_rows = [rows[assignment == c] for c in range(int(assignment.max()) + 1)] if drawn.any() else []
    levels = max((c.level for c in tree), default=-1) + 1
    fine = [c for c in tree if c.level == levels - 1]
    above = {f.id: _above(tree, f) for f in fine}
    for level in range(levels):
        members = [c for c in tree if c.level == level]
        groups = [np.concatenate([fine_rows[f.id] for f in fine if c.id in above[f.id]]) for c in members]
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


def _above(tree: list[Cluster], cluster: Cluster) -> set[int]:
    by_id = {c.id: c for c in tree}
    out = {cluster.id}
    while cluster.parent is not None:
        cluster = by_id[cluster.parent]
        out.add(cluster.id)
    return out


def _meta(result: Clusters) -> dict[str, Any]:
    return {
        "clusters": [c.as_dict() for c in result.clusters],
        "levels": result.levels,
        "min_cluster_size": result.min_cluster_size,
        "column": result.column,
        "label_kind": result.label_kind,
    }


def _check_entry(arrays: dict[str, np.ndarray], meta: dict[str, Any], rows: int) -> None:
    assignment = arrays["assignment"]
    if assignment.dtype != np.int32 or assignment.shape != (rows,):
        raise ValueError(f"'assignment' is {assignment.dtype} {assignment.shape}, expected int32 ({rows},)")
    if not isinstance(meta["clusters"], list) or not isinstance(meta["levels"], int):
        raise ValueError("no cluster list")
    if assignment.size and int(assignment.max()) >= sum(
        1 for c in meta["clusters"] if c["level"] == meta["levels"] - 1
    ):
        raise ValueError("an assignment to a cluster that is not listed")


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
    )
