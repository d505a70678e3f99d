"""One projection job: its state, progress, latest coordinates (a Frame), result or error, and its watchers.

The worker thread updates a Job (``on_progress``, ``publish_final``, ``succeed``, ``fail``, ``mark_cancelled``);
the event loop reads it (``status()``, ``frame``) and watches it: ``watch()`` gives an asyncio.Event that is set,
thread-safely on the watcher's own loop, whenever the job changes. Only the latest Frame is kept, so a slow
watcher skips frames instead of queueing them.

A Frame's bytes are the stream's binary message: a 16-byte header of four little-endian uint32 (iteration, n,
dims, flags; flags bit 0 = final coordinates) followed by n x dims little-endian float32 numbers, row-major.
"""

from __future__ import annotations

import asyncio
import math
import struct
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..compute.progress import Cancelled, CancelToken, Progress
from ..compute.projection import Projection
from ..compute.spec import ProjectionSpec
from ..embedding import Embedding
from ..errors import EmbedscopeError

FRAME_HEADER = struct.Struct("<IIII")  # iteration, n, dims, flags (little-endian uint32 each)
FLAG_FINAL = 1  # the projection's final coordinates


@dataclass
class Frame:
    """Coordinates at one iteration; ``to_bytes()`` is the binary WebSocket frame (header + float32 rows)."""

    seq: int
    iteration: int
    coords: np.ndarray
    final: bool = False
    _bytes: bytes | None = field(default=None, repr=False)

    def to_bytes(self) -> bytes:
        if self._bytes is None:
            n, dims = self.coords.shape
            head = FRAME_HEADER.pack(self.iteration, n, dims, FLAG_FINAL if self.final else 0)
            self._bytes = head + np.ascontiguousarray(self.coords, dtype="<f4").tobytes()
        return self._bytes


