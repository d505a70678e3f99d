"""Projection jobs: attach, cache, pause/resume/cancel, the worker limit, results for export, watchers."""

from __future__ import annotations

import asyncio
import concurrent.futures
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from embedscope.embedding import Collection, Embedding
from embedscope.errors import JobStateError, NotFoundError, ParameterError
from embedscope.server.job import FLAG_FINAL, FRAME_HEADER, Frame, Job
from embedscope.server.jobs import JobManager
from embedscope.server.state import ServerSettings, ServerState

LONG_TSNE = {"method": "tsne", "params": {"perplexity": 10, "n_iter": 10000}}  # stopped by the tests long before


def blobs(n: int = 300, d: int = 20, seed: int = 0) -> Embedding:
    """n points in three well separated clusters, labelled w0.. with a `group` column a/b/c."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=8.0, size=(3, d))
    group = np.arange(n) % 3
    vectors = (centres[group] + rng.normal(size=(n, d))).astype(np.float32)
    meta = pa.table({"label": [f"w{i}" for i in range(n)], "group": ["abc"[g] for g in group]})
    return Embedding(vectors, name="blobs", metadata=meta)


def _state(tmp_path: Path, emb: Embedding | None = None) -> ServerState:
    data = Collection(source="test")
    data.add(".", emb if emb is not None else blobs())
    return ServerState(data, ServerSettings(state_dir=tmp_path / "state", cache_dir=tmp_path / "cache"))


@pytest.fixture
def state(tmp_path: Path) -> Iterator[ServerState]:
    made = _state(tmp_path)
    yield made
    made.close()


@pytest.fixture
def jobs(state: ServerState) -> JobManager:
    assert state.jobs is not None
    return state.jobs


def wait(job: Job, timeout: float = 120) -> Job:
    """Until the job's worker is done with it (bounded)."""
    if job.future is not None:
        concurrent.futures.wait([job.future], timeout=timeout)
    assert job.terminal, job.status()
    return job


def test_pca_job_result_and_summary(jobs: JobManager) -> None:
    job = wait(jobs.start("r0", "e0", method="pca"))
    status = job.status()
    assert status["state"] == "done" and status["stage"] == "done"
    assert (status["run"], status["tensor"], status["method"]) == ("r0", "e0", "pca")
    summary = status["summary"]
    assert len(summary["explained_variance_ratio"]) == 10
    assert summary["explained_variance_ratio"][0] > summary["explained_variance_ratio"][2]
    assert 0 < summary["quality"] <= 1 and summary["cached"] is False
    assert 0.5 < summary["trustworthiness"] <= 1 and 0.5 < summary["continuity"] <= 1
    projection = jobs.result(job.id)
    assert projection.coords.shape == (300, 2) and projection.coords.dtype == np.float32
    assert job.frame is not None and job.frame.final
    np.testing.assert_array_equal(job.frame.coords, projection.coords)


def test_names_resolve_to_the_same_job_as_ids(jobs: JobManager) -> None:
    first = jobs.start("r0", "e0", method="pca", random_state=3)
    again = jobs.start(".", "blobs", method="pca", random_state=3)
    assert again.id == first.id and again.run == "r0" and again.tensor == "e0"
    wait(first)


def test_the_same_request_attaches_to_the_running_job(jobs: JobManager) -> None:
    job = jobs.start("r0", "e0", **LONG_TSNE)
    jobs.pause(job.id)
    same = jobs.start("r0", "e0", method="tsne", params={"perplexity": 10.0, "n_iter": 10000})
    assert same is job
    other = jobs.start("r0", "e0", method="tsne", params={"perplexity": 10, "n_iter": 10000}, random_state=1)
    assert other.id != job.id
    for j in (job, other):
        jobs.cancel(j.id)
        wait(j)


def test_a_finished_job_is_reused_and_the_disk_cache_answers_a_new_server(tmp_path: Path, jobs: JobManager) -> None:
    job = wait(jobs.start("r0", "e0", method="pca"))
    assert jobs.start("r0", "e0", method="pca") is job
    fresh = _state(tmp_path)
    try:
        assert fresh.jobs is not None
        hit = fresh.jobs.start("r0", "e0", method="pca")
        assert hit.id == job.id and hit.state == "done" and hit.future is None
        assert hit.status()["summary"]["cached"] is True
        np.testing.assert_array_equal(fresh.jobs.result(hit.id).coords, job.result.coords)
        assert hit.frame is not None and hit.frame.final
    finally:
        fresh.close()


