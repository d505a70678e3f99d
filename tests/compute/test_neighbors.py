import numpy as np
import pyarrow as pa
import pytest
from gensim.models import KeyedVectors

from embedscope import Embedding
from embedscope.compute.neighbors import analogy, format_neighbors, neighbors, top_k
from embedscope.errors import ParameterError


@pytest.fixture(scope="module")
def pair():
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((400, 16)).astype(np.float32)
    words = [f"w{i}" for i in range(400)]
    kv = KeyedVectors(16)
    kv.add_vectors(words, vectors)
    return Embedding(vectors, metadata=pa.table({"word": words})), kv


def test_cosine_ranking_and_values_equal_gensim(pair):
    emb, kv = pair
    for word in ("w0", "w17", "w399"):
        ours = neighbors(emb, word, k=10)
        theirs = kv.most_similar(word, topn=10)
        assert [n.label for n in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([n.similarity for n in ours], [s for _, s in theirs], rtol=1e-5, atol=1e-6)


def test_analogy_3cosadd_and_3cosmul_equal_gensim(pair):
    emb, kv = pair
    ours = analogy(emb, positive=["w1", "w2"], negative=["w3"], k=8)
    theirs = kv.most_similar(positive=["w1", "w2"], negative=["w3"], topn=8)
    assert [n.label for n in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([n.similarity for n in ours], [s for _, s in theirs], rtol=1e-5, atol=1e-6)
    ours_mul = analogy(emb, positive=["w1", "w2"], negative=["w3"], k=8, method="3cosmul")
    theirs_mul = kv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=8)
    assert [n.label for n in ours_mul] == [w for w, _ in theirs_mul]
    np.testing.assert_allclose([n.score for n in ours_mul], [s for _, s in theirs_mul], rtol=1e-4)
    assert not {"w1", "w2", "w3"} & {n.label for n in ours_mul}


def test_euclidean_equals_brute_force(pair):
    emb, _ = pair
    q = emb.vectors[5]
    dist = np.linalg.norm(emb.vectors.astype(np.float64) - q, axis=1)
    dist[5] = np.inf
    expected = np.argsort(dist, kind="stable")[:7]
    ours = neighbors(emb, 5, k=7, metric="euclidean")
    assert [n.index for n in ours] == expected.tolist()
    np.testing.assert_allclose([n.distance for n in ours], dist[expected], rtol=1e-4)


def test_angles_and_guide_style_output():
    emb = Embedding(
        np.array([[1, 0], [1, 1], [0, 1], [-1, 0]], dtype=np.float32),
        metadata=pa.table({"word": ["blue", "red", "blues", "far"]}),
    )
    result = neighbors(emb, "blue", k=3)
    assert [round(n.angle, 1) for n in result] == [45.0, 90.0, 180.0]
    assert format_neighbors("blue", result[:2]) == "blue: (red, 45.0°), (blues, 90.0°)"


def test_query_vector_and_ties_broken_by_index():
    emb = Embedding(np.array([[1, 0], [1, 0], [0, 1], [1, 0]], dtype=np.float32))
    assert [n.index for n in neighbors(emb, [2.0, 0.0], k=3)] == [0, 1, 3]
    assert top_k(np.array([0.0, 1.0, 0.0, 1.0]), 3).tolist() == [1, 3, 0]
    assert top_k(np.array([0.5, -np.inf, 0.2]), 3).tolist() == [0, 2]


def test_errors_are_clear():
    emb = Embedding(np.array([[1, 0], [0, 0], [0, 1]], dtype=np.float32))
    with pytest.raises(ParameterError, match="only 2 other points exist"):
        neighbors(emb, 0, k=3)
    with pytest.raises(ParameterError, match="from 1 to 1,000"):
        neighbors(emb, 0, k=1001)
    with pytest.raises(ParameterError, match="zero vector"):
        neighbors(emb, 1, k=1)
    with pytest.raises(ParameterError, match="metric"):
        neighbors(emb, 0, k=1, metric="manhattan")
    with pytest.raises(ParameterError, match="needs 2 numbers"):
        neighbors(emb, [1.0, 2.0, 3.0], k=1)
    # a zero row has no angle to anything, so it is never a cosine neighbour
    assert [n.index for n in neighbors(emb, 0, k=2)] == [2]


def test_analogy_whose_terms_cancel_is_an_error(pair):
    emb, _ = pair
    with pytest.raises(ParameterError, match="terms cancel out"):
        analogy(emb, positive=["w1"], negative=["w1"], k=3)


def test_numeric_labels_are_shown_with_their_row():
    from embedscope.compute.neighbors import Neighbor, format_neighbors

    found = [
        Neighbor(index=877, label="0", distance=0.0194, similarity=0.9806),
        Neighbor(index=5, label="Nan", distance=0.0256, similarity=0.9744),
    ]
    assert format_neighbors("#0 (digit 0)", found) == "#0 (digit 0): (#877 (0), 11.3°), (Nan, 13.0°)"
