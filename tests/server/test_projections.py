"""The projection routes: start/attach, status, pause/resume/cancel, coordinates, and the WebSocket stream.

In-process through httpx (the `make_client` fixture) and Starlette's TestClient for the socket, and through a
real uvicorn on 127.0.0.1 with a `websockets` client.
"""

from __future__ import annotations

import json
import struct
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyarrow as pa
import pytest

from embedscope.embedding import Collection, Embedding

BASE = "/api/runs/r0/embeddings/e0/projections"
SMALL_TSNE = {"method": "tsne", "params": {"perplexity": 10, "n_iter": 300}}
LONG_TSNE = {"method": "tsne", "params": {"perplexity": 10, "n_iter": 10000}}


def blobs(n: int = 300, d: int = 20, seed: int = 0) -> Embedding:
    """n points in three well separated clusters, labelled w0.. with a `group` column a/b/c."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=8.0, size=(3, d))
    group = np.arange(n) % 3
    vectors = (centres[group] + rng.normal(size=(n, d))).astype(np.float32)
    meta = pa.table({"label": [f"w{i}" for i in range(n)], "group": ["abc"[g] for g in group]})
    return Embedding(vectors, name="blobs", metadata=meta)


def _data(n: int = 300) -> Collection:
    data = Collection(source="test")
    data.add(".", blobs(n))
    return data


@pytest.fixture
def api(make_client):
    return make_client(_data())


def _wait(api, job_id: str, *, until: tuple[str, ...] = ("done", "failed", "cancelled")) -> dict[str, Any]:
    """Poll the job's status until its state is one of `until` (bounded: about two minutes)."""
    for _ in range(1200):
        status = api.get(f"/api/projections/{job_id}").json()
        if status["state"] in until:
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} stayed {status['state']}")


def _frame(data: bytes) -> tuple[tuple[int, int, int, int], np.ndarray]:
    head = struct.unpack("<IIII", data[:16])
    return head, np.frombuffer(data[16:], dtype="<f4").reshape(head[1], head[2])


def test_start_pca_then_status_and_coordinates(api) -> None:
    started = api.post(BASE, json={"method": "pca"})
    assert started.status_code == 200
    job_id = started.json()["id"]
    status = _wait(api, job_id)
    assert status["state"] == "done" and status["method"] == "pca" and status["params"] == {"axes": [0, 1]}
    assert len(status["summary"]["explained_variance_ratio"]) == 10 and 0 < status["summary"]["quality"] <= 1
    as_json = api.get(f"/api/projections/{job_id}/coords").json()  # small: JSON by default
    assert (as_json["n"], as_json["dims"], as_json["indices"]) == (300, 2, None)
    binary = api.get(f"/api/projections/{job_id}/coords", params={"format": "binary"})
    assert binary.headers["content-type"] == "application/octet-stream" and binary.headers["x-shape"] == "300,2"
    coords = np.frombuffer(binary.content, dtype="<f4").reshape(300, 2)
    np.testing.assert_allclose(coords, np.asarray(as_json["coords"], dtype=np.float32))
    np.testing.assert_array_equal(coords, api.state.jobs.result(job_id).coords)  # what export uses
    listed = api.get("/api/projections").json()
    assert [j["id"] for j in listed] == [job_id]


def test_same_request_attaches_and_a_finished_one_comes_from_the_cache(api, make_client, tmp_path: Path) -> None:
    first = api.post(BASE, json=LONG_TSNE).json()
    api.post(f"/api/projections/{first['id']}/pause")
    second = api.post(BASE, json={**LONG_TSNE, "params": {"n_iter": 10000, "perplexity": 10.0}}).json()
    assert second["id"] == first["id"] and second["state"] == "paused"
    api.post(f"/api/projections/{first['id']}/cancel")
    done = api.post(BASE, json={"method": "pca", "n_components": 3}).json()
    _wait(api, done["id"])
    other = make_client(_data())  # a new server on the same cache folder
    hit = other.post(BASE, json={"method": "pca", "n_components": 3}).json()
    assert hit["id"] == done["id"] and hit["state"] == "done" and hit["summary"]["cached"] is True
    assert other.get(f"/api/projections/{hit['id']}/coords").json()["dims"] == 3


def test_pause_resume_cancel_and_coords_before_done(api, expect_error) -> None:
    job_id = api.post(BASE, json=LONG_TSNE).json()["id"]
    assert api.post(f"/api/projections/{job_id}/pause").json()["state"] == "paused"
    expect_error(api.get(f"/api/projections/{job_id}/coords"), 409, "job_state", match="is paused, not done")
    assert api.post(f"/api/projections/{job_id}/resume").json()["state"] in ("queued", "running")
    api.post(f"/api/projections/{job_id}/cancel")
    status = _wait(api, job_id)
    assert status["state"] == "cancelled" and status["error"]["kind"] == "cancelled"
    expect_error(api.get(f"/api/projections/{job_id}/coords"), 409, "job_state", match="is cancelled")