def test_tsne_ends_with_the_final_frame(jobs: JobManager) -> None:
    job = wait(jobs.start("r0", "e0", method="tsne", params={"perplexity": 10, "n_iter": 300}))
    assert job.state == "done", job.status()
    assert job.frame is not None and job.frame.final and job.frame.iteration == 300
    assert job.status()["iteration"] == 300 and job.status()["frame_iteration"] == 300
    assert job.result is not None and job.result.coords.shape == (300, 2)
    assert job.status()["summary"]["knn_engine"]


def test_pause_resume_and_cancel(jobs: JobManager) -> None:
    job = jobs.start("r0", "e0", **LONG_TSNE)
    assert jobs.pause(job.id).state == "paused"
    with pytest.raises(JobStateError, match="is paused, not done"):
        jobs.result(job.id)
    assert jobs.resume(job.id).state in ("queued", "running")
    jobs.cancel(job.id)
    wait(job)
    assert job.state == "cancelled" and job.status()["error"]["kind"] == "cancelled"
    with pytest.raises(JobStateError, match="is cancelled"):
        jobs.result(job.id)
    assert jobs.cancel(job.id).state == "cancelled"  # again: nothing changes


def test_one_job_per_worker_and_cancelling_frees_it(state: ServerState) -> None:
    jobs = JobManager(state, workers=1)
    try:
        long = jobs.start("r0", "e0", **LONG_TSNE)
        jobs.pause(long.id)  # holds the only worker
        queued = jobs.start("r0", "e0", method="pca", random_state=1)
        assert queued.state == "queued"
        jobs.cancel(queued.id)  # never runs
        assert queued.state == "cancelled" and queued.future is not None and queued.future.cancelled()
        jobs.cancel(long.id)  # a paused job stops too, and frees the worker
        wait(long)
        assert long.state == "cancelled"
        after = wait(jobs.start("r0", "e0", method="pca", random_state=2))
        assert after.state == "done"
        again = jobs.start("r0", "e0", method="pca", random_state=1)  # a cancelled job is started anew
        assert again is not queued and wait(again).state == "done"
    finally:
        jobs.shutdown()


def test_isolate_a_subset(jobs: JobManager) -> None:
    job = wait(jobs.start("r0", "e0", method="pca", subset=[9, 3, 3, 7, 5, 11]))
    projection = jobs.result(job.id)
    assert projection.coords.shape == (5, 2)
    assert projection.indices is not None and projection.indices.tolist() == [3, 5, 7, 9, 11]
    assert job.status()["subset_size"] == 5
    assert jobs.start("r0", "e0", method="pca", subset=[3, 5, 7, 9, 11]) is job


def test_custom_axes_count_matches_and_follow_metadata_uploads(state: ServerState, jobs: JobManager) -> None:
    request = {"method": "custom", "params": {"column": "group", "left": "a", "right": "b"}}
    job = wait(jobs.start("r0", "e0", **request))
    summary = job.status()["summary"]
    assert summary["counts"] == {"left": 100, "right": 100} and summary["column"] == "group"
    state.replace_metadata("r0", "e0", pa.table({"group": ["a"] * 150 + ["b"] * 150}))
    changed = wait(jobs.start("r0", "e0", **request))
    assert changed.id != job.id and changed.status()["summary"]["counts"] == {"left": 150, "right": 150}


def test_a_job_that_fails_reports_the_error(jobs: JobManager) -> None:
    job = wait(jobs.start("r0", "e0", method="custom", params={"column": "group", "left": "zzz"}))
    status = job.status()
    assert status["state"] == "failed"
    assert status["error"]["kind"] == "parameter" and "matches no value" in status["error"]["message"]
    with pytest.raises(JobStateError, match=r"is failed, not done: .*matches no value"):
        jobs.result(job.id)


