"""The server keeps serving: integers past int64 are a 422 on every route that takes one, and the projection
job queue has a cap (429 past it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from embedscope.embedding import Collection, Embedding
from embedscope.server.jobs import JobManager

HUGE = 2**64  # past int64 (and uint64): numpy and Arrow overflow on it
E = "/api/runs/r0/embeddings/e0"

# (method, url, json body or None): every route and field of the HTTP API that takes an integer
INT_INPUTS = [
    ("POST", f"{E}/export", {"indices": [0, HUGE]}),
    ("GET", f"{E}/metadata?limit={HUGE}", None),
    ("GET", f"{E}/metadata?offset={HUGE}", None),
    ("GET", f"{E}/metadata?format=json&limit={HUGE}", None),
    ("POST", f"{E}/neighbors", {"query": HUGE}),
    ("POST", f"{E}/neighbors", {"query": -HUGE}),
    ("POST", f"{E}/neighbors", {"query": 0, "step": HUGE}),
    ("POST", f"{E}/analogy", {"positive": [0, HUGE], "negative": [1]}),
    ("POST", f"{E}/analogy", {"positive": [0], "negative": [HUGE]}),
    ("POST", f"{E}/neighbors/compare", {"query": HUGE}),
    ("POST", f"{E}/neighbors/compare", {"query": 0, "from_step": HUGE}),
    ("POST", f"{E}/neighbors/compare", {"query": 0, "to_step": HUGE}),
    ("POST", f"{E}/projections", {"method": "pca", "subset": [0, 1, HUGE]}),
    ("POST", f"{E}/projections", {"method": "pca", "random_state": HUGE}),
    ("POST", f"{E}/projections", {"method": "pca", "n_components": HUGE}),
    ("POST", f"{E}/projections", {"method": "pca", "step": HUGE}),
    ("POST", f"{E}/projections", {"method": "pca", "align_to": HUGE}),
    ("POST", f"{E}/projections", {"method": "tsne", "params": {"n_iter": HUGE}}),
    ("POST", f"{E}/projections", {"method": "umap", "params": {"n_neighbors": HUGE}}),
    ("POST", f"{E}/projections", {"method": "pca", "params": {"axes": [0, HUGE]}}),
]


@pytest.mark.parametrize(("method", "url", "body"), INT_INPUTS, ids=[f"{m} {u} {b}" for m, u, b in INT_INPUTS])
def test_integers_past_int64_are_a_422(
    make_client: Callable[..., Any], expect_error: Callable[..., Any], method: str, url: str, body: Any
) -> None:
    client = make_client()
    response = client.request(method, url, json=body)
    expect_error(response, 422, "parameter")


def blobs(n: int = 300, d: int = 10) -> Embedding:
    rng = np.random.default_rng(0)
    meta = pa.table({"label": [f"w{i}" for i in range(n)]})
    return Embedding(rng.normal(size=(n, d)).astype(np.float32), name="blobs", metadata=meta)


def test_the_job_queue_has_a_cap(make_client: Callable[..., Any], expect_error: Callable[..., Any]) -> None:
    data = Collection(source="test")
    data.add(".", blobs())
    client = make_client(data)
    client.state.jobs.shutdown()
    jobs = client.state.jobs = JobManager(client.state, workers=1)
    try:
        long = client.post(f"{E}/projections", json={"method": "tsne", "params": {"n_iter": 10000}}).json()
        client.post(f"/api/projections/{long['id']}/pause")  # holds the only worker
        queued = []
        for seed in range(1, 1000):
            response = client.post(f"{E}/projections", json={"method": "pca", "random_state": seed})
            if response.status_code != 200:
                break
            queued.append(response.json()["id"])
        error = expect_error(response, 429, "too_many_requests", match=r"projection jobs are running or queued")
        assert "cancel" in error["fix"]
        assert len(queued) == jobs.max_queued  # the cap is what the manager says, and the page reads it in the 429
        assert client.post(f"{E}/projections", json={"method": "pca", "random_state": 1}).json()["id"] == queued[0]
        client.post(f"/api/projections/{queued[0]}/cancel")  # a cancelled one makes room
        assert client.post(f"{E}/projections", json={"method": "pca", "random_state": 5000}).status_code == 200
    finally:
        jobs.shutdown()
