"""Clusters of a map (compute/clusters.py): HDBSCAN on the drawn points, sample + assign, levels, labels, cache."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.cluster import HDBSCAN
from sklearn.datasets import load_digits
from sklearn.metrics import adjusted_rand_score

from embedscope import Embedding, project
from embedscope.compute.cache import ProjectionCache
from embedscope.compute.clusters import clusters, find_clusters, find_levels, hierarchy
from embedscope.errors import ParameterError
from kjv import lsa, needs_bible, verses


@pytest.fixture(scope="module")
def digits_map():
    d = load_digits()
    emb = Embedding(d.data.astype(np.float32), metadata={"digit": d.target})
    return emb, project(emb, "umap", random_state=0).coords, d.target


def blobs(n: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centers = np.array([[0, 0], [20, 0], [0, 20], [20, 20], [40, 10]], dtype=np.float64)
    truth = rng.integers(0, len(centers), n)
    return (centers[truth] + rng.normal(size=(n, 2))).astype(np.float32), truth


def test_umap_clusters_of_the_digits_agree_with_the_digit_labels(digits_map):
    emb, coords, target = digits_map
    found = clusters(emb, coords, column="digit")
    assert adjusted_rand_score(target, found.assignment) >= 0.7
    assert found.levels >= 2 and found.label_kind == "categorical"
    for c in found.base_clusters:  # each is named by its commonest digit
        rows = found.rows(c.id)
        assert c.label.split(" ")[0] == str(np.bincount(target[rows]).argmax())
        assert c.size == len(rows)


def test_clusters_are_scikit_learns_hdbscan_numbered_by_size():
    x, _ = blobs(2000)
    found = find_clusters(x, min_cluster_size=50)
    direct = HDBSCAN(min_cluster_size=50, min_samples=10, copy=True).fit_predict(x.astype(np.float64))
    assert adjusted_rand_score(direct, found) == 1.0
    sizes = np.bincount(found[found >= 0])
    assert list(sizes) == sorted(sizes, reverse=True)


def test_a_large_map_is_clustered_on_a_sample_and_every_point_joins_one():
    x, truth = blobs(6000)
    x[:3] = np.nan  # not drawn
    found = find_clusters(x, min_cluster_size=300, sample=1000, random_state=0)
    assert (found[:3] == -1).all()
    assert adjusted_rand_score(truth[3:], found[3:]) > 0.95
    assert np.array_equal(found, find_clusters(x, min_cluster_size=300, sample=1000, random_state=0))
    whole = find_clusters(x, min_cluster_size=300)
    assert adjusted_rand_score(whole[3:], found[3:]) > 0.95


def test_levels_nest_and_add_up():
    rng = np.random.default_rng(1)
    centres = rng.uniform(0, 300, size=(30, 2))
    x = np.concatenate([c + rng.normal(size=(60, 2)) for c in centres]).astype(np.float32)
    base, parts = find_levels(x, min_cluster_size=30)
    tree, level = hierarchy(x, base, parts)
    by_id = {c.id: c for c in tree}
    levels = max(c.level for c in tree) + 1
    assert level == 1 and levels >= 2  # 30 clusters: a coarser level of groups above them
    for n in range(levels):
        assert sum(c.size for c in tree if c.level == n) == (base >= 0).sum()
    for c in tree:
        assert (c.parent is None) == (c.level == 0)
        if c.parent is not None:
            assert by_id[c.parent].level == c.level - 1
        kids = [k for k in tree if k.parent == c.id]
        assert not kids or sum(k.size for k in kids) == c.size
    assert sorted(c.id for c in tree if c.level == level) == list(range(base.max() + 1))


def test_a_large_continuous_cluster_is_named_by_its_parts():
    """One dense region of three lobes (one HDBSCAN cluster) and a separate island: the region's parts are the leaves
    of the cluster tree, every point of the region in one of them."""
    rng = np.random.default_rng(2)
    lobes = [rng.normal(loc=(k * 3.0, 0), scale=1.0, size=(400, 2)) for k in range(3)]
    island = rng.normal(loc=(40, 40), scale=1.0, size=(300, 2))
    x = np.concatenate([*lobes, island]).astype(np.float32)
    base, parts = find_levels(x, min_cluster_size=60)
    region = base[0]
    assert (base[:1200] == region).mean() > 0.95 and base[1200] != region
    inside = parts[base == region]
    assert len(np.unique(inside)) >= 2 and (inside >= 0).all()  # parts cover the region
    names = [f"lobe{k}" for k in range(3) for _ in range(400)] + ["island"] * 300
    found = clusters(Embedding(x, metadata={"where": names}), x, column="where", min_cluster_size=60)
    assert found.detail is not None and found.levels == found.base + 2
    assert set(found.table(len(x)).column_names) == {"cluster", "cluster_label", "subcluster", "subcluster_label"}
    part_names = {c.label.split(" ")[0] for c in found.level(found.base + 1) if c.parent == region}
    assert len(part_names & {"lobe0", "lobe1", "lobe2"}) >= 2  # the parts are named by different lobes


def test_the_columns_hold_each_rows_cluster_and_its_name(digits_map):
    emb, coords, _ = digits_map
    subset = np.arange(0, len(emb), 2)
    found = clusters(emb, coords[subset], indices=subset, column="digit")
    table = found.table(len(emb))
    ids, names = table.column("cluster").to_pylist(), table.column("cluster_label").to_pylist()
    assert ids[1] is None and names[1] is None  # not in the subset
    label = {c.id: c.label for c in found.base_clusters}
    for row, a in zip(subset, found.assignment, strict=True):
        assert ids[row] == (None if a < 0 else a) and names[row] == (None if a < 0 else label[a])


def test_clusters_are_cached_by_map_and_column(digits_map, tmp_path):
    emb, coords, _ = digits_map
    cache = ProjectionCache(tmp_path)
    first = clusters(emb, coords, column="digit", cache=cache)
    again = clusters(emb, coords, column="digit", cache=cache)
    assert again.cached and not first.cached
    assert np.array_equal(first.assignment, again.assignment)
    assert [c.as_dict() for c in first.clusters] == [c.as_dict() for c in again.clusters]
    assert not clusters(emb, coords, column="digit", cache=cache, min_cluster_size=40).cached
    assert not clusters(emb, coords + 1, column="digit", cache=cache).cached


def test_wrong_requests_are_named(digits_map):
    emb, coords, _ = digits_map
    with pytest.raises(ParameterError, match="no metadata column `nope`"):
        clusters(emb, coords, column="nope")
    with pytest.raises(ParameterError, match="min_cluster_size"):
        clusters(emb, coords, min_cluster_size=1)
    with pytest.raises(ParameterError, match="map rows"):
        clusters(emb, coords[:10])


def test_without_metadata_clusters_are_numbered():
    x, _ = blobs(500)
    found = clusters(Embedding(x), x)
    assert found.column is None and {c.label for c in found.clusters} == {f"cluster {c.id}" for c in found.clusters}


@pytest.mark.slow
@needs_bible
def test_kjv_verse_clusters_are_named_by_words_they_hold():
    books, texts = verses({"Ge", "Psa", "Mat", "Rev"})
    emb = Embedding(lsa(texts), metadata={"book": books, "text": texts})
    coords = project(emb, "umap", random_state=0).coords
    found = clusters(emb, coords, column="text")
    assert found.label_kind == "text" and len(found.clusters) >= 5
    words = [set(re.findall(r"\b[^\W\d_]{2,}\b", t.lower())) for t in texts]
    clustered = np.flatnonzero(found.assignment >= 0)
    for c in found.clusters:
        rows = found.rows(c.id)
        others = np.setdiff1d(clustered, rows)  # the other clusters' verses
        assert c.terms and c.label == ", ".join(t for t, _ in c.terms)
        for term, _ in c.terms:  # each word is in the cluster's verses, and more often than in the rest
            inside = np.mean([term in words[r] for r in rows])
            assert inside > np.mean([term in words[r] for r in others]) and inside > 0
    by_book = clusters(emb, coords, column="book")
    assert by_book.label_kind == "categorical"
    assert {c.label.split(" ")[0] for c in by_book.base_clusters} <= {"Ge", "Psa", "Mat", "Rev"}
