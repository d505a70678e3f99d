"""Projections as jobs: start (or attach to) one, watch it, steer it, fetch its coordinates.

Routes (all under /api):

- ``POST /runs/{run}/embeddings/{tensor}/projections`` starts a job, or returns the one already running or
  finished for the same projection (same id), or a finished one from the cache. Body: ProjectionRequest. For an
  embedding with training steps, ``step`` chooses one (default: the latest) and ``align_to`` the step whose
  frame it is drawn in (default: the latest; compute/align.py), so the steps of a sweep line up.
- ``GET /projections`` lists the jobs in memory; ``GET /projections/{job_id}`` gives one job's status:
  state (queued, running, paused, done, failed, cancelled), stage, progress, iteration, parameters, and once
  done its summary (explained variance for PCA, pattern match counts for custom, the quality figure).
- ``POST /projections/{job_id}/pause``, ``/resume``, ``/cancel`` steer it (and answer its status); ``/perturb``
  nudges a running t-SNE's layout with small noise, to leave a poor local layout, and answers that job; on a finished
  t-SNE it starts a new job going on from the layout plus the noise and answers it (results are not cached).
- ``GET /projections/{job_id}/coords`` gives the final coordinates: ``format=binary`` is
  ``application/octet-stream`` with the float32 little-endian rows only (n x dims, row-major) and the shape in
  the ``X-Shape: n,dims`` header; ``format=json`` is ``{n, dims, coords, indices}``; ``format=auto`` (the
  default) is JSON up to 20,000 numbers, binary beyond. 409 until the job is done.
- ``WebSocket /projections/{job_id}/stream`` streams the job to any number of pages.

Stream format. Text frames are JSON objects: ``{"type": "status", "job": <the GET status body>}``, or
``{"type": "error", "error": {...}}`` (the one error shape) before closing with code 4404 when there is no
such job. Binary frames are coordinates: a 16-byte header of four little-endian uint32,
``iteration, n, dims, flags`` (flags bit 0 = these are the final coordinates), then ``n * dims`` little-endian
float32 numbers, row-major. A new subscriber first gets the latest frame (if any), then the status. A socket
gets at most one frame and one status every STREAM_INTERVAL seconds (frames in between are skipped, never
queued; the final frame and the last status are always sent), so a million-point t-SNE cannot flood it. Once
the job has finished and its last frame and status are sent, the server closes the socket with code 1000. A
page closing its socket does not affect the job or other watchers. ``?frames=0`` sends the status only (a page that
draws a large map from its tiles).
"""

from __future__ import annotations

import asyncio
import json
import math
from contextlib import suppress
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Path, Query, Response, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, create_model

from ...compute.spec import N_COMPONENTS, PARAMS, RANDOM_STATE, Param
from ...errors import EmbedscopeError
from ..jobs import Job, JobManager
from ..state import ServerState
from . import ERRORS, TOO_MANY, ErrorDetail, Index, Int64, RunId, State, TensorId

router = APIRouter(tags=["projections"], responses=ERRORS)

STREAM_INTERVAL = 0.1  # seconds between frames (and between status messages) sent to one socket
IDLE_WAKE = 30.0  # seconds a socket waits for news before looking again
JSON_AUTO_MAX = 20_000  # numbers up to which format=auto answers JSON
JSON_MAX = 2_000_000  # numbers beyond which JSON is refused (use binary)
MAX_SUBSET = 100_000_000

JobId = Annotated[str, Path(min_length=1, max_length=64, description="job id from POST .../projections")]


def _param_type(param: Param) -> Any:
    """The JSON type of one parameter of the spec's table; its limits are documented here and checked by the spec."""
    kinds: dict[str, Any] = {
        "number": float,
        "integer": Int64,
        "string": str,
        "boolean": bool,
        "number_or_auto": float | Literal["auto"],
        "components": list[Int64],
        "choice": Literal[tuple(param.choices or ())],
    }
    return kinds[param.type] | None


def _param_schema(param: Param) -> dict[str, Any]:
    extra: dict[str, Any] = {"default": param.default}
    names = {"min": "exclusiveMinimum" if param.exclusive_min else "minimum", "max": "maximum"}
    for name, key in names.items():
        if getattr(param, name) is not None:
            extra[key] = getattr(param, name)
    if param.max_length is not None:
        extra["maxLength"] = param.max_length
    return extra


_ALL_PARAMS = {p.name: p for params in PARAMS.values() for p in params}
ProjectionParams = create_model(  # type: ignore[call-overload]
    "ProjectionParams",
    __config__=ConfigDict(extra="forbid"),
    __doc__="The method's parameters (each method takes its own; others are a 422). Omitted ones take defaults; "
    "GET /api/options lists them with their limits.",
    **{
        name: (_param_type(p), Field(default=None, description=p.help, json_schema_extra=_param_schema(p)))
        for name, p in _ALL_PARAMS.items()
    },
)


class ProjectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["pca", "tsne", "umap", "custom", "precomputed"]
    n_components: Int64 = Field(default=N_COMPONENTS.default, description=N_COMPONENTS.help)
    params: ProjectionParams = Field(default_factory=lambda: ProjectionParams())  # type: ignore[valid-type]
    random_state: Int64 = Field(default=RANDOM_STATE.default, description=RANDOM_STATE.help)
    spherize: bool | None = Field(default=None, description="default: on for D >= 50")
    subset: list[Index] | None = Field(
        default=None, max_length=MAX_SUBSET, description='"isolate": project only these rows (at least 3)'
    )
    step: Index | None = Field(default=None, description="training step to project (default: the latest)")
    align_to: Index | None = Field(
        default=None,
        description="step whose frame the projection is drawn in (default: the latest): PCA on its axes, "
        "t-SNE/UMAP Procrustes-aligned to its layout; give the same one for every step of a sweep",
    )
    align: bool = Field(default=True, description="false: each step in its own frame")


class ProjectionSummary(BaseModel):
    model_config = ConfigDict(extra="allow")

    method: str
    dims: int
    n: int
    params: dict[str, Any]
    random_state: int
    spherize: bool
    explained_variance_ratio: list[float | None] | None = Field(
        default=None, description="PCA: every computed component"
    )
    quality: float | None = Field(default=None, description="share of 10 nearest neighbours the projection keeps")
    trustworthiness: float | None = Field(
        default=None, description="scikit-learn's trustworthiness (10 neighbours) among 1,000 sampled points"
    )
    continuity: float | None = Field(default=None, description="trustworthiness with data and picture swapped")
    cached: bool = False
    counts: dict[str, int] | None = Field(default=None, description="custom: rows each pattern matched")
    x_label: str | None = None
    y_label: str | None = None
    cos_xy: float | None = None
    column: str | None = None
    columns: list[str] | None = Field(default=None, description="precomputed: the coordinate columns")
    missing: int | None = Field(default=None, description="precomputed: rows without coordinates (not drawn)")
    knn_engine: str | None = None
    knn_recall: float | None = None
    reproducible: bool | None = Field(default=None, description="the same request gives identical coordinates")
    aligned_to: int | None = Field(default=None, description="the step whose frame the coordinates are in")
    perturbed: int | None = Field(default=None, description="t-SNE: perturbations its layout went through")
    continued_from: str | None = Field(
        default=None, description="t-SNE: the finished job whose perturbed layout this one went on from"
    )


class JobStatus(BaseModel):
    id: str
    run: str
    tensor: str
    method: str
    n_components: int
    params: dict[str, Any]
    random_state: int
    spherize: bool
    subset_size: int | None
    step: int | None = Field(default=None, description="training step projected (null: no steps)")
    align_to: int | None = Field(default=None, description="step whose frame it is drawn in (null: its own)")
    state: Literal["queued", "running", "paused", "done", "failed", "cancelled"]
    stage: str
    fraction: float | None
    iteration: int | None
    total: int | None
    message: str
    frame_iteration: int | None = Field(description="iteration of the latest coordinates streamed")
    version: int = Field(description="increases with every change")
    summary: ProjectionSummary | None
    error: ErrorDetail | None
    created: float
    started: float | None
    finished: float | None


class CoordsOut(BaseModel):
    n: int
    dims: int
    coords: list[list[float | None]] = Field(description="null for a row not drawn (no coordinates)")
    indices: list[int] | None = Field(description="rows of the embedding (isolate), null for all rows in order")


def jobs_of(state: ServerState) -> JobManager:
    if state.jobs is None:
        raise EmbedscopeError("projection jobs are not available in this server")
    return state.jobs


@router.post("/runs/{run}/embeddings/{tensor}/projections", response_model=JobStatus, responses=TOO_MANY)
def start_projection(run: RunId, tensor: TensorId, body: ProjectionRequest, state: State) -> dict[str, Any]:
    """Start a projection job, or attach to the one running or finished for the same projection."""
    job = jobs_of(state).start(
        run,
        tensor,
        method=body.method,
        n_components=body.n_components,
        params=body.params.model_dump(exclude_none=True),  # type: ignore[attr-defined]
        random_state=body.random_state,
        spherize=body.spherize,
        subset=body.subset,
        step=body.step,
        align_to=body.align_to,
        align=body.align,
    )
    return job.status()


@router.get("/projections", response_model=list[JobStatus])
async def list_projections(state: State) -> list[dict[str, Any]]:
    return [job.status() for job in jobs_of(state).jobs()]


@router.get("/projections/{job_id}", response_model=JobStatus)
async def projection_status(job_id: JobId, state: State) -> dict[str, Any]:
    return jobs_of(state).get(job_id).status()


@router.post("/projections/{job_id}/pause", response_model=JobStatus)
async def pause_projection(job_id: JobId, state: State) -> dict[str, Any]:
    return jobs_of(state).pause(job_id).status()


