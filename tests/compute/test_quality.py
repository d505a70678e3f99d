import logging

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.neighbors import NearestNeighbors

import embedscope.compute.quality as quality
from embedscope.compute.quality import nearest, neighbor_preservation
from embedscope.errors import ParameterError


def _rotation(theta):
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


def _sklearn_sets(x, rows, k, metric):
    nn = NearestNeighbors(n_neighbors=k + 1, metric=metric, algorithm="brute").fit(x)
    _, idx = nn.kneighbors(x[rows])
    return [set(r[r != i][:k]) for r, i in zip(idx, rows, strict=True)]


def test_isometric_projection_keeps_every_neighbourhood():
    x = np.random.default_rng(0).standard_normal((600, 2)).astype(np.float32)
    coords = (x @ _rotation(0.7).T * 3.0 + 5.0).astype(np.float32)  # rotated, scaled, shifted
    assert neighbor_preservation(x, coords) == 1.0
    assert neighbor_preservation(x, coords, sample=50, k=5) == 1.0


def test_random_projection_scores_low():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1000, 2)).astype(np.float32)
    coords = rng.standard_normal((1000, 2)).astype(np.float32)
    assert neighbor_preservation(x, coords) < 0.05


def test_pca_of_digits_is_in_between():
    x = load_digits().data.astype(np.float32)
    x -= x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    score = neighbor_preservation(x, x @ vt[:2].T, sample=500)
    assert 0.05 < score < 0.6


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("d", [5, 100])
def test_nearest_equals_sklearn_brute_force(metric, d, monkeypatch):
    monkeypatch.setattr(quality, "SCORE_BUDGET", 60 * 37)  # 37 rows a block: many blocks, both merge paths
    rng = np.random.default_rng(2)
    x = rng.standard_normal((700, d)).astype(np.float32)
    rows = np.sort(rng.choice(700, size=60, replace=False))
    ours = nearest(x, rows, k=10, metric=metric)
    assert ours.shape == (60, 10) and ours.dtype == np.int64
    assert [set(r) for r in ours] == _sklearn_sets(x, rows, 10, metric)


@pytest.mark.parametrize("d", [2, 12])
def test_duplicates_are_neighbours_but_a_point_is_not_its_own(d):
    x = np.zeros((4, d), dtype=np.float32)
    x[2, 0], x[3, :2] = 1.0, 5.0  # rows 0 and 1 are the same point
    near = nearest(x, np.arange(4), k=1)[:, 0]
    assert near[0] == 1 and near[1] == 0 and near[2] in (0, 1) and near[3] == 2


def test_same_seed_same_score_and_k_reduced_for_tiny_data(caplog):
    rng = np.random.default_rng(3)
    x, coords = rng.standard_normal((300, 8)), rng.standard_normal((300, 2))
    a = neighbor_preservation(x, coords, sample=40, random_state=5)
    assert a == neighbor_preservation(x, coords, sample=40, random_state=5)
    with caplog.at_level(logging.WARNING, logger="embedscope.compute.quality"):
        assert neighbor_preservation(x[:6], x[:6, :2] * 2, k=10) == 1.0
    assert "k=10 reduced to 5" in caplog.text


def test_bad_arguments():
    x = np.zeros((10, 3), dtype=np.float32)
    with pytest.raises(ParameterError, match="coords has 9 rows for 10 vectors"):
        neighbor_preservation(x, np.zeros((9, 2)))
    with pytest.raises(ParameterError, match=r"`metric` must be one of \['euclidean', 'cosine'\], got 'manhattan'"):
        neighbor_preservation(x, np.zeros((10, 2)), metric="manhattan")
    with pytest.raises(ParameterError, match="`k` must be a positive integer"):
        neighbor_preservation(x, np.zeros((10, 2)), k=0)


def _pca2(x):
    x = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    return (x @ vt[:2].T).astype(np.float32)


def test_trustworthiness_and_continuity_are_scikit_learns_on_the_sample():
    from sklearn.manifold import trustworthiness

    x = load_digits().data.astype(np.float32)
    coords = _pca2(x)
    trust, continuity = quality.trust_and_continuity(x, coords, sample=400, random_state=3)
    rows = np.sort(np.random.default_rng(3).choice(len(x), 400, replace=False))
    assert trust == pytest.approx(trustworthiness(x[rows], coords[rows], n_neighbors=10))
    assert continuity == pytest.approx(trustworthiness(coords[rows], x[rows], n_neighbors=10))  # roles swapped


def test_trustworthiness_tells_a_tsne_map_from_a_pca_one_and_from_noise():
    from embedscope.compute.tsne import tsne

    x = load_digits().data.astype(np.float32)
    pca = quality.trust_and_continuity(x, _pca2(x))
    neighbours = quality.trust_and_continuity(x, tsne(x, n_iter=300, random_state=0))
    noise = quality.trust_and_continuity(x, np.random.default_rng(0).standard_normal((len(x), 2)))
    assert neighbours[0] > pca[0] + 0.05 and neighbours[1] > pca[1]  # t-SNE keeps neighbourhoods, PCA variance
    assert 0.4 < noise[0] < 0.6 and 0.4 < noise[1] < 0.6  # about 0.5 at random
    rotated = _pca2(x) @ _rotation(1.1).T * 7.0
    assert quality.trust_and_continuity(_pca2(x), rotated) == (pytest.approx(1.0), pytest.approx(1.0))


def test_trustworthiness_under_cosine_ignores_row_lengths_and_skips_undrawn_points():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((300, 8)).astype(np.float32)
    coords = x[:, :2].copy()
    scaled = x * rng.uniform(0.1, 10.0, (300, 1)).astype(np.float32)
    assert quality.trust_and_continuity(scaled, coords, metric="cosine") == quality.trust_and_continuity(
        x, coords, metric="cosine"
    )
    holes = coords.copy()
    holes[::7] = np.nan  # UMAP's points cut off from the graph
    trust, continuity = quality.trust_and_continuity(x, holes)
    assert np.isfinite(trust) and np.isfinite(continuity)
    with pytest.raises(ParameterError, match="at least 3 drawn points, got 2"):
        quality.trust_and_continuity(x[:3], holes[:3])  # row 0 is not drawn
