"""Training steps through the server: listed steps, step projections aligned to one frame, neighbours compared
between steps, and steps appended to the log dir while the server runs. Log dirs are written by log_embedding.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

import embedscope
from embedscope.compute.align import align_layout
from embedscope.compute.neighbors import neighbors
from embedscope.compute.pca import pca
from embedscope.compute.prep import prepare

BASE = "/api/runs/r0/embeddings/e0"
TSNE = {"method": "tsne", "params": {"perplexity": 10, "n_iter": 250}}


def _blobs(n: int = 90, d: int = 8, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=6.0, size=(3, d))
    return (centres[np.arange(n) % 3] + rng.normal(size=(n, d))).astype(np.float32)


def _wait(api: Any, job_id: str) -> dict[str, Any]:
    for _ in range(1200):
        status = api.get(f"/api/projections/{job_id}").json()
        if status["state"] in ("done", "failed", "cancelled"):
            assert status["state"] == "done", status
            return dict(status)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def _coords(api: Any, body: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    started = api.post(f"{BASE}/projections", json=body)
    assert started.status_code == 200, started.text
    status = _wait(api, started.json()["id"])
    coords = api.get(f"/api/projections/{status['id']}/coords", params={"format": "json"}).json()["coords"]
    return np.asarray(coords, dtype=np.float32), status


@pytest.fixture
def logdir(tmp_path: Path) -> Path:
    """Steps 0, 10, 20: the table drifts a little each step; step 0 is the latest table negated."""
    final = _blobs()
    rng = np.random.default_rng(5)
    labels = [f"w{i}" for i in range(len(final))]
    folder = tmp_path / "logs"
    embedscope.log_embedding(folder, -final, name="words", metadata=labels, step=0)
    embedscope.log_embedding(folder, final + rng.normal(scale=0.3, size=final.shape), name="words", step=10)
    embedscope.log_embedding(folder, final, name="words", step=20)
    return folder


@pytest.fixture
def api(make_client, logdir: Path) -> Any:
    return make_client(embedscope.load_collection(logdir))


def test_embedding_info_lists_its_steps(api) -> None:
    runs = api.get("/api/runs").json()
    info = runs["runs"][0]["embeddings"][0]
    assert info["name"] == "words" and info["steps"] == [0, 10, 20] and info["shape"] == [90, 8]


def test_pca_of_every_step_on_the_latest_steps_axes(api, logdir: Path) -> None:
    latest, status = _coords(api, {"method": "pca"})
    assert status["step"] == 20 and status["align_to"] is None  # the latest is in its own frame
    first, status = _coords(api, {"method": "pca", "step": 0})
    assert status["step"] == 0 and status["align_to"] == 20 and status["summary"]["aligned_to"] == 20
    np.testing.assert_allclose(first, -latest, atol=1e-4)  # negated table: every point goes to its mirror image
    own, status = _coords(api, {"method": "pca", "step": 0, "align": False})
    assert status["align_to"] is None
    np.testing.assert_allclose(np.abs(own), np.abs(latest), atol=1e-4)  # its own axes: any sign, any motion

    middle, _ = _coords(api, {"method": "pca", "step": 10})
    emb = embedscope.load(logdir)
    basis = pca(prepare(emb.vectors, spherize=False), n_components=8)
    step10 = prepare(emb.at(10).vectors, spherize=False)
    expected = (step10 - step10.mean(axis=0)) @ basis.components[:2].T
    np.testing.assert_allclose(middle, expected, atol=1e-3)


def test_tsne_steps_are_procrustes_aligned_to_the_reference(api) -> None:
    reference, _ = _coords(api, {**TSNE, "align": False})
    own, _ = _coords(api, {**TSNE, "step": 10, "align": False})
    aligned, status = _coords(api, {**TSNE, "step": 10})
    assert status["align_to"] == 20 and status["summary"]["quality"] > 0.3
    np.testing.assert_allclose(aligned, align_layout(own, reference), atol=1e-3)
    moved_aligned = np.linalg.norm(aligned - reference, axis=1).mean()
    moved_own = np.linalg.norm(own - reference, axis=1).mean()
    assert moved_aligned <= moved_own + 1e-6
    assert moved_aligned < 0.5 * np.linalg.norm(reference - reference.mean(0), axis=1).mean()


def test_a_sweep_of_steps_in_one_frame_shares_ids_and_cache(api) -> None:
    ids = set()
    for step in (0, 10, 20):
        _, status = _coords(api, {"method": "pca", "step": step, "align_to": 10})
        ids.add(status["id"])
        assert status["align_to"] == (None if step == 10 else 10)
    assert len(ids) == 3
    again = api.post(f"{BASE}/projections", json={"method": "pca", "step": 0, "align_to": 10}).json()
    assert again["id"] in ids and again["state"] == "done"


def test_step_errors(api, make_client, expect_error) -> None:
    expect_error(
        api.post(f"{BASE}/projections", json={"method": "pca", "step": 5}), 404, "not_found", match="no step 5"
    )
    error = expect_error(
        api.post(f"{BASE}/projections", json={"method": "pca", "align_to": 7}), 404, "not_found", match="no step 7"
    )
    assert error["field"] == "align_to"
    expect_error(api.post(f"{BASE}/projections", json={"method": "pca", "step": -1}), 422, "parameter")
    plain = make_client()  # embeddings without steps
    expect_error(
        plain.post(f"{BASE}/projections", json={"method": "pca", "step": 3}), 404, "not_found", match="no steps"
    )
    assert plain.get("/api/runs").json()["runs"][0]["embeddings"][0]["steps"] is None
    compare = plain.post(f"{BASE}/neighbors/compare", json={"query": 0, "k": 2})
    expect_error(compare, 422, "parameter", match="no step before it")


def test_neighbours_compared_between_steps(tmp_path: Path, make_client) -> None:
    before = np.array([[0, 0], [1, 0], [0, 1], [9, 9], [9, 8], [5, 5]], dtype=np.float32)
    after = before.copy()
    after[[1, 2]] += 20  # points 1 and 2 move away from point 0; 3 and 4 come close
    after[[3, 4]] = [[1, 0.5], [0.5, 1]]
    labels = ["zero", "one", "two", "three", "four", "five"]
    embedscope.log_embedding(tmp_path, before, name="w", metadata=labels)
    embedscope.log_embedding(tmp_path, after, name="w")
    api = make_client(embedscope.load_collection(tmp_path))
    body = api.post(f"{BASE}/neighbors/compare", json={"query": "zero", "k": 3, "metric": "euclidean"}).json()
    assert (body["from_step"], body["to_step"], body["query"]) == (0, 1, {"index": 0, "label": "zero"})
    assert [n["label"] for n in body["stayed"]] == ["five"]
    assert [n["label"] for n in body["appeared"]] == ["three", "four"]
    assert [n["label"] for n in body["left"]] == ["one", "two"]
    one = body["left"][0]
    assert one["rank_from"] == 1 and one["rank_to"] is None
    assert one["distance_from"] == pytest.approx(1.0) and one["distance_to"] == pytest.approx(np.hypot(21, 20))
    same_step = {"query": 0, "k": 2, "metric": "euclidean", "from_step": 1, "to_step": 1}
    same = api.post(f"{BASE}/neighbors/compare", json=same_step).json()
    assert same["appeared"] == same["left"] == [] and len(same["stayed"]) == 2


def test_steps_appended_while_the_server_runs(tmp_path: Path, start_live) -> None:
    folder = tmp_path / "live"
    final = _blobs(n=60)
    embedscope.log_embedding(folder, final * 0.5, name="words", metadata=[f"w{i}" for i in range(60)])
    embedscope.log_embedding(folder, final * 0.8, name="words")
    url = start_live(embedscope.load_collection(folder))
    with httpx.Client(base_url=url, timeout=60) as http:

        def steps() -> list[int]:
            return list(http.get("/api/runs").json()["runs"][0]["embeddings"][0]["steps"])

        assert steps() == [0, 1]
        embedscope.log_embedding(folder, final, name="words")
        assert steps() == [0, 1, 2]
        started = http.post(f"{BASE}/projections", json={"method": "pca"}).json()
        assert started["step"] == 2
        for _ in range(600):
            status = http.get(f"/api/projections/{started['id']}").json()
            if status["state"] == "done":
                break
            time.sleep(0.1)
        assert status["state"] == "done" and status["summary"]["n"] == 60
        compare = http.post(f"{BASE}/neighbors/compare", json={"query": "w0", "k": 5}).json()
        assert (compare["from_step"], compare["to_step"]) == (1, 2)
        # scaling every vector changes no cosine neighbour
        assert len(compare["stayed"]) == 5 and compare["appeared"] == compare["left"] == []
        embedscope.log_embedding(folder, final * 2, name="words", step=50)
        assert steps() == [0, 1, 2, 50]
        assert http.get(f"{BASE}").json()["steps"] == [0, 1, 2, 50]


def test_neighbours_at_a_step(api, logdir: Path, expect_error) -> None:
    emb = embedscope.load(logdir)
    for step in (0, 10, None):
        body = {"query": "w3", "k": 5, **({} if step is None else {"step": step})}
        answer = api.post(f"{BASE}/neighbors", json=body).json()
        expected = neighbors(emb.at(step), "w3", k=5)
        assert [n["index"] for n in answer["neighbors"]] == [n.index for n in expected]
        assert answer["query"] == {"index": 3, "label": "w3"}  # labels are the embedding's at every step
    # step 0 is the latest table negated: the same neighbours by angle as the latest (a check that it is used)
    far = api.post(f"{BASE}/neighbors", json={"vector": list(map(float, emb.vectors[3])), "k": 1, "step": 0}).json()
    assert far["neighbors"][0]["index"] != 3
    expect_error(api.post(f"{BASE}/neighbors", json={"query": 3, "step": 7}), 404, "not_found", match="no step 7")
