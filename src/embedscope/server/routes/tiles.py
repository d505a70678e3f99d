"""A finished 2-D map as a tile pyramid (compute/tiles.py), for maps too large to send whole:
``GET /projections/{job_id}/tiles`` answers the pyramid's description (its square, levels, and each tile's points),
``GET /projections/{job_id}/tiles/{z}/{x}/{y}`` one tile as an Arrow IPC file (row, x, y; with ``?label=COLUMN``
also `label`, that metadata column's values as text, and so `color` with ``?color=COLUMN``; a crowded tile's
density in its schema's metadata), and
``GET /projections/{job_id}/within`` the rows of the whole map inside a rectangle (a box selection of a map the page
holds only some of). The pyramid is built on the first request, once (later requests wait for it), and kept in the
cache folder under the job's id; the server's `tile_points` is a tile's capacity."""

from __future__ import annotations

import math
import threading
from typing import Annotated, Any, Literal

import numpy as np
import pyarrow as pa
from annotated_types import Interval
from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ...compute.tiles import MAX_LEVEL, Pyramid, build_pyramid, open_pyramid
from ...errors import EmbedscopeError, NotFoundError, ParameterError
from ..state import ServerState
from . import ERRORS, State
from .projections import JobId, jobs_of
from .search import column_strings

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
        capacity = state.settings.tile_points
        if not again:
            try:
                built = open_pyramid(folder)
                if built.capacity == capacity:
                    return built
            except EmbedscopeError:  # not built yet, or damaged: built again
                pass
        return build_pyramid(projection.coords, folder, ids=projection.indices, capacity=capacity)


def tile_bytes(state: ServerState, job_id: str, key: str, added: dict[str, str] | None = None) -> bytes:
    """One tile's file, with metadata columns' values added as text (`added`: the tile's column name -> the metadata
    column); a cache missing it (removed, cut) has its pyramid built again, once."""
    for again in (False, True):
        p = pyramid_of(state, job_id, again=again)
        if key not in p.tiles:
            raise NotFoundError(
                f"map {job_id} has no tile {key}", field="tile", fix="ask for a tile listed by GET .../tiles"
            )
        z, x, y = map(int, key.split("/"))
        try:
            data = p.tile_path(z, x, y).read_bytes()
        except OSError:
            continue
        return _with_columns(state, job_id, data, added) if added else data
    raise NotFoundError(f"map {job_id}'s tile {key} could not be read", field="tile", fix="check the cache folder")


def _with_columns(state: ServerState, job_id: str, data: bytes, added: dict[str, str]) -> bytes:
    """The tile `data` with columns added: each named metadata column's value of each row, as text."""
    job = jobs_of(state).get(job_id)
    emb = state.embedding(job.run, job.tensor)
    try:
        table = pa.ipc.open_file(pa.py_buffer(data)).read_all()
    except pa.ArrowInvalid as exc:
        raise EmbedscopeError(f"map {job_id}'s tile could not be read ({exc})") from None
    rows = pa.array(table.column("row").to_numpy().astype(np.int64))
    for name, column in added.items():
        _, strings = column_strings(emb, column)
        values = strings.take(rows)
        table = table.append_column(name, values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


class TileInfo(BaseModel):
    points: int = Field(description="points the tile holds")
    total: int = Field(description="points of its square that no tile above holds: the tile's and those under it")


class PyramidResponse(BaseModel):
    rows: int
    origin: list[float] = Field(description="the map square's lower corner (x, y)")
    size: float = Field(description="its side")
    bounds: list[float] = Field(description="the points' x0, y0, x1, y1")
    capacity: int
    grid: int = Field(description="density cells a side of a crowded tile")
    levels: int
    tiles: dict[str, TileInfo] = Field(description='"z/x/y" -> the tile; level z has 2^z x 2^z squares, y upward')


@router.get(
    "/projections/{job_id}/tiles",
    response_model=PyramidResponse,
    summary="A finished 2-D map's tile pyramid: its square, levels and tiles",
)
async def tiles(job_id: JobId, state: State) -> dict[str, Any]:
    p = await run_in_threadpool(pyramid_of, state, job_id)
    return {
        "rows": p.rows,
        "origin": list(p.origin),
        "size": p.size,
        "bounds": list(p.bounds),
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
async def tile(
    job_id: JobId,
    z: Level,
    x: Place,
    y: Place,
    state: State,
    label: Annotated[
        str | None, Query(max_length=10_000, description="a metadata column whose values come as the column `label`")
    ] = None,
    color: Annotated[
        str | None, Query(max_length=10_000, description="a metadata column whose values come as the column `color`")
    ] = None,
) -> Response:
    added = {name: column for name, column in (("label", label), ("color", color)) if column is not None}
    data = await run_in_threadpool(tile_bytes, state, job_id, f"{z}/{x}/{y}", added)
    return Response(data, media_type=ARROW, headers={"Cache-Control": "max-age=31536000, immutable"})


class WithinResponse(BaseModel):
    count: int
    indices: list[int] = Field(description="the table's rows of the points inside, ascending")


Coordinate = Annotated[float, Query(description="a bound of the rectangle, in the map's coordinates")]


def rows_within(state: ServerState, job_id: str, box: tuple[float, float, float, float]) -> np.ndarray:
    """Ascending int32 rows of the job's 2-D map whose point lies in the box (x0, y0, x1, y1), edges included."""
    if not all(math.isfinite(v) for v in box):
        raise ParameterError("the rectangle's bounds must be finite numbers", field="x0", fix="give x0, y0, x1, y1")
    x0, y0, x1, y1 = box
    x0, x1, y0, y1 = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    projection = jobs_of(state).result(job_id)
    xy = projection.coords
    if xy.shape[1] != 2:
        raise ParameterError(f"projection job {job_id} is a {xy.shape[1]}-D map", field="job_id", fix="use a 2-D map")
    inside = np.flatnonzero((xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1))
    rows = inside if projection.indices is None else np.asarray(projection.indices)[inside]
    return np.sort(rows).astype(np.int32)


@router.get(
    "/projections/{job_id}/within",
    response_model=WithinResponse,
    summary="The rows of a finished 2-D map whose points lie in a rectangle (a box selection of the whole map)",
    responses={200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
)
async def within(
    job_id: JobId,
    state: State,
    x0: Coordinate,
    y0: Coordinate,
    x1: Coordinate,
    y1: Coordinate,
    format: Annotated[
        Literal["json", "int32"], Query(description="int32: the rows as a little-endian int32 array")
    ] = "json",
) -> WithinResponse | Response:
    rows = await run_in_threadpool(rows_within, state, job_id, (x0, y0, x1, y1))
    if format == "int32":
        return Response(
            rows.astype("<i4").tobytes(), media_type="application/octet-stream", headers={"X-Count": str(len(rows))}
        )
    return WithinResponse(count=len(rows), indices=rows.tolist())