def test_isolate_and_custom_axes(api) -> None:
    subset = api.post(BASE, json={"method": "pca", "subset": [10, 4, 4, 7]}).json()
    assert _wait(api, subset["id"])["subset_size"] == 3
    coords = api.get(f"/api/projections/{subset['id']}/coords", params={"format": "json"}).json()
    assert coords["indices"] == [4, 7, 10] and coords["n"] == 3
    custom = api.post(
        BASE, json={"method": "custom", "params": {"column": "group", "left": "a", "up": "^c$", "regex": True}}
    )
    summary = _wait(api, custom.json()["id"])["summary"]
    assert summary["counts"] == {"left": 100, "up": 100} and summary["x_label"] and summary["y_label"]


def test_precomputed_coordinates_from_metadata_columns(make_client) -> None:
    emb = blobs()
    rows = np.arange(len(emb), dtype=np.float64)
    emb = emb.with_columns(pa.table({"u": rows, "v": -rows, "w": np.where(rows % 10 == 0, np.nan, rows)}))
    data = Collection(source="test")
    data.add(".", emb)
    api = make_client(data)
    job = api.post(BASE, json={"method": "precomputed", "n_components": 3, "params": {"columns": "v,u,w"}}).json()
    status = _wait(api, job["id"])
    assert status["state"] == "done" and status["summary"]["columns"] == ["v", "u", "w"]
    assert status["summary"]["missing"] == 30 and 0 < status["summary"]["quality"] <= 1
    coords = api.get(f"/api/projections/{job['id']}/coords", params={"format": "json"}).json()
    assert coords["dims"] == 3 and coords["coords"][1] == [-1.0, 1.0, 1.0] and coords["coords"][0] == [None] * 3


@pytest.mark.parametrize(
    ("body", "field", "match"),
    [
        ({"method": "tsne", "params": {"perplexity": 0}}, "perplexity", "`perplexity` must be a number from 1 to"),
        ({"method": "tsne", "params": {"perplexity": 5000}}, "perplexity", "from 1 to 1,000, got 5000"),
        ({"method": "tsne", "params": {"n_iter": 10}}, "n_iter", "`n_iter` must be an integer from 250 to 10,000"),
        ({"method": "umap", "params": {"n_neighbors": 500}}, "n_neighbors", "from 2 to 200, got 500"),
        ({"method": "tsne", "n_components": 4}, "n_components", r"must be one of \[2, 3\], got 4"),
        ({"method": "isomap"}, "method", "Input should be 'pca', 'tsne', 'umap', 'custom' or 'precomputed'"),
        ({"method": "pca", "params": {"gamma": 1}}, "params.gamma", "Extra inputs are not permitted"),
        ({"method": "pca", "params": {"perplexity": 30}}, "perplexity", "pca takes no parameter `perplexity`"),
        ({"method": "pca", "subset": [0, 1, 999]}, "subset", "subset index 999 is out of range"),
        ({"method": "pca", "params": {"axes": [1, 1]}}, "axes", r"must be 2 different components, got \[1, 1\]"),
        ({"method": "custom", "params": {"left": "[", "regex": True}}, "left", "not a valid regular expression"),
        ({"method": "precomputed"}, "columns", "no metadata columns x, y with precomputed coordinates"),
        ({"method": "precomputed", "params": {"columns": "group,label"}}, "columns", "`group` holds text"),
    ],
)
def test_bad_parameters_are_422(api, expect_error, body: dict, field: str, match: str) -> None:
    error = expect_error(api.post(BASE, json=body), 422, "parameter", match=match)
    assert error["field"] == field


def test_unknown_jobs_and_embeddings_are_404(api, expect_error) -> None:
    expect_error(api.get("/api/projections/nope"), 404, "not_found", match="no projection job 'nope'")
    expect_error(api.post("/api/projections/nope/cancel"), 404, "not_found")
    expect_error(api.get("/api/projections/nope/coords"), 404, "not_found")
    expect_error(api.post("/api/runs/r0/embeddings/e7/projections", json={"method": "pca"}), 404, "not_found")


