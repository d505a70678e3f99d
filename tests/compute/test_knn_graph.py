import threading

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

import embedscope.compute.knn_graph as knn_module
from embedscope.compute.knn_graph import KnnGraph, clear_memo, knn_graph
from embedscope.compute.progress import Cancelled, CancelToken
from embedscope.errors import ParameterError


@pytest.fixture(autouse=True)
def fresh_memo():
    clear_memo()
    yield
    clear_memo()


@pytest.fixture(params=["whole rows", "sampled bound"])
def small_blocks(request, monkeypatch):
    """Blocks of 16 rows, so that a few hundred points take many blocks on several threads; the k-th score of
    each row found by partitioning whole rows, or bounded from a sample of columns first (as for large N)."""
    monkeypatch.setattr(knn_module, "BLOCK_BYTES", 1)
    if request.param == "sampled bound":
        monkeypatch.setattr(knn_module, "SAMPLE_COLUMNS", 256)
        monkeypatch.setattr(knn_module, "SAMPLE_PER_NEIGHBOUR", 4)


def _random(n, d, seed):
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_exact_equals_sklearn_brute_force(metric, small_blocks):
    x = _random(2000, 12, 1)
    graph = knn_graph(x, k=20, metric=metric)
    distances, indices = NearestNeighbors(n_neighbors=20, metric=metric, algorithm="brute").fit(x).kneighbors()
    assert graph.indices.shape == (2000, 20) and graph.indices.dtype == np.int64
    assert graph.distances.dtype == np.float32
    np.testing.assert_array_equal(graph.indices, indices)
    np.testing.assert_allclose(graph.distances, distances, rtol=1e-5, atol=1e-6)
    assert graph.engine == "exact" and graph.recall == 1.0 and graph.metric == metric


def test_clustered_rows_in_order_fall_back_to_whole_rows(monkeypatch):
    # tight clusters of 20 stored one after another: a column sample misses most of a row's cluster, so its
    # bound lets whole neighbouring clusters through and the block is partitioned whole instead
    monkeypatch.setattr(knn_module, "SAMPLE_COLUMNS", 40)
    monkeypatch.setattr(knn_module, "SAMPLE_PER_NEIGHBOUR", 1)
    rng = np.random.default_rng(11)
    x = (np.repeat(rng.standard_normal((30, 6)) * 10, 20, axis=0) + rng.standard_normal((600, 6)) * 0.1).astype(
        np.float32
    )
    graph = knn_graph(x, k=10)
    indices = NearestNeighbors(n_neighbors=10, algorithm="brute").fit(x).kneighbors(return_distance=False)
    np.testing.assert_array_equal(graph.indices, indices)


def test_self_is_excluded_and_duplicates_are_found():
    x = _random(50, 5, 2)
    x[10] = x[3]  # a duplicate: its twin is at distance 0, the point itself never appears
    graph = knn_graph(x, k=4)
    assert not (graph.indices == np.arange(50)[:, None]).any()
    assert graph.indices[3, 0] == 10 and graph.indices[10, 0] == 3
    assert graph.distances[3, 0] == 0.0


def _brute_with_ties(x, k):
    diff = x[:, None, :].astype(np.float64) - x[None, :, :]
    dist = np.sqrt((diff**2).sum(-1))
    np.fill_diagonal(dist, np.inf)
    ids = np.arange(len(x))
    return np.array([np.lexsort((ids, row))[:k] for row in dist])


def test_ties_are_broken_by_index(small_blocks):
    # integer points on a small lattice: many neighbours at exactly the same distance
    x = np.random.default_rng(3).integers(0, 4, size=(1500, 4)).astype(np.float32)
    graph = knn_graph(x, k=12)
    np.testing.assert_array_equal(graph.indices, _brute_with_ties(x, 12))


def test_massive_ties_keep_the_lowest_indices(small_blocks):
    x = np.ones((1100, 3), dtype=np.float32)  # every point at distance 0 from every other
    graph = knn_graph(x, k=5)
    assert graph.indices[0].tolist() == [1, 2, 3, 4, 5]
    assert graph.indices[1000].tolist() == [0, 1, 2, 3, 4]
    assert not graph.distances.any()


def test_zero_rows_under_cosine_are_at_distance_one():
    x = _random(30, 4, 4)
    x[7] = 0
    graph = knn_graph(x, k=3, metric="cosine")
    assert graph.indices[7].tolist() == [0, 1, 2]  # no angle to anything: all at 1 - 0, ties by index
    np.testing.assert_allclose(graph.distances[7], 1.0)


def test_memoised_by_content_and_smaller_k_is_served_from_larger():
    x = _random(200, 8, 5)
    big = knn_graph(x, k=30)
    again = knn_graph(x.copy(), k=30)  # equal data in a fresh array: same graph
    assert again.indices is big.indices
    small = knn_graph(x, k=10)
    assert np.shares_memory(small.indices, big.indices)
    np.testing.assert_array_equal(small.indices, big.indices[:, :10])
    assert not big.indices.flags.writeable
    other = knn_graph(x, k=10, metric="cosine")
    assert not np.shares_memory(other.indices, big.indices)
    changed = x.copy()
    changed[0, 0] += 1
    assert knn_graph(changed, k=10).indices is not small.indices


def test_head_is_a_view():
    graph = KnnGraph(np.arange(12).reshape(3, 4), np.zeros((3, 4), np.float32), "exact", 1.0)
    assert graph.head(4) is graph
    assert graph.head(2).indices.tolist() == [[0, 1], [4, 5], [8, 9]] and graph.head(2).k == 2


def test_progress_reaches_one(small_blocks):
    seen = []
    knn_graph(_random(300, 4, 7), k=5, progress=seen.append)
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert {p.stage for p in seen} == {"knn"}


def test_cancel_stops_the_search(small_blocks):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        knn_graph(_random(300, 4, 8), k=5, cancel=token)


def test_pause_then_resume_completes(small_blocks):
    token = CancelToken()
    token.pause()
    timer = threading.Timer(0.2, token.resume)
    timer.start()
    graph = knn_graph(_random(300, 4, 9), k=5, cancel=token)
    timer.join()
    assert graph.indices.shape == (300, 5)


def test_bad_parameters_name_the_parameter():
    x = _random(10, 3, 10)
    with pytest.raises(ParameterError, match=r"`k` must be an integer from 1 to N - 1 = 9, got 10"):
        knn_graph(x, k=10)
    with pytest.raises(ParameterError, match=r"`metric` must be one of \['euclidean', 'cosine'\], got 'l3'"):
        knn_graph(x, metric="l3")
    x[4, 1] = np.nan
    with pytest.raises(ParameterError, match="row 4 holds NaN"):
        knn_graph(x, k=3)
    with pytest.raises(ParameterError, match="N x D matrix"):
        knn_graph(np.zeros(5, np.float32), k=1)
