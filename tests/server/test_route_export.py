"""Export a selection and a projection's coordinates as CSV, TSV or Parquet."""

from __future__ import annotations

import io

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

BASE = "/api/runs/r0/embeddings/e0/export"


def _finished(client, **request):
    job = client.state.jobs.start("r0", "e0", **request)
    if job.future is not None:
        job.future.result(timeout=60)
    return job


def test_selection_as_csv(client) -> None:
    response = client.post(BASE, json={"indices": [4, 1], "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="words.csv"'
    table = pacsv.read_csv(io.BytesIO(response.content))
    assert table.column_names == ["index", "label", "kind", "size"]
    assert table.column("index").to_pylist() == [4, 1]
    assert table.column("label").to_pylist() == ["apple", "queen"]


def test_selection_as_tsv_without_metadata(client) -> None:
    response = client.post(BASE, json={"indices": [0], "format": "tsv", "metadata": False})
    assert response.text.splitlines() == ['"index"\t"label"', '0\t"King"']


def test_every_row_as_parquet(client) -> None:
    response = client.get(BASE, params={"format": "parquet"})
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(response.content))
    assert table.num_rows == 8 and table.column("kind").to_pylist()[4] == "fruit"


def test_projection_coordinates(client) -> None:
    job = _finished(client, method="pca")
    coords = job.result.coords
    table = pq.read_table(io.BytesIO(client.get(BASE, params={"job_id": job.id, "format": "parquet"}).content))
    assert table.column_names[:4] == ["index", "label", "x", "y"]
    assert np.allclose(np.column_stack([table.column("x"), table.column("y")]), coords)
    picked = pq.read_table(
        io.BytesIO(client.post(BASE, json={"job_id": job.id, "indices": [5, 2], "format": "parquet"}).content)
    )
    assert picked.column("index").to_pylist() == [5, 2]
    assert np.allclose(np.column_stack([picked.column("x"), picked.column("y")]), coords[[5, 2]])


def test_projection_of_a_subset(client, expect_error) -> None:
    job = _finished(client, method="pca", subset=[0, 2, 4, 5, 7])
    table = pq.read_table(io.BytesIO(client.get(BASE, params={"job_id": job.id, "format": "parquet"}).content))
    assert table.column("index").to_pylist() == [0, 2, 4, 5, 7]
    picked = pq.read_table(
        io.BytesIO(client.post(BASE, json={"job_id": job.id, "indices": [7, 2], "format": "parquet"}).content)
    )
    assert np.allclose(np.column_stack([picked.column("x"), picked.column("y")]), job.result.coords[[4, 1]])
    expect_error(client.post(BASE, json={"job_id": job.id, "indices": [1]}), 422, "parameter", match="row 1 is not")


def test_export_errors(client, expect_error) -> None:
    expect_error(client.post(BASE, json={"job_id": "f" * 32}), 404, "not_found", match="no projection job")
    expect_error(client.post(BASE, json={"indices": [8]}), 422, "parameter", match="out of range")
    expect_error(client.post(BASE, json={"indices": [0], "format": "xlsx"}), 422, "parameter", match="format")
    job = _finished(client, method="pca")
    expect_error(
        client.post("/api/runs/r0/embeddings/e1/export", json={"job_id": job.id}),
        422,
        "parameter",
        match="belongs to another embedding",
    )


@pytest.mark.parametrize("fmt", ["csv", "tsv", "parquet"])
def test_unicode_labels_survive(make_client, fmt: str) -> None:
    import pyarrow as pa

    from embedscope.embedding import Collection, Embedding

    data = Collection()
    meta = pa.table({"label": ["naïve", "日本", 'quote"tab\t']})
    data.add(".", Embedding(np.eye(3, dtype=np.float32), name="uni", metadata=meta))
    content = make_client(data).post(BASE, json={"format": fmt}).content
    if fmt == "parquet":
        labels = pq.read_table(io.BytesIO(content)).column("label").to_pylist()
    else:
        delimiter = "," if fmt == "csv" else "\t"
        table = pacsv.read_csv(io.BytesIO(content), parse_options=pacsv.ParseOptions(delimiter=delimiter))
        labels = table.column("label").to_pylist()
    assert labels == ["naïve", "日本", 'quote"tab\t']