@router.post("/projections/{job_id}/perturb", response_model=JobStatus)
async def perturb_projection(job_id: JobId, state: State) -> dict[str, Any]:
    """Nudge a t-SNE's layout with small noise; it optimises on from there (TensorBoard's Perturb). A running job
    is nudged in place (its status answers); a finished one is continued by a new job (the new job's status)."""
    return jobs_of(state).perturb(job_id).status()


@router.post("/projections/{job_id}/resume", response_model=JobStatus)
async def resume_projection(job_id: JobId, state: State) -> dict[str, Any]:
    return jobs_of(state).resume(job_id).status()


@router.post("/projections/{job_id}/cancel", response_model=JobStatus)
async def cancel_projection(job_id: JobId, state: State) -> dict[str, Any]:
    return jobs_of(state).cancel(job_id).status()


_BINARY = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


@router.get(
    "/projections/{job_id}/coords",
    response_model=None,
    responses={200: {"model": CoordsOut, "content": _BINARY, "description": "JSON, or float32 rows"}},
)
def projection_coords(
    job_id: JobId,
    state: State,
    format: Annotated[Literal["auto", "binary", "json"], Query(description="auto: JSON when small")] = "auto",
) -> Response:
    """The final coordinates of a finished job (409 before)."""
    result = jobs_of(state).result(job_id)
    coords = result.coords
    n, dims = (int(s) for s in coords.shape)
    chosen = format if format != "auto" else ("json" if n * dims <= JSON_AUTO_MAX else "binary")
    if chosen == "binary":
        data = np.ascontiguousarray(coords, dtype="<f4").tobytes()
        headers = {"X-Shape": f"{n},{dims}", "X-Dtype": "float32"}
        return Response(data, media_type="application/octet-stream", headers=headers)
    if n * dims > JSON_MAX:
        from ...errors import ParameterError

        raise ParameterError(
            f"{n:,} x {dims} coordinates are too many for JSON", field="format", fix="ask for format=binary"
        )
    indices = None if result.indices is None else [int(i) for i in result.indices]
    rows = [[v if math.isfinite(v) else None for v in row] for row in coords.tolist()]  # JSON has no NaN: null
    body = {"n": n, "dims": dims, "coords": rows, "indices": indices}
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")


@router.websocket("/projections/{job_id}/stream")
async def stream_projection(websocket: WebSocket, job_id: str) -> None:
    """Progress (JSON text frames) and coordinates (binary float32 frames) of a job; see the module docstring."""
    state: ServerState = websocket.app.state.embedscope
    await websocket.accept()
    try:
        job = jobs_of(state).get(job_id)
    except EmbedscopeError as exc:
        await websocket.send_text(json.dumps({"type": "error", **exc.to_dict()}))
        await websocket.close(code=4404)
        return
    event = job.watch()
    closed = asyncio.Event()
    reader = asyncio.create_task(_read_until_closed(websocket, event, closed))
    finished = False
    frames = websocket.query_params.get("frames") != "0"
    try:
        finished = await _pump(websocket, job, event, closed, frames=frames)
    except (WebSocketDisconnect, RuntimeError, OSError):
        finished = False  # the page went away: nothing to close
    finally:
        job.unwatch(event)
        reader.cancel()
        with suppress(asyncio.CancelledError, Exception):
            await reader
    if finished and not closed.is_set():
        with suppress(WebSocketDisconnect, RuntimeError, OSError):
            await websocket.close(code=1000)


async def _read_until_closed(websocket: WebSocket, event: asyncio.Event, closed: asyncio.Event) -> None:
    """Drain what the page sends (nothing is expected) and notice when it goes away."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass  # gone as well
    closed.set()
    event.set()


async def _pump(
    websocket: WebSocket, job: Job, event: asyncio.Event, closed: asyncio.Event, *, frames: bool = True
) -> bool:
    """Send the job's latest frame (unless `frames` is off) and status as they change, throttled; True once the
    finished job is sent."""
    loop = asyncio.get_running_loop()
    sent_version, sent_seq = -1, -1
    last_status = last_frame = -float("inf")
    while not closed.is_set():
        event.clear()
        terminal = job.terminal  # read first: a finished job's frame and status are then final
        now = loop.time()
        wait = IDLE_WAKE
        frame = job.frame if frames else None
        if frame is not None and frame.seq != sent_seq:
            if frame.final or terminal or now - last_frame >= STREAM_INTERVAL:
                await websocket.send_bytes(frame.to_bytes())
                sent_seq, last_frame = frame.seq, now
            else:
                wait = min(wait, last_frame + STREAM_INTERVAL - now)
        if job.version != sent_version:
            if terminal or now - last_status >= STREAM_INTERVAL:
                status = job.status()
                await websocket.send_text(json.dumps({"type": "status", "job": status}))
                sent_version, last_status = status["version"], now
            else:
                wait = min(wait, last_status + STREAM_INTERVAL - now)
        if terminal and sent_version == job.version and (frame is None or frame.seq == sent_seq):
            return True
        with suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=max(wait, 0.001))
    return False