def test_the_server_answers_while_a_tsne_runs(make_client) -> None:
    api = make_client(_data(2000))  # about a minute of t-SNE here: it is cancelled long before
    job_id = api.post(BASE, json=LONG_TSNE).json()["id"]
    status = _wait(api, job_id, until=("done", "failed", "cancelled", "running"))
    for _ in range(600):
        if status["stage"] == "tsne" and (status["iteration"] or 0) > 0:
            break
        time.sleep(0.1)
        status = api.get(f"/api/projections/{job_id}").json()
    assert status["state"] == "running" and status["stage"] == "tsne", status  # optimising now
    assert api.get("/api/runs").status_code == 200
    assert api.post("/api/runs/r0/embeddings/e0/neighbors", json={"query": 0, "k": 5}).status_code == 200
    assert api.get("/api/runs/r0/embeddings/e0/search", params={"q": "w1"}).status_code == 200
    assert api.get(f"/api/projections/{job_id}").json()["state"] == "running"  # answered while it still runs
    api.post(f"/api/projections/{job_id}/cancel")
    assert _wait(api, job_id)["state"] == "cancelled"


# -- the stream, in-process ----------------------------------------------------------------------------------
def _test_client(app: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Starlette's deprecation note about its httpx transport
        from fastapi.testclient import TestClient
    return TestClient(app)


def _read_stream(ws: Any) -> tuple[list[dict[str, Any]], list[bytes], int]:
    """Every message until the server closes: (statuses, binary frames, close code)."""
    statuses: list[dict[str, Any]] = []
    frames: list[bytes] = []
    for _ in range(100_000):
        message = ws.receive()
        if message["type"] == "websocket.close":
            return statuses, frames, message["code"]
        if message.get("bytes") is not None:
            frames.append(message["bytes"])
        else:
            body = json.loads(message["text"])
            assert body["type"] == "status"
            statuses.append(body["job"])
    raise AssertionError("the stream did not end")


def test_stream_in_process_and_a_late_subscriber(api) -> None:
    test_client = _test_client(api.app)
    job_id = api.post(BASE, json=SMALL_TSNE).json()["id"]
    with test_client.websocket_connect(f"/api/projections/{job_id}/stream") as ws:
        statuses, frames, code = _read_stream(ws)
    assert code == 1000
    assert statuses[-1]["state"] == "done" and statuses[-1]["summary"]["quality"] > 0
    head, coords = _frame(frames[-1])
    assert head == (300, 300, 2, 1)  # iteration 300 of 300, 300 points, 2-D, final
    np.testing.assert_array_equal(coords, api.state.jobs.result(job_id).coords)
    assert all(_frame(f)[0][3] == 0 for f in frames[:-1])
    with test_client.websocket_connect(f"/api/projections/{job_id}/stream") as late:
        statuses, frames, code = _read_stream(late)
    assert [s["state"] for s in statuses] == ["done"] and len(frames) == 1 and _frame(frames[0])[0][3] == 1


def test_a_stream_without_frames_sends_the_statuses_only(api) -> None:
    """?frames=0: a page that draws the map from its tiles is sent no coordinates, however many points."""
    job_id = api.post(BASE, json=SMALL_TSNE).json()["id"]
    with _test_client(api.app).websocket_connect(f"/api/projections/{job_id}/stream?frames=0") as ws:
        statuses, frames, code = _read_stream(ws)
    assert code == 1000 and frames == [] and statuses[-1]["state"] == "done"


def test_stream_of_an_unknown_job(api) -> None:
    with _test_client(api.app).websocket_connect("/api/projections/nope/stream") as ws:
        message = json.loads(ws.receive_text())
        assert message["type"] == "error" and message["error"]["kind"] == "not_found"
        assert ws.receive()["code"] == 4404


# -- through a real uvicorn on loopback ----------------------------------------------------------------------
@pytest.fixture
def live(start_live: Callable[[Collection], str]) -> str:
    """A real uvicorn on 127.0.0.1 with a free port; its base URL."""
    return start_live(_data())


@pytest.mark.slow
def test_stream_through_uvicorn_to_two_watchers(live: str) -> None:
    from websockets.sync.client import connect

    with httpx.Client(base_url=live, timeout=60) as http:
        job_id = http.post(BASE, json=LONG_TSNE).json()["id"]
        stream = live.replace("http://", "ws://") + f"/api/projections/{job_id}/stream"
        with connect(stream, open_timeout=30) as leaving, connect(stream, open_timeout=30) as staying:
            first = leaving.recv(timeout=60)  # the latest frame, or the status when there is no frame yet
            assert isinstance(first, bytes) or json.loads(first)["job"]["id"] == job_id
            leaving.close()  # one page goes away: the job and the other page go on
            frames: list[bytes] = []
            statuses: list[dict[str, Any]] = []
            for _ in range(10_000):
                message = staying.recv(timeout=60)
                if isinstance(message, bytes):
                    frames.append(message)
                else:
                    statuses.append(json.loads(message)["job"])
                if len(frames) >= 3 and statuses[-1]["state"] == "running":
                    break
            iterations = [_frame(f)[0][0] for f in frames]
            assert iterations == sorted(iterations) and iterations[-1] > 0
            assert all(_frame(f)[0][1:] == (300, 2, 0) for f in frames)
            assert http.get(f"/api/projections/{job_id}").json()["state"] == "running"
            http.post(f"/api/projections/{job_id}/cancel")
            for _ in range(10_000):
                message = staying.recv(timeout=60)
                if isinstance(message, str) and json.loads(message)["job"]["state"] == "cancelled":
                    break
            with pytest.raises(Exception, match="1000"):
                staying.recv(timeout=60)  # the server closes the finished stream


@pytest.mark.slow
def test_small_tsne_through_uvicorn(live: str) -> None:
    from websockets.sync.client import connect

    with httpx.Client(base_url=live, timeout=60) as http:
        job_id = http.post(BASE, json=SMALL_TSNE).json()["id"]
        stream = live.replace("http://", "ws://") + f"/api/projections/{job_id}/stream"
        frames: list[bytes] = []
        statuses: list[dict[str, Any]] = []
        with connect(stream, open_timeout=30) as ws:
            for message in ws:  # ends when the server closes the stream
                (frames if isinstance(message, bytes) else statuses).append(message)
        states = [json.loads(s)["job"]["state"] for s in statuses]
        assert states[-1] == "done" and set(states) <= {"queued", "running", "done"}
        head, coords = _frame(frames[-1])
        assert head == (300, 300, 2, 1)
        binary = http.get(f"/api/projections/{job_id}/coords", params={"format": "binary"})
        np.testing.assert_array_equal(np.frombuffer(binary.content, dtype="<f4").reshape(300, 2), coords)


def test_a_running_or_finished_tsne_can_be_perturbed_and_nothing_else_can(api, expect_error) -> None:
    job_id = api.post(BASE, json=LONG_TSNE).json()["id"]
    _wait(api, job_id, until=("running",))
    assert api.post(f"/api/projections/{job_id}/perturb").json()["id"] == job_id
    for _ in range(200):  # the next iteration makes it
        status = api.get(f"/api/projections/{job_id}").json()
        if status["state"] != "running":
            break
        time.sleep(0.05)
        if status["iteration"] and status["iteration"] > 60:
            break
    api.post(f"/api/projections/{job_id}/cancel")
    assert _wait(api, job_id)["state"] == "cancelled"
    expect_error(api.post(f"/api/projections/{job_id}/perturb"), 409, "job_state", match="only a running or finished")
    pca = api.post(BASE, json={"method": "pca"}).json()["id"]
    _wait(api, pca)
    expect_error(api.post(f"/api/projections/{pca}/perturb"), 409, "job_state", match="only a running or finished")


def test_a_finished_tsne_goes_on_from_its_layout_perturbed(api) -> None:
    """Perturb on a finished t-SNE: a new job starts from the finished layout plus noise and settles for 250
    iterations; the layout stays close to the finished one (the same clusters, each point near where it was, up to
    scale), it is not the same, and the cached result of the plain request is left as it was."""
    from embedscope.compute.tsne import SETTLE_ITER

    job_id = api.post(BASE, json=SMALL_TSNE).json()["id"]
    assert _wait(api, job_id)["state"] == "done"
    before = np.array(api.get(f"/api/projections/{job_id}/coords", params={"format": "json"}).json()["coords"])
    follow = api.post(f"/api/projections/{job_id}/perturb").json()
    assert follow["id"] != job_id and follow["method"] == "tsne"
    assert api.post(f"/api/projections/{job_id}/perturb").json()["id"] == follow["id"]  # the same one, not two
    status = _wait(api, follow["id"])
    assert status["state"] == "done" and status["iteration"] == SETTLE_ITER
    assert status["summary"]["perturbed"] == 1 and status["summary"]["continued_from"] == job_id
    after = np.array(api.get(f"/api/projections/{follow['id']}/coords", params={"format": "json"}).json()["coords"])
    assert not np.allclose(after, before)
    for axis in range(2):  # each point near where it was (the layout grows as t-SNE goes on: compared by correlation)
        assert np.corrcoef(before[:, axis], after[:, axis])[0, 1] > 0.9
    groups = np.arange(len(before)) % 3  # the blobs' three clusters stay apart
    centres = np.stack([after[groups == g].mean(axis=0) for g in range(3)])
    inside = np.mean([np.linalg.norm(after[groups == g] - centres[g], axis=1).mean() for g in range(3)])
    apart = min(np.linalg.norm(centres[a] - centres[b]) for a in range(3) for b in range(a + 1, 3))
    assert apart > 2 * inside
    again = api.post(f"/api/projections/{follow['id']}/perturb").json()  # and once more: perturbation number 2
    assert _wait(api, again["id"])["summary"]["perturbed"] == 2
    assert api.post(BASE, json=SMALL_TSNE).json()["id"] == job_id  # the plain request still answers the original
