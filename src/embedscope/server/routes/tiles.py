"""A finished 2-D map as a tile pyramid (compute/tiles.py), for maps too large to send whole:
``GET /projections/{job_id}/tiles`` answers the pyramid's description (its square, levels, and each tile's points),
``GET /projections/{job_id}/tiles/{z}/{x}/{y}`` one tile as an Arrow IPC file (row, x, y; a crowded tile's density
in its schema's metadata). The pyramid is built on the first request, once (later requests wait for it), and kept
in the cache folder under the job's id."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from annotated_types import Interval
from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ...compute.tiles import MAX_LEVEL, Pyramid, build_pyramid, open_pyramid
from ...errors import EmbedscopeError, NotFoundError, ParameterError
from ..state import ServerState
from . import ERRORS, State
from .projections import JobId, jobs_of

router = APIRouter(tags=["tiles"], responses=ERRORS)

ARROW = "application/vnd.apache.arrow.file"
Level = Annotated[int, Path(description="the level: 0 is the whole map"), Interval(ge=0, le=MAX_LEVEL)]
Place = Annotated[int, Path(description="the tile's column or row at its level"), Interval(ge=0, le=2**MAX_LEVEL)]

_building = threading.Lock()
_locks: dict[str, threading.Lock] = {}


def pyramid_of(state: ServerState, job_id: str, *, again: bool = False) -> Pyramid:
    """The job's pyramid, built the first time (one build at a time per job); `again`: built anew (a damaged one)."""
    jobs = jobs_of(state)
    job = jobs.get(job_id)
    projection = jobs.result(job_id)
    if projection.coords.shape[1] != 2:
        raise ParameterError(
            f"projection job {job_id} is a {projection.coords.shape[1]}-D map: tiles are for 2-D maps",
            field="job_id",
            fix="project to 2 dimensions",
        )
    folder = state.cache.directory / "tiles" / job.id
    with _building:
        lock = _locks.setdefault(job.id, threading.Lock())
    with lock:
        if not again:
            try:
                return open_pyramid(folder)
            except EmbedscopeError:  # not built yet, or damaged: built again
                pass
        return build_pyramid(projection.coords, folder, ids=projection.indices)


def tile_bytes(state: ServerState, job_id: str, key: str) -> bytes:
    """One tile's file; a cache missing it (removed, cut) has its pyramid built again, once."""
    for again in (False, True):
        p = pyramid_of(state, job_id, again=again)
        if key not in p.tiles:
            raise NotFoundError(
                f"map {job_id} has no tile {key}", field="tile", fix="ask for a tile listed by GET .../tiles"
            )
        z, x, y = map(int, key.split("/"))
        try:
            return p.tile_path(z, x, y).read_bytes()
        except OSError:
            continue
    raise NotFoundError(f"map {job_id}'s tile {key} could not be read", field="tile", fix="check the cache folder")


@router.get("/projections/{job_id}/tiles", summary="A finished 2-D map's tile pyramid: its square, levels and tiles")
async def tiles(job_id: JobId, state: State) -> dict[str, Any]:
    p = await run_in_threadpool(pyramid_of, state, job_id)
    return {
        "rows": p.rows,
        "origin": list(p.origin),
        "size": p.size,
        "capacity": p.capacity,
        "grid": p.grid,
        "levels": p.levels,
        "tiles": p.tiles,
    }


@router.get(
    "/projections/{job_id}/tiles/{z}/{x}/{y}",
    summary="One tile of a map's pyramid, as an Arrow IPC file (row, x, y)",
    response_class=Response,
    responses={200: {"content": {ARROW: {"schema": {"type": "string", "format": "binary"}}}}},
)
async def tile(job_id: JobId, z: Level, x: Place, y: Place, state: State) -> Response:
    data = await run_in_threadpool(tile_bytes, state, job_id, f"{z}/{x}/{y}")
    return Response(data, media_type=ARROW, headers={"Cache-Control": "max-age=31536000, immutable"})
