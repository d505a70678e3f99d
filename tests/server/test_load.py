"""A bounded load test on loopback: 50 concurrent clients mix metadata, neighbour and search requests for about
10 s against a real uvicorn while a t-SNE job runs. Every answer must be a 200 (benchmarks/bench_server.py runs
the same load for 30 s and reports latencies)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
import numpy as np
import pyarrow as pa
import pytest

from embedscope.embedding import Collection, Embedding

CLIENTS = 50
SECONDS = 10.0
N = 2000  # t-SNE of 2,000 points for 10,000 iterations takes about a minute here: it runs throughout
EMB = "/api/runs/r0/embeddings/e0"


def _collection() -> Collection:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(N, 32)).astype(np.float32)
    meta = pa.table(
        {"label": [f"word{i}" for i in range(N)], "kind": [("noun", "verb", "adj")[i % 3] for i in range(N)]}
    )
    data = Collection(source="load-test")
    data.add(".", Embedding(vectors, name="words", metadata=meta))
    return data


@pytest.fixture
def live(start_live: Callable[[Collection], str]) -> str:
    """A real uvicorn on 127.0.0.1 with a free port; its base URL."""
    return start_live(_collection())


def _request(kind: str, i: int) -> tuple[str, str, dict]:
    if kind == "metadata":
        return "GET", f"{EMB}/metadata", {"params": {"format": "json", "offset": (i * 37) % N, "limit": 100}}
    if kind == "neighbors":
        return "POST", f"{EMB}/neighbors", {"json": {"query": (i * 101) % N, "k": 10}}
    return "GET", f"{EMB}/search", {"params": {"q": f"word{i % 50}"}}


async def _client(base: str, number: int, deadline: float, counts: dict[str, int], errors: list[str]) -> None:
    kinds = ("metadata", "neighbors", "search")
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        i = number
        while time.monotonic() < deadline:
            kind = kinds[i % 3]
            method, url, extra = _request(kind, i)
            try:
                response = await http.request(method, url, **extra)
            except httpx.HTTPError as exc:
                errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            else:
                if response.status_code != 200:
                    errors.append(f"{kind}: {response.status_code} {response.text[:200]}")
                counts[kind] += 1
            i += 1


async def _load(base: str, seconds: float) -> tuple[dict[str, int], list[str]]:
    counts = {"metadata": 0, "neighbors": 0, "search": 0}
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(_client(base, k, deadline, counts, errors) for k in range(CLIENTS)))
    return counts, errors


@pytest.mark.slow
def test_fifty_clients_while_a_tsne_runs(live: str) -> None:
    with httpx.Client(base_url=live, timeout=60) as http:
        job = http.post(f"{EMB}/projections", json={"method": "tsne", "params": {"n_iter": 10000}}).json()
        counts, errors = asyncio.run(_load(live, SECONDS))
        status = http.get(f"/api/projections/{job['id']}").json()
        http.post(f"/api/projections/{job['id']}/cancel")
    assert errors == []
    assert all(count > 0 for count in counts.values()), counts
    assert status["state"] == "running", status  # the load ran alongside the t-SNE job
