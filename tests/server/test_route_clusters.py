"""POST /api/projections/{id}/clusters and PUT .../clusters/{cluster}: clusters of a map, as metadata columns, named."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from sklearn.datasets import load_digits
from sklearn.metrics import adjusted_rand_score

from embedscope import Embedding
from embedscope.embedding import Collection

BASE = "/api/runs/r0/embeddings/e0/projections"


def digits() -> Collection:
    d = load_digits()
    out = Collection(source="test-data")
    out.add(
        ".",
        Embedding(
            d.data.astype(np.float32),
            name="digits",
            metadata={"name": [f"d{i}" for i in range(len(d.target))], "digit": d.target},
        ),
    )
    return out


def done(api, body: dict[str, Any]) -> str:
    job_id = api.post(BASE, json=body).json()["id"]
    for _ in range(1200):
        status = api.get(f"/api/projections/{job_id}").json()
        if status["state"] == "done":
            return job_id
        assert status["state"] in ("queued", "running"), status
        time.sleep(0.1)
    raise AssertionError("the projection did not finish")


@pytest.fixture
def api(make_client):
    return make_client(digits())


def column(api, name: str) -> list[Any]:
    return api.get(
        "/api/runs/r0/embeddings/e0/metadata", params={"columns": name, "format": "json", "limit": 2000}
    ).json()["data"][name]


def test_clusters_of_a_map_become_metadata_columns(api) -> None:
    job_id = done(api, {"method": "umap"})
    body = api.post(f"/api/projections/{job_id}/clusters", json={"column": "digit"}).json()
    assert body["levels"] == 3 and body["label_kind"] == "categorical" and body["points"] == 1797
    finest = [c for c in body["clusters"] if c["level"] == body["base_level"]]
    ids = [-1 if v is None else v for v in column(api, "cluster")]
    assert adjusted_rand_score(load_digits().target, ids) >= 0.7
    names = {c["id"]: c["label"] for c in finest}
    assert column(api, "cluster_label") == [None if i < 0 else names[i] for i in ids]
    info = {c["name"]: c for c in body["embedding"]["columns"]}
    assert {"cluster", "cluster_label"} <= set(info) and body["embedding"]["label_column"] == "name"
    assert info["cluster_label"]["distinct"]  # a few values: the page colours by it
    parts = [-1 if v is None else v for v in column(api, "subcluster")]
    for c in body["clusters"]:  # each label sits on a member of its cluster
        if c["level"] > body["base_level"]:
            assert parts[c["row"]] == c["id"]
        else:
            assert c["row"] in np.flatnonzero(
                np.isin(ids, [f["id"] for f in finest if c["id"] in (f["id"], f["parent"])])
            )
    again = api.post(f"/api/projections/{job_id}/clusters", json={"column": "digit"}).json()
    assert again["key"] == body["key"] and again["clusters"] == body["clusters"]


def test_a_name_given_is_kept_and_can_be_taken_back(api, make_client, tmp_path) -> None:
    job_id = done(api, {"method": "umap"})
    body = api.post(f"/api/projections/{job_id}/clusters", json={"column": "digit"}).json()
    first = next(c for c in body["clusters"] if c["level"] == body["base_level"])
    named = api.put(f"/api/projections/{job_id}/clusters/{first['id']}", json={"name": "  loops  "}).json()
    mine = next(c for c in named["clusters"] if c["id"] == first["id"])
    assert mine["label"] == "loops" and mine["renamed"]
    assert "loops" in column(api, "cluster_label")
    # another server on the same state folder finds the same clusters with the name
    other = make_client(digits())
    job2 = done(other, {"method": "umap"})
    found = other.post(f"/api/projections/{job2}/clusters", json={"column": "digit"}).json()
    assert next(c for c in found["clusters"] if c["id"] == first["id"])["label"] == "loops"
    back = api.put(f"/api/projections/{job_id}/clusters/{first['id']}", json={"name": None}).json()
    assert next(c for c in back["clusters"] if c["id"] == first["id"])["label"] == first["label"]
    assert "loops" not in column(api, "cluster_label")


def test_wrong_cluster_requests_get_the_error_shape(api, expect_error) -> None:
    expect_error(api.post("/api/projections/nope/clusters", json={}), 404, "not_found")
    job_id = done(api, {"method": "pca"})
    expect_error(
        api.put(f"/api/projections/{job_id}/clusters/0", json={"name": "x"}),
        404,
        "not_found",
        match="no clusters found",
    )
    expect_error(
        api.post(f"/api/projections/{job_id}/clusters", json={"column": "nope"}),
        422,
        "parameter",
        match="no metadata column",
    )
    expect_error(api.post(f"/api/projections/{job_id}/clusters", json={"min_cluster_size": 1}), 422, "parameter")
    api.post(f"/api/projections/{job_id}/clusters", json={})
    expect_error(
        api.put(f"/api/projections/{job_id}/clusters/9999", json={"name": "x"}),
        404,
        "not_found",
        match="no cluster 9999",
    )
    expect_error(api.put(f"/api/projections/{job_id}/clusters/0", json={"name": "a\x00b"}), 422, "parameter")
    expect_error(api.put(f"/api/projections/{job_id}/clusters/0", json={"name": "   "}), 422, "parameter")


def test_clusters_of_an_isolated_map_leave_the_other_rows_empty(api) -> None:
    subset = list(range(0, 1797, 3))
    job_id = done(api, {"method": "umap", "subset": subset})
    body = api.post(f"/api/projections/{job_id}/clusters", json={"column": "digit"}).json()
    assert body["points"] == len(subset)
    ids = column(api, "cluster")
    assert all(ids[i] is None for i in range(1797) if i % 3) and any(ids[i] is not None for i in subset)
    assert pa.array(ids).null_count >= 1797 - len(subset)