class Job:
    """One projection being computed (or computed): its state, progress, latest frame and result."""

    def __init__(
        self,
        job_id: str,
        key: str,
        spec: ProjectionSpec,
        embedding: Embedding | None,
        *,
        run: str,
        tensor: str,
        reference: Embedding | None = None,
    ) -> None:
        self.id, self.key, self.spec = job_id, key, spec
        self.run, self.tensor = run, tensor
        self.token = CancelToken()
        self.created = time.time()
        self.started: float | None = None
        self.finished: float | None = None
        self.future: Future[None] | None = None
        self._embedding = embedding
        self._reference = reference  # the align_to step's embedding, when the projection is aligned
        self.start: np.ndarray | None = None  # t-SNE: the (perturbed) layout it goes on from (jobs.py: perturb)
        self.lineage: dict[str, Any] = {}  # then: {"perturbed": count, "continued_from": the finished job's id}
        self._lock = threading.Lock()
        self._outcome: str | None = None  # done | failed | cancelled
        self._progress = Progress(stage="queued", fraction=0.0)
        self._frame: Frame | None = None
        self._result: Projection | None = None
        self._error: EmbedscopeError | None = None
        self._version = 0
        self._watchers: dict[asyncio.Event, asyncio.AbstractEventLoop] = {}

    # -- state -------------------------------------------------------------------------------------------------
    @property
    def state(self) -> str:
        if self._outcome is not None:
            return self._outcome
        if self.token.paused:
            return "paused"
        return "running" if self.started is not None else "queued"

    @property
    def terminal(self) -> bool:
        return self._outcome is not None

    @property
    def version(self) -> int:
        return self._version

    @property
    def frame(self) -> Frame | None:
        return self._frame

    @property
    def result(self) -> Projection | None:
        return self._result

    @property
    def error(self) -> EmbedscopeError | None:
        return self._error

    @property
    def embedding(self) -> Embedding | None:
        """The embedding being projected (None once the job has finished)."""
        return self._embedding

    @property
    def reference(self) -> Embedding | None:
        """The embedding of the step whose frame this one is drawn in (None when not aligned, or finished)."""
        return self._reference

    def pause(self) -> None:
        with self._lock:
            if self._outcome is None:
                self.token.pause()
                self._changed()

    def resume(self) -> None:
        with self._lock:
            if self._outcome is None:
                self.token.resume()
                self._changed()

    def status(self) -> dict[str, Any]:
        """A JSON-ready picture of the job (the GET route's body and the WebSocket's text frames)."""
        with self._lock:
            p, result, error, frame = self._progress, self._result, self._error, self._frame
            state, version = self.state, self._version
        spec = self.spec
        return {
            "id": self.id,
            "run": self.run,
            "tensor": self.tensor,
            "method": spec.method,
            "n_components": spec.n_components,
            "params": spec.params,
            "random_state": spec.random_state,
            "spherize": spec.spherize,
            "subset_size": None if spec.subset is None else int(spec.subset.size),
            "step": spec.step,
            "align_to": spec.align_to,
            "state": state,
            "stage": p.stage,
            "fraction": _finite(p.fraction),
            "iteration": p.iteration,
            "total": p.total,
            "message": p.message,
            "frame_iteration": None if frame is None else frame.iteration,
            "version": version,
            "summary": None if result is None else _json_ready(result.summary()),
            "error": None if error is None else error.to_dict()["error"],
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
        }

    # -- updates (from the worker thread) ----------------------------------------------------------------------
    def _changed(self) -> None:
        self._version += 1
        for event, loop in list(self._watchers.items()):
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop is closed: its watcher is gone
                self._watchers.pop(event, None)

    def on_progress(self, item: Progress) -> None:
        with self._lock:
            if self._outcome is not None:
                return
            self._progress = replace(item, coords=None)
            if item.coords is not None:
                self._set_frame(item.iteration or 0, item.coords, final=item.final)
            self._changed()

    def _set_frame(self, iteration: int, coords: np.ndarray, *, final: bool) -> None:
        seq = 0 if self._frame is None else self._frame.seq + 1
        self._frame = Frame(seq, int(iteration), np.asarray(coords, dtype=np.float32), final)

    def _finish(self, outcome: str, *, result: Projection | None = None, error: EmbedscopeError | None = None) -> None:
        with self._lock:
            if self._outcome is not None:
                return
            self._outcome, self._result, self._error = outcome, result, error
            self.finished = time.time()
            if result is not None:
                if self._frame is None or not self._frame.final:
                    self._set_frame(_final_iteration(result), result.coords, final=True)
                iteration = None if self._frame is None else self._frame.iteration
                self._progress = Progress(stage="done", fraction=1.0, iteration=iteration)
            else:
                self._progress = Progress(stage=outcome, fraction=self._progress.fraction, message=str(error or ""))
            self._embedding = self._reference = None
            self._changed()

    def succeed(self, result: Projection) -> None:
        self._finish("done", result=result)

    def fail(self, error: EmbedscopeError) -> None:
        self._finish("failed", error=error)

    def mark_cancelled(self) -> None:
        self._finish("cancelled", error=Cancelled(f"projection job {self.id} was cancelled"))

    def mark_started(self) -> None:
        with self._lock:
            self.started = time.time()
            self._progress = Progress(stage="starting", fraction=0.0)
            self._changed()

    # -- watchers (from event loops) ---------------------------------------------------------------------------
    def watch(self) -> asyncio.Event:
        """An Event set (on the calling loop) whenever the job changes; give it back with ``unwatch``."""
        event = asyncio.Event()
        with self._lock:
            self._watchers[event] = asyncio.get_running_loop()
        return event

    def unwatch(self, event: asyncio.Event) -> None:
        with self._lock:
            self._watchers.pop(event, None)

    @property
    def watchers(self) -> int:
        return len(self._watchers)


def _final_iteration(projection: Projection) -> int:
    """The iteration a finished layout that streamed no final frame (a cached one) is labelled with."""
    return int(projection.params.get("n_iter", 0)) if projection.method == "tsne" else 0


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _json_ready(value: Any) -> Any:
    """Plain JSON types with NaN/Inf as None (JSON has no NaN)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_json_ready(v) for v in value.tolist()]
    return value
