"""Neighbours of a point or a vector, and analogies, through the API: the library's answers, validated input."""

from __future__ import annotations

import numpy as np
import pytest

from embedscope.compute.neighbors import analogy, neighbors
from embedscope.embedding import Collection, Embedding

BASE = "/api/runs/r0/embeddings/e0"


def test_neighbors_of_a_label_index_and_hash_index(client) -> None:
    emb = client.state.embedding("r0", "e0")
    expected = [n.to_dict() for n in neighbors(emb, "queen", k=3)]
    for query in ("queen", 1, "#1"):
        body = client.post(f"{BASE}/neighbors", json={"query": query, "k": 3}).json()
        assert body["query"] == {"index": 1, "label": "queen"}
        assert body["metric"] == "cosine"
        assert [n["index"] for n in body["neighbors"]] == [n["index"] for n in expected]
        for got, want in zip(body["neighbors"], expected, strict=True):
            assert got["label"] == want["label"]
            assert got["similarity"] == pytest.approx(want["similarity"])
            assert got["angle"] == pytest.approx(want["angle"])


def test_neighbors_euclidean_and_of_a_vector(client) -> None:
    emb = client.state.embedding("r0", "e0")
    vector = [0.5, -1.0, 2.0]
    body = client.post(f"{BASE}/neighbors", json={"vector": vector, "k": 8, "metric": "euclidean"}).json()
    assert body["query"] is None
    assert [n["index"] for n in body["neighbors"]] == [n.index for n in neighbors(emb, vector, k=8, metric="euclidean")]
    assert all(n["angle"] is None for n in body["neighbors"])


def test_analogy(client) -> None:
    emb = client.state.embedding("r0", "e0")
    body = client.post(f"{BASE}/analogy", json={"positive": ["King", "woman"], "negative": ["man"], "k": 2}).json()
    expected = analogy(emb, positive=["King", "woman"], negative=["man"], k=2)
    assert [n["label"] for n in body["neighbors"]] == [n.label for n in expected]
    mul = client.post(f"{BASE}/analogy", json={"positive": [0, 3], "negative": [2], "k": 5, "method": "3cosmul"}).json()
    assert mul["neighbors"][0]["score"] is not None and len(mul["neighbors"]) == 5


@pytest.mark.parametrize(
    ("body", "status", "match"),
    [
        ({"query": 0, "k": 0}, 422, "`k`"),
        ({"query": 0, "k": 1001}, 422, "`k`"),
        ({"query": 0, "k": 8}, 422, r"`k` = 8 but only 7 other points"),
        ({"query": 0, "metric": "manhattan"}, 422, "metric"),
        ({"k": 3}, 422, "exactly one of `query` and `vector`"),
        ({"query": 0, "vector": [1, 2, 3]}, 422, "exactly one"),
        ({"vector": [1, 2]}, 422, "needs 3 numbers, got 2"),
        ({"query": 99}, 422, "out of range"),
        ({"query": -1}, 422, "out of range"),
        ({"query": "#99"}, 422, "out of range"),
        ({"query": "nobody"}, 404, "no point labelled 'nobody'"),
        ({"query": None, "vector": None}, 422, "exactly one"),
    ],
)
def test_bad_neighbor_requests(client, expect_error, body: dict, status: int, match: str) -> None:
    kind = "not_found" if status == 404 else "parameter"
    expect_error(client.post(f"{BASE}/neighbors", json=body), status, kind, match=match)


def test_non_finite_vectors_are_refused(client, expect_error) -> None:
    response = client.post(
        f"{BASE}/neighbors", content=b'{"vector": [NaN, 1, 2]}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("body", "status", "match"),
    [
        ({"positive": []}, 422, "positive"),
        ({"positive": ["nobody"]}, 404, "nobody"),
        ({"positive": [0], "k": 8}, 422, "only 7 other points"),
        ({"positive": [0], "method": "3cosfoo"}, 422, "method"),
    ],
)
def test_bad_analogy_requests(client, expect_error, body: dict, status: int, match: str) -> None:
    kind = "not_found" if status == 404 else "parameter"
    expect_error(client.post(f"{BASE}/analogy", json=body), status, kind, match=match)


def test_duplicate_labels_are_409(make_client, expect_error) -> None:
    import pyarrow as pa

    data = Collection()
    meta = pa.table({"label": ["a", "a", "b", "c"]})
    data.add(".", Embedding(np.eye(4, 3, dtype=np.float32) + 0.1, name="dup", metadata=meta))
    error = expect_error(
        make_client(data).post(f"{BASE}/neighbors", json={"query": "a", "k": 1}), 409, "ambiguous", match="ambiguous"
    )
    assert "#INDEX" in error["fix"]


def test_zero_vector_query_is_a_parameter_error(client, expect_error) -> None:
    expect_error(
        client.post(f"{BASE}/neighbors", json={"vector": [0, 0, 0], "k": 1}), 422, "parameter", match="zero vector"
    )


def test_analogy_terms_that_cancel_are_refused(client, expect_error) -> None:
    body = {"positive": ["King"], "negative": [0], "k": 2}
    expect_error(client.post(f"{BASE}/analogy", json=body), 422, "parameter", match="both positive and negative")


def test_booleans_are_not_numbers(client, expect_error) -> None:
    expect_error(client.post(f"{BASE}/neighbors", json={"query": True, "k": 1}), 422, "parameter")
    expect_error(client.post(f"{BASE}/neighbors", json={"query": 0, "k": True}), 422, "parameter")


def test_search_by_meaning_in_a_word_table_averages_its_words(client, expect_error) -> None:
    """No model made this table: a text's words it holds are averaged (gensim's most_similar), the others named."""
    emb = client.state.embedding("r0", "e0")
    body = client.post(f"{BASE}/meaning", json={"text": "queen, King and zzz", "k": 2}).json()
    assert body["how"] == "words" and body["model"] is None
    assert body["words"] == ["queen", "King"] and body["unknown"] == ["and", "zzz"]
    expected = analogy(emb, positive=["queen", "King"], k=2)
    assert [n["index"] for n in body["neighbors"]] == [n.index for n in expected]
    expect_error(client.post(f"{BASE}/meaning", json={"text": "zzz qqq"}), 404, "not_found", match="none of the words")
    expect_error(client.post(f"{BASE}/meaning", json={"text": ""}), 422, "parameter")
    expect_error(client.post(f"{BASE}/meaning", json={"text": "x" * 2001}), 422, "parameter")


def test_a_model_folder_named_by_a_served_file_is_not_loaded_unless_chosen(make_client, expect_error, tmp_path) -> None:
    """A hostile Parquet file may name any folder as its model (loading one runs its pickled weights): the server
    refuses a folder outside what it serves that nobody chose, before touching it."""
    outside = tmp_path / "elsewhere" / "model"
    outside.mkdir(parents=True)
    (outside / "modules.json").write_text("[]")
    data = Collection(source="test")
    data.add(".", Embedding(np.eye(4, dtype=np.float32), name="v", model=str(outside)))
    client = make_client(data)
    error = expect_error(client.post(f"{BASE}/meaning", json={"text": "anything"}), 403, "forbidden")
    assert "outside what is served" in error["message"]
