"""Projection jobs: run compute.projection off the event loop, one CPU-heavy job per core, watched by many pages.

A job is named by the projection's identity (``ProjectionSpec.key``, compute/spec.py: the one cache key of data
hash, metadata columns read, subset, method, parameters, seed and spherize). The job id is the key's first 32
hex digits, so:

- the same request while a job for it is queued or running returns that job (same id);
- a finished job still in memory (the last ``keep`` of them, least recently used dropped first), or an entry in
  the on-disk ProjectionCache, answers at once with a finished job;
- a failed or cancelled job is replaced by a new one when asked again.

Jobs run on ``os.cpu_count()`` worker threads; up to ``max_queued`` more wait in a queue, and a new job beyond
that is refused with 429 (TooManyRequestsError) until one finishes or is cancelled. The workers are daemon threads, so a
server (or a test) that exits without shutting its jobs down is not held up by them; the cache is written
atomically, so a job stopped that way leaves no half entry. Each job owns a CancelToken: pause blocks the
computation at its next check, resume releases it, cancel stops it (a paused one too) and frees its worker.
Coordinates are published as they come (t-SNE frames every 10 iterations; the final layout as soon as it
exists, before the quality figure is measured; see job.py).
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import numpy as np

from ..compute.progress import Cancelled
from ..compute.projection import Projection, cached, project
from ..compute.spec import ProjectionSpec
from ..errors import EmbedscopeError, JobCrashedError, JobStateError, NotFoundError, TooManyRequestsError
from .job import Job

if TYPE_CHECKING:
    from .state import ServerState

log = logging.getLogger(__name__)

KEEP_FINISHED = 32
MAX_QUEUED = 32  # jobs waiting for a worker; one more is a 429


class Workers:
    """A fixed number of daemon threads running submitted calls in order; each call gets a Future."""

    def __init__(self, count: int, *, name: str = "embedscope-job") -> None:
        self.count = count
        self._queue: queue.SimpleQueue[tuple[Future[None], Callable[[], None]] | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True) for i in range(count)]
        for thread in self._threads:
            thread.start()

    def submit(self, call: Callable[[], None]) -> Future[None]:
        future: Future[None] = Future()
        self._queue.put((future, call))
        return future

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, call = item
            if not future.set_running_or_notify_cancel():  # cancelled while queued
                continue
            try:
                call()
            except BaseException as exc:
                future.set_exception(exc)
            else:
                future.set_result(None)

    def shutdown(self) -> None:
        """Let the workers end once the calls queued so far are done or cancelled."""
        for _ in self._threads:
            self._queue.put(None)


class JobManager:
    """Start, find, pause, resume and cancel projection jobs of a ServerState's embeddings."""

    def __init__(
        self, state: ServerState, *, workers: int | None = None, keep: int = KEEP_FINISHED, max_queued: int = MAX_QUEUED
    ) -> None:
        self.state = state
        self.workers = workers or os.cpu_count() or 1
        self.keep = keep
        self.max_queued = max_queued
        self._pool = Workers(self.workers)
        self._lock = threading.Lock()
        self._active: dict[str, Job] = {}  # id -> queued or running job
        self._finished: OrderedDict[str, Job] = OrderedDict()  # id -> finished job, least recently used first

    # -- starting ----------------------------------------------------------------------------------------------
    def start(
        self,
        run: str,
        tensor: str,
        *,
        method: str,
        n_components: int = 2,
        params: Mapping[str, Any] | None = None,
        random_state: int = 0,
        spherize: bool | None = None,
        subset: Sequence[int] | np.ndarray | None = None,
        step: int | None = None,
        align_to: int | None = None,
        align: bool = True,
    ) -> Job:
        """The job computing this projection: a running one, a finished one, or a new one queued now.

        For an embedding with steps, `step` (default: the latest) is drawn in the frame of step `align_to`
        (default: the latest) unless `align` is false; see compute/align.py.
        """
        base = self.state.embedding(run, tensor)
        run_id, tensor_id = self.state.ids_of(base)
        steps = base.steps
        if align_to is not None and (steps is None or align_to not in steps):
            there = "it has no steps" if steps is None else f"its steps are {steps.numbers[:20]}"
            raise NotFoundError(f"no step {align_to} to align to: {there}", field="align_to", fix="leave it out")
        base.at(step)  # an unknown step is a NotFoundError listing the steps
        step = None if steps is None else steps.latest if step is None else int(step)
        emb = base.at(step)
        reference_step = None if steps is None or not align else steps.latest if align_to is None else align_to
        spec = ProjectionSpec.build(
            emb,
            method=method,
            n_components=n_components,
            params=params,
            random_state=random_state,
            spherize=spherize,
            subset=subset,
            step=step,
            align_to=reference_step,
        )
        reference = None if spec.align_to is None else base.at(spec.align_to)
        key = spec.key(emb, reference)
        job_id = key[:32]
        with self._lock:
            found = self._find(job_id)
            if found is not None:
                return found
        hit = cached(self.state.cache, key, spec, rows=len(emb), dims=emb.dim)
        with self._lock:
            found = self._find(job_id)
            if found is not None:
                return found
            computing = hit is None
            job = Job(
                job_id,
                key,
                spec,
                emb if computing else None,
                run=run_id,
                tensor=tensor_id,
                reference=reference if computing else None,
            )
            if hit is not None:
                job.succeed(hit)
                self._remember(job)
                return job
            self._check_room()
            self._finished.pop(job_id, None)
            self._active[job_id] = job
            job.future = self._pool.submit(lambda: self._execute(job))
        return job

    def _check_room(self) -> None:
        """TooManyRequestsError when every worker is busy and `max_queued` jobs wait already (caller holds the lock)."""
        if len(self._active) < self.workers + self.max_queued:
            return
        raise TooManyRequestsError(
            f"{len(self._active):,} projection jobs are running or queued, the most this server takes "
            f"({self.workers} running, {self.max_queued} waiting)",
            fix="wait for one to finish, or cancel one (POST /api/projections/{id}/cancel), then try again",
        )

    def _find(self, job_id: str) -> Job | None:
        """A queued, running or successfully finished job with this id (caller holds the lock)."""
        if job_id in self._active:
            return self._active[job_id]
        done = self._finished.get(job_id)
        if done is not None and done.state == "done":
            self._finished.move_to_end(job_id)
            return done
        return None

    # -- running (worker threads) ------------------------------------------------------------------------------
    def _execute(self, job: Job) -> None:
        try:
            if job.token.cancelled:
                job.mark_cancelled()
                return
            job.mark_started()
            job.succeed(self._compute(job))
        except Cancelled:
            job.mark_cancelled()
        except EmbedscopeError as exc:
            job.fail(exc)
        except Exception as exc:  # a bug: logged with its traceback, reported in the one error shape
            log.exception("projection job %s failed", job.id)
            job.fail(JobCrashedError(f"projection job {job.id} failed: {type(exc).__name__}: {exc}"))
        finally:
            self._retire(job)

    def _compute(self, job: Job) -> Projection:
        assert job.embedding is not None
        result = project(
            job.embedding,
            job.spec,
            progress=job.on_progress,
            cancel=job.token,
            cache=self.state.cache,
            reference=job.reference,
            start=job.start,
        )
        if job.lineage:  # gone on from a perturbed layout; perturbed again while it ran counts too
            result.extra.update(job.lineage, perturbed=job.lineage["perturbed"] + job.token.perturbed)
        return result

    def _retire(self, job: Job) -> None:
        with self._lock:
            if self._active.get(job.id) is job:
                del self._active[job.id]
            self._remember(job)

    def _remember(self, job: Job) -> None:
        self._finished[job.id] = job
        self._finished.move_to_end(job.id)
        while len(self._finished) > self.keep:
            self._finished.popitem(last=False)

    # -- finding and steering ----------------------------------------------------------------------------------
    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._active.get(job_id) or self._finished.get(job_id)
        if job is None:
            raise NotFoundError(
                f"no projection job {job_id!r}", field="job_id", fix="start one with POST .../projections"
            )
        return job

    def jobs(self) -> list[Job]:
        with self._lock:
            return [*self._active.values(), *self._finished.values()]

    def pause(self, job_id: str) -> Job:
        job = self.get(job_id)
        job.pause()
        return job

    def resume(self, job_id: str) -> Job:
        job = self.get(job_id)
        job.resume()
        return job

    def perturb(self, job_id: str) -> Job:
        """Nudge a t-SNE's layout: a running one at its next iteration (the same job); a finished one by a new job
        that goes on from its layout with the noise added (tsne.SETTLE_ITER iterations). Anything else is a
        JobStateError."""
        job = self.get(job_id)
        if job.spec.method != "tsne" or job.state in ("failed", "cancelled"):
            raise JobStateError(
                f"projection job {job_id} is a {job.state} {job.spec.method}: only a running or finished t-SNE can "
                "be perturbed",
                field="job_id",
                fix="run t-SNE (another seed gives another layout) and perturb it while it runs or once it is done",
            )
        if not job.terminal:
            job.token.perturb()
            return job
        return self._go_on(job)

    def _go_on(self, job: Job) -> Job:
        """The job going on from finished t-SNE `job`'s layout, perturbed once more (one per job and count)."""
        from ..compute.tsne import perturbed

        finished = self.result(job.id)
        count = int(finished.extra.get("perturbed", 0)) + 1
        job_id = hashlib.blake2b(f"{job.id}/perturbed/{count}".encode(), digest_size=16).hexdigest()
        base = self.state.embedding(job.run, job.tensor)
        with self._lock:
            found = self._find(job_id)
            if found is not None:
                return found
            self._check_room()
            reference = None if job.spec.align_to is None else base.at(job.spec.align_to)
            follow = Job(
                job_id, job.key, job.spec, base.at(job.spec.step), run=job.run, tensor=job.tensor, reference=reference
            )
            follow.start = perturbed(finished.coords, count)
            follow.lineage = {"perturbed": count, "continued_from": job.id}
            self._finished.pop(job_id, None)
            self._active[job_id] = follow
            follow.future = self._pool.submit(lambda: self._execute(follow))
        return follow

    def cancel(self, job_id: str) -> Job:
        """Stop a job (a paused one too); its worker is freed. A finished job is left as it is."""
        job = self.get(job_id)
        if job.terminal:
            return job
        job.token.cancel()
        if job.future is not None and job.future.cancel():  # still queued: it never runs
            job.mark_cancelled()
            self._retire(job)
        return job

    def result(self, job_id: str) -> Projection:
        """The finished projection of a job; NotFoundError for an unknown id, JobStateError when not done."""
        job = self.get(job_id)
        if job.result is None:
            detail = f": {job.error.describe()}" if job.error is not None and job.state == "failed" else ""
            raise JobStateError(
                f"projection job {job_id} is {job.state}, not done{detail}",
                field="job_id",
                fix="wait for state `done` (GET /api/projections/{id} or its stream)",
            )
        return job.result

    def shutdown(self) -> None:
        """Cancel every job and stop the workers (the app's shutdown)."""
        with self._lock:
            active = list(self._active.values())
        for job in active:
            self.cancel(job.id)
        self._pool.shutdown()
