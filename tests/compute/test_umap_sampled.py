"""UMAP of many points (lay out a sample, place the rest as umap-learn's transform does, refine all together).

The path is taken from SAMPLE_FROM points on; here the threshold is lowered so that scikit-learn's digits
(1,797 x 64, real data) take it in seconds, and its quality is compared with the plain path on the same data.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from sklearn.datasets import load_digits

import embedscope.compute.umap_sampled as sampled_module
from embedscope import Embedding
from embedscope.compute.knn_graph import clear_memo, knn_graph
from embedscope.compute.progress import Cancelled, CancelToken
from embedscope.compute.projection import project
from embedscope.compute.quality import neighbor_preservation
from embedscope.compute.umap import umap


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    return load_digits().data.astype(np.float32)


@pytest.fixture(scope="module")
def graph(digits):
    return knn_graph(digits, k=14, engine="exact")


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch):
    monkeypatch.setattr(sampled_module, "SAMPLE_FROM", 1_000)
    monkeypatch.setattr(sampled_module, "SAMPLE_SIZE", 600)


@pytest.fixture(scope="module")
def plain(digits, graph) -> np.ndarray:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sampled_module, "SAMPLE_FROM", 10**9)  # the ordinary path
        return umap(digits, knn=graph)


def test_sampled_path_keeps_neighbourhoods_like_the_plain_one(digits, graph, plain):
    reports = []
    ours = umap(digits, knn=graph, progress=reports.append)
    assert ours.shape == (len(digits), 2) and np.isfinite(ours).all()
    assert not np.array_equal(ours, plain)  # the other path was taken
    kept_ours = neighbor_preservation(digits, ours, sample=len(digits))
    kept_plain = neighbor_preservation(digits, plain, sample=len(digits))
    assert kept_ours >= 0.9 * kept_plain, (kept_ours, kept_plain)
    fractions = [r.fraction for r in reports if r.stage == "umap" and r.fraction is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(0 < f < sampled_module.SAMPLE_SHARE for f in fractions)  # the sample's epochs fill the first part
    messages = {r.message for r in reports}
    assert "optimising the layout (the sample)" in messages
    assert "optimising the layout (all points together)" in messages
    last = [r for r in reports if r.stage == "umap"][-1]
    assert last.iteration == last.total == sampled_module.JOINT_EPOCHS


def test_same_seed_same_map_and_another_seed_another(digits, graph):
    a = umap(digits, knn=graph, random_state=3)
    b = umap(digits, knn=graph, random_state=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, umap(digits, knn=graph, random_state=4))


def test_placing_equals_umap_learns_transform_start():
    """place() against umap-learn's own membership strengths and init_graph_transform on the same neighbours."""
    from umap.umap_ import compute_membership_strengths, init_graph_transform, smooth_knn_dist

    rng = np.random.default_rng(0)
    ys = rng.standard_normal((300, 2)).astype(np.float32)
    indices = np.stack([rng.choice(300, 15, replace=False) for _ in range(200)])
    distances = np.sort(rng.uniform(0.5, 3.0, (200, 15)).astype(np.float32), axis=1)
    distances[7, 0] = 0.0  # a new point equal to a sample point sits on it
    sigmas, rhos = smooth_knn_dist(distances, 15.0, local_connectivity=0.0)
    rows, cols, vals, _ = compute_membership_strengths(indices, distances, sigmas, rhos, bipartite=True)
    theirs = init_graph_transform(scipy.sparse.csr_matrix((vals, (rows, cols)), shape=(200, 300)), ys)
    ours = sampled_module.place(ys, indices, distances, 15)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(ours[7], ys[indices[7, 0]])


def test_cancel_while_refining_all_points_stops_the_run(digits, graph):
    token = CancelToken()

    def progress(item):
        if item.message.endswith("(all points together)"):
            token.cancel()

    with pytest.raises(Cancelled):
        umap(digits, knn=graph, progress=progress, cancel=token)


def test_project_takes_the_sampled_path_and_reports_the_graph(digits):
    clear_memo()
    emb = Embedding(digits)
    result = project(emb, "umap", quality=False)
    assert result.coords.shape == (len(digits), 2) and np.isfinite(result.coords).all()
    summary = result.summary()
    assert summary["knn_engine"] == "exact" and summary["reproducible"] is True
    clear_memo()
    again = project(emb, "umap", quality=False)
    np.testing.assert_array_equal(result.coords, again.coords)


def test_on_an_approximate_graph_the_sample_stays_seeded_and_the_joint_layout_uses_every_core(digits, monkeypatch):
    import embedscope.compute.umap as umap_module

    seeds = []

    def fit(x, **kwargs):
        seeds.append((len(x), kwargs["random_state"]))
        return np.zeros((len(x), 2), dtype=np.float32)

    monkeypatch.setattr(umap_module, "_fit", fit)
    approximate = knn_graph(digits, k=14, engine="approximate")
    assert approximate.engine == "hnsw"
    umap(digits, knn=approximate, random_state=7)
    assert seeds == [(600, 7), (len(digits), None)]
    seeds.clear()
    umap(digits, knn=approximate, random_state=7, parallel=True)  # asked for speed: nothing seeded
    assert seeds == [(600, None), (len(digits), None)]
    seeds.clear()
    exact = knn_graph(digits, k=14, engine="exact")
    umap(digits, knn=exact, random_state=7)
    assert seeds == [(600, 7), (len(digits), 7)]
