"""The switch between the exact and the approximate (HNSW) k-NN graph, and the recall reported with it.

Real data: scikit-learn's digits (1,797 x 64) and rows of MiniLM's token table (384 dimensions). Exact neighbours
to compare with come from scikit-learn's brute-force search, not from our own code.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.neighbors import NearestNeighbors

import embedscope.compute.knn_graph as knn_module
from embedscope import demo
from embedscope.compute.knn_approx import measured_recall
from embedscope.compute.knn_graph import APPROX_FROM, choose_engine, clear_memo, knn_graph
from embedscope.errors import ParameterError


@pytest.fixture(autouse=True)
def fresh_memo():
    clear_memo()
    yield
    clear_memo()


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    x = load_digits().data  # integers: many tied distances; a tiny seeded jitter makes the neighbours unique
    return (x + np.random.default_rng(0).normal(scale=1e-3, size=x.shape)).astype(np.float32)


@pytest.fixture(scope="module")
def tokens() -> np.ndarray:
    return np.ascontiguousarray(demo.minilm_tokens().vectors[2000:14000])  # past the [unused] tokens


def sklearn_neighbours(x: np.ndarray, k: int, metric: str = "euclidean") -> np.ndarray:
    nn = NearestNeighbors(n_neighbors=k, algorithm="brute", metric=metric).fit(x)
    return nn.kneighbors(return_distance=False)


def recall_against(found: np.ndarray, exact: np.ndarray) -> float:
    k = exact.shape[1]
    return sum(np.intersect1d(a, b).size for a, b in zip(found, exact, strict=True)) / (len(exact) * k)


def test_auto_is_exact_below_the_crossover_and_approximate_from_it():
    assert APPROX_FROM >= 20_000  # below 20,000 points nothing may become approximate (issue 14)
    assert choose_engine(APPROX_FROM - 1) == "exact"
    assert choose_engine(APPROX_FROM) == "hnsw"
    assert choose_engine(10, "approximate") == "hnsw"
    assert choose_engine(10_000_000, "exact") == "exact"
    with pytest.raises(ParameterError, match="engine"):
        choose_engine(10, "faiss")


def test_below_the_crossover_the_graph_is_exact(digits):
    graph = knn_graph(digits, k=10)
    assert graph.engine == "exact" and graph.recall == 1.0
    assert recall_against(graph.indices, sklearn_neighbours(digits, 10)) > 0.999  # ties may order differently


def test_above_the_crossover_the_graph_is_approximate_with_its_recall(digits, monkeypatch):
    monkeypatch.setattr(knn_module, "APPROX_FROM", 1_000)  # digits' 1,797 points are then "many"
    graph = knn_graph(digits, k=15)
    assert graph.engine == "hnsw"
    truth = recall_against(graph.indices, sklearn_neighbours(digits, 15))
    assert 0.9 <= truth <= 1.0
    assert graph.recall == pytest.approx(truth, abs=0.03)  # measured on a sample of 1,000 of the 1,797 points


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_the_approximate_graph_of_real_embeddings(tokens, metric):
    graph = knn_graph(tokens, k=15, metric=metric, engine="approximate")
    assert graph.engine == "hnsw" and graph.indices.shape == (len(tokens), 15)
    rows = np.arange(len(tokens))[:, None]
    assert not (graph.indices == rows).any()  # the point itself is left out
    assert (np.diff(graph.distances, axis=1) >= -1e-6).all()  # nearest first
    # true distances (not hnswlib's squared L2): recomputed for the found pairs
    a, b = tokens[np.repeat(np.arange(len(tokens)), 15)], tokens[graph.indices.ravel()]
    if metric == "cosine":
        want = 1 - np.einsum("ij,ij->i", a, b) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    else:
        want = np.linalg.norm(a - b, axis=1)
    np.testing.assert_allclose(graph.distances.ravel(), want, rtol=1e-3, atol=1e-4)
    truth = recall_against(graph.indices, sklearn_neighbours(tokens, 15, metric))
    assert graph.recall == pytest.approx(truth, abs=0.03)  # the figure reported is the graph's true recall
    if metric == "cosine":
        assert truth >= 0.9
    else:  # MiniLM's raw token vectors are hard for HNSW in L2 (about 0.76 even with a wide search): said, not hidden
        assert truth >= 0.6


def test_auto_falls_back_to_exact_where_the_approximation_misses_its_target(tokens, monkeypatch, caplog):
    monkeypatch.setattr(knn_module, "APPROX_FROM", 1_000)
    graph = knn_graph(tokens, k=15, metric="euclidean")  # HNSW finds about 0.76 here, under the 0.9 target
    assert graph.engine == "exact" and graph.recall == 1.0
    assert "using the exact one" in caplog.text
    assert recall_against(graph.indices, sklearn_neighbours(tokens, 15)) > 0.999


def test_an_exact_graph_in_memory_serves_an_approximate_request_not_the_reverse(digits):
    exact = knn_graph(digits, k=15, engine="exact")
    assert knn_graph(digits, k=10, engine="approximate").engine == "exact"  # better and already there
    clear_memo()
    approximate = knn_graph(digits, k=15, engine="approximate")
    again = knn_graph(digits, k=15, engine="exact")
    assert approximate.engine == "hnsw" and again.engine == "exact"
    np.testing.assert_array_equal(again.indices, exact.indices)


def test_measured_recall_counts_the_exact_neighbours_found(digits):
    exact = sklearn_neighbours(digits, 5)
    assert measured_recall(digits, exact, "euclidean") > 0.999
    shifted = np.roll(exact, 1, axis=0)  # another point's neighbours: almost none shared
    assert measured_recall(digits, shifted, "euclidean") < 0.2


def test_the_query_breadth_stops_growing_once_doubling_it_gains_nothing(digits, monkeypatch):
    import embedscope.compute.knn_approx as approx

    monkeypatch.setattr(approx, "RECALL_TARGET", 1.01)  # never reached: only the gain can stop the doubling
    breadths: list[int] = []
    query = approx._query

    def spy(*args, **kwargs):
        breadths.append(kwargs["ef"])
        return query(*args, **kwargs)

    monkeypatch.setattr(approx, "_query", spy)
    indices, _, recall = approx.hnsw_search(digits, 10, "euclidean")
    probes, final = breadths[:-1], breadths[-1]
    assert final == probes[-1] and final < approx.EF_MAX  # all points searched at the last breadth probed
    assert probes == [max(approx.EF_MIN, 10) * 2**i for i in range(len(probes))]
    assert recall_against(indices, sklearn_neighbours(digits, 10)) == pytest.approx(recall, abs=0.03)