@pytest.mark.parametrize(
    ("request_", "match"),
    [
        ({"method": "tsne", "params": {"perplexity": 0.5}}, "`perplexity` must be a number from 1 to 1,000"),
        ({"method": "tsne", "params": {"n_iter": 100}}, "`n_iter` must be an integer from 250 to 10,000"),
        ({"method": "umap", "params": {"n_neighbors": 1}}, "`n_neighbors` must be an integer from 2 to 200"),
        ({"method": "umap", "params": {"perplexity": 30}}, "umap takes no parameter `perplexity`"),
        ({"method": "isomap"}, "`method` must be one of"),
        ({"method": "pca", "n_components": 4}, r"`n_components` must be one of \[2, 3\], got 4"),
        ({"method": "pca", "params": {"axes": [0, 12]}}, "`axes` must be 2 component numbers from 0 to 9"),
        ({"method": "custom", "params": {"column": "nope", "left": "a"}}, "custom axes need a metadata column"),
        ({"method": "custom", "params": {"column": "group"}}, "at least one pattern"),
        ({"method": "custom", "params": {"left": "(", "regex": True}}, r"not a valid regular expression: '\('"),
        ({"method": "custom", "n_components": 3, "params": {"left": "a"}}, "custom axes are 2-D"),
        ({"method": "pca", "subset": [1, 2]}, "a subset needs at least 3 points, got 2"),
        ({"method": "pca", "subset": [1, 2, 300]}, "subset index 300 is out of range"),
    ],
)
def test_bad_requests_are_refused_before_queueing(jobs: JobManager, request_: dict, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        jobs.start("r0", "e0", **request_)
    assert jobs.jobs() == []


def test_unknown_jobs_and_embeddings(jobs: JobManager) -> None:
    with pytest.raises(NotFoundError, match="no projection job 'nope'"):
        jobs.get("nope")
    with pytest.raises(NotFoundError, match="no projection job"):
        jobs.result("nope")
    with pytest.raises(NotFoundError, match="no run 'r9'"):
        jobs.start("r9", "e0", method="pca")


def test_finished_jobs_are_kept_in_a_bounded_lru(state: ServerState) -> None:
    jobs = JobManager(state, keep=2)
    try:
        made = [wait(jobs.start("r0", "e0", method="pca", random_state=seed)) for seed in range(3)]
        with pytest.raises(NotFoundError):
            jobs.get(made[0].id)
        assert [j.id for j in jobs.jobs()] == [made[1].id, made[2].id]
        assert jobs.start("r0", "e0", method="pca", random_state=0).state == "done"  # back from the disk cache
    finally:
        jobs.shutdown()


def test_watchers_are_woken_on_their_own_loop(jobs: JobManager) -> None:
    job = jobs.start("r0", "e0", **LONG_TSNE)

    async def watch() -> int:
        event = job.watch()
        try:
            await asyncio.wait_for(event.wait(), timeout=60)  # a frame or a status change
            event.clear()
            jobs.cancel(job.id)
            while not job.terminal:
                await asyncio.wait_for(event.wait(), timeout=60)
                event.clear()
            return job.watchers
        finally:
            job.unwatch(event)

    assert asyncio.run(watch()) == 1
    assert job.watchers == 0 and wait(job).state == "cancelled"


def test_frame_bytes() -> None:
    coords = np.arange(6, dtype=np.float32).reshape(3, 2)
    data = Frame(seq=0, iteration=42, coords=coords, final=True).to_bytes()
    assert FRAME_HEADER.size == 16 and len(data) == 16 + 3 * 2 * 4
    assert struct.unpack("<IIII", data[:16]) == (42, 3, 2, FLAG_FINAL)
    np.testing.assert_array_equal(np.frombuffer(data[16:], dtype="<f4").reshape(3, 2), coords)
    assert struct.unpack("<IIII", Frame(1, 7, coords).to_bytes()[:16])[3] == 0


@pytest.mark.slow
def test_umap_job(jobs: JobManager) -> None:
    job = wait(jobs.start("r0", "e0", method="umap", params={"n_neighbors": 10}), timeout=300)
    status = job.status()
    assert status["state"] == "done", status
    assert status["params"] == {
        "n_neighbors": 10,
        "min_dist": 0.1,
        "metric": "euclidean",
        "neighbors": "auto",
        "parallel": False,
    }
    assert status["summary"]["knn_engine"] == "exact" and status["summary"]["reproducible"] is True
    assert job.frame is not None and job.frame.final and job.frame.coords.shape == (300, 2)
    assert status["iteration"] == status["frame_iteration"] and 0 < status["summary"]["quality"] <= 1
