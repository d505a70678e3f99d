"""Metadata as Arrow IPC / JSON, and uploading a metadata TSV checked with the projector's rules."""

from __future__ import annotations

import pyarrow as pa

BASE = "/api/runs/r0/embeddings/e0/metadata"


def test_arrow_stream_of_chosen_columns(client) -> None:
    response = client.get(BASE, params={"columns": "kind,size"})
    assert response.headers["content-type"] == "application/vnd.apache.arrow.stream"
    assert response.headers["x-total-rows"] == "8"
    table = pa.ipc.open_stream(response.content).read_all()
    assert table.column_names == ["kind", "size"]
    assert table.column("kind").to_pylist()[:2] == ["royal", "royal"]
    assert table.schema.field("size").type == pa.int64()


def test_arrow_stream_of_every_column_and_a_slice(client) -> None:
    table = pa.ipc.open_stream(client.get(BASE).content).read_all()
    assert table.column_names == ["label", "kind", "size"] and table.num_rows == 8
    part = pa.ipc.open_stream(client.get(BASE, params={"offset": 6, "limit": 5}).content).read_all()
    assert part.column("label").to_pylist() == ["Kingdom", "zero"]


def test_json_for_small_requests(client) -> None:
    body = client.get(BASE, params={"columns": "label", "format": "json", "limit": 3, "offset": 1}).json()
    assert body == {"rows": 8, "offset": 1, "columns": ["label"], "data": {"label": ["queen", "man", "woman"]}}


def test_json_is_limited(client, monkeypatch) -> None:
    from embedscope.server.routes import metadata

    monkeypatch.setattr(metadata, "MAX_JSON_ROWS", 2)
    body = client.get(BASE, params={"format": "json", "limit": 100}).json()
    assert body["data"]["size"] == [0, 1]


def test_unknown_column_is_404(client, expect_error) -> None:
    error = expect_error(client.get(BASE, params={"columns": "label,nope"}), 404, "not_found", match="'nope'")
    assert "kind" in error["fix"]


def test_embedding_without_metadata_has_no_columns(client) -> None:
    table = pa.ipc.open_stream(client.get("/api/runs/r0/embeddings/e1/metadata").content).read_all()
    assert table.num_columns == 0
    assert client.get("/api/runs/r0/embeddings/e1/metadata", params={"format": "json"}).json()["data"] == {}


def _tsv(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def test_upload_replaces_metadata_in_memory(client) -> None:
    upload = _tsv(["name\tcolour"] + [f"p{i}\t{'red' if i % 2 else 'blue'}" for i in range(8)])
    response = client.post("/api/runs/r0/embeddings/e1/metadata", files={"file": ("points.tsv", upload)})
    assert response.status_code == 200, response.text
    info = response.json()
    assert (info["id"], info["run"], info["label_column"]) == ("e1", "r0", "name")
    assert [c["name"] for c in info["columns"]] == ["name", "colour"]
    assert client.get("/api/runs/r0/embeddings/e1").json() == info
    hits = client.get("/api/runs/r0/embeddings/e1/search", params={"q": "p3"}).json()
    assert hits["indices"] == [3]
    near = client.post("/api/runs/r0/embeddings/e1/neighbors", json={"query": "p0", "k": 1}).json()
    assert near["neighbors"][0]["label"] == "p1"


def test_upload_of_a_single_column_file(client) -> None:
    upload = _tsv([f"w{i}" for i in range(8)])
    info = client.post(BASE, files={"file": ("vocab.tsv", upload)}).json()
    assert [c["name"] for c in info["columns"]] == ["label"]


def test_upload_with_the_wrong_row_count_names_the_rule(client, expect_error) -> None:
    upload = _tsv(["word"] + [f"w{i}" for i in range(8)])  # a header row in a single-column file
    error = expect_error(
        client.post(BASE, files={"file": ("vocab.tsv", upload)}),
        400,
        "metadata",
        match="vocab.tsv: 9 lines for 8 vectors: single-column metadata must not have a header row",
    )
    assert error["path"] == "vocab.tsv"
    assert "remove the first line" in error["fix"]
    assert client.get(BASE, params={"format": "json"}).json()["columns"] == ["label", "kind", "size"]  # unchanged


def test_upload_that_is_not_utf8_names_the_line(client, expect_error) -> None:
    upload = "\n".join(f"w{i}" for i in range(7)).encode() + "\ncaf\xe9\n".encode("latin-1")
    expect_error(client.post(BASE, files={"file": ("../../x.tsv", upload)}), 400, "format", match=r"^x\.tsv line 8")


def test_upload_over_the_limit_is_413(make_client, expect_error) -> None:
    client = make_client(max_upload_bytes=2000)
    upload = _tsv([f"w{i}" + "x" * 300 for i in range(8)])
    expect_error(client.post(BASE, files={"file": ("big.tsv", upload)}), 413, "too_large")
    small = _tsv([f"w{i}" for i in range(8)])
    assert client.post(BASE, files={"file": ("small.tsv", small)}).status_code == 200


def test_upload_limit_also_holds_inside_the_route(make_client, expect_error) -> None:
    """The route counts the file too, should the body limit be set higher than the upload limit."""
    client = make_client(max_upload_bytes=10**6)  # the body limit, taken when the app is made
    client.state.settings.max_upload_bytes = 1000  # the file limit, read by the route
    upload = _tsv([f"w{i}" + "x" * 200 for i in range(8)])
    expect_error(client.post(BASE, files={"file": ("big.tsv", upload)}), 413, "too_large", match="uploaded file")


def test_upload_without_a_file_is_422(client, expect_error) -> None:
    expect_error(client.post(BASE, data={"x": "1"}), 422, "parameter", match="file")


def test_json_of_floats_and_bytes(make_client) -> None:
    import numpy as np

    from embedscope.embedding import Collection, Embedding

    meta = pa.table({"x": [1.5, float("nan"), None], "raw": pa.array([b"ok", b"\xff", None], type=pa.binary())})
    data = Collection()
    data.add(".", Embedding(np.ones((3, 2), dtype=np.float32), name="e", metadata=meta))
    body = make_client(data).get(BASE, params={"format": "json"}).json()
    assert body["data"] == {"x": [1.5, None, None], "raw": ["ok", "\ufffd", None]}
