"""Search a column by substring or regular expression; all indices, the first labels; bad patterns are 400."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from embedscope.embedding import Collection, Embedding

EMB = "/api/runs/r0/embeddings/e0"
BASE = f"{EMB}/search"


def test_substring_is_case_insensitive_on_the_label_column(client) -> None:
    body = client.get(BASE, params={"q": "king"}).json()
    assert body == {
        "column": "label",
        "count": 2,
        "indices": [0, 6],
        "first": [{"index": 0, "label": "King"}, {"index": 6, "label": "Kingdom"}],
    }
    assert client.get(BASE, params={"q": "king", "ignore_case": False}).json()["indices"] == []


def test_substring_is_literal(client) -> None:
    assert client.get(BASE, params={"q": "k.ng"}).json()["count"] == 0
    assert client.get(BASE, params={"q": ""}).json()["count"] == 8


def test_regex_on_a_chosen_column(client) -> None:
    body = client.get(BASE, params={"q": "^(royal|place)$", "mode": "regex", "column": "kind"}).json()
    assert body["column"] == "kind"
    assert body["indices"] == [0, 1, 6]
    assert [hit["label"] for hit in body["first"]] == ["King", "queen", "Kingdom"]  # labels, not the searched column


def test_numeric_columns_are_searched_as_text(client) -> None:
    assert client.get(BASE, params={"q": "^[57]$", "mode": "regex", "column": "size"}).json()["indices"] == [5, 7]


def test_bad_regex_is_400_quoting_it(client, expect_error) -> None:
    error = expect_error(client.get(BASE, params={"q": "a(b", "mode": "regex"}), 400, "parameter", match="'a\\(b'")
    assert error["field"] == "q"
    expect_error(client.get(BASE, params={"q": "(?=x)", "mode": "regex"}), 400, "parameter", match="RE2")


def test_unknown_column_is_404(client, expect_error) -> None:
    expect_error(client.get(BASE, params={"q": "a", "column": "nope"}), 404, "not_found", match="'nope'")
    expect_error(client.get("/api/runs/r0/embeddings/e1/search", params={"q": "a", "column": "x"}), 404, "not_found")


def test_without_metadata_row_indices_are_searched(client) -> None:
    body = client.get("/api/runs/r0/embeddings/e1/search", params={"q": "^[1-3]$", "mode": "regex"}).json()
    assert body["column"] is None
    assert body["indices"] == [1, 2, 3]
    assert body["first"][0] == {"index": 1, "label": "1"}


def test_only_the_first_hundred_labels(make_client) -> None:
    n = 250
    data = Collection()
    data.add(
        ".",
        Embedding(np.ones((n, 2), dtype=np.float32), name="e", metadata=pa.table({"w": [f"w{i}" for i in range(n)]})),
    )
    client = make_client(data)
    body = client.get(BASE, params={"q": "w"}).json()
    assert body["count"] == n and len(body["indices"]) == n and len(body["first"]) == 100
    binary = client.get(BASE, params={"q": "w1", "format": "int32"})
    assert binary.headers["content-type"] == "application/octet-stream"
    indices = np.frombuffer(binary.content, dtype="<i4")
    assert int(binary.headers["x-count"]) == len(indices) == 111
    assert indices.tolist() == [i for i in range(n) if f"w{i}".startswith("w1")]


def test_nulls_never_match(make_client) -> None:
    data = Collection()
    meta = pa.table({"w": pa.array(["a", None, "ba"], type=pa.string()), "x": pa.array([1.5, None, 2.0])})
    data.add(".", Embedding(np.ones((3, 2), dtype=np.float32), name="e", metadata=meta))
    client = make_client(data)
    assert client.get(BASE, params={"q": "a"}).json()["indices"] == [0, 2]
    assert client.get(BASE, params={"q": "^$", "mode": "regex"}).json()["indices"] == [1]
    assert client.get(BASE, params={"q": "2", "column": "x"}).json()["indices"] == [2]


def test_labels_of_some_rows_in_the_order_asked(make_client, expect_error) -> None:
    api = make_client()
    emb = api.state.embedding("r0", "e0")
    n = len(emb)
    body = api.get(f"{EMB}/labels", params={"rows": f"{n - 1},0,3,0"}).json()
    assert body["labels"] == [emb.labels[n - 1], emb.labels[0], emb.labels[3], emb.labels[0]]
    assert api.get(f"{EMB}/labels", params={"rows": ""}).json()["labels"] == []
    expect_error(api.get(f"{EMB}/labels", params={"rows": str(n)}), 422, "parameter", match="past the table")
    expect_error(api.get(f"{EMB}/labels", params={"rows": "1,-2"}), 422, "parameter", match="row indices")
    expect_error(api.get(f"{EMB}/labels", params={"rows": "9" * 5000}), 422, "parameter", match="row indices")
    expect_error(api.get(f"{EMB}/labels", params={"rows": ",".join(["1"] * 1001)}), 422, "parameter")
    expect_error(api.get(f"{EMB}/labels", params={"rows": "1", "column": "nope"}), 404, "not_found")
