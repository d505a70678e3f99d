"""Export a projection's coordinates and/or a selection (index, label, metadata) as CSV, TSV or Parquet."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ...compute.projection import Projection
from ...embedding import Embedding
from ...errors import NotFoundError, ParameterError
from ...formats.coords import coords_table, write_table
from ..state import ServerState
from . import ERRORS, EmbeddingDep, Index, RunId, State, TensorId

router = APIRouter(tags=["export"], responses=ERRORS)

Format = Literal["csv", "tsv", "parquet"]
MEDIA = {"csv": "text/csv", "tsv": "text/tab-separated-values", "parquet": "application/vnd.apache.parquet"}
JobId = Annotated[str | None, Field(max_length=200, description="a projection job id: its coordinates as x, y[, z]")]
FILE_CONTENT = {media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA.values()}


class ExportRequest(BaseModel):
    model_config = ConfigDict(strict=True)  # no true for 1, no "5" for 5: what the schema says

    job_id: JobId = None
    indices: list[Index] | None = Field(
        None, description="the selection's rows (all rows, or the projection's, if null)"
    )
    format: Format = "csv"
    metadata: bool = Field(True, description="add the metadata columns")


def _projection(state: ServerState, run: str, tensor: str, emb: Embedding, job_id: str) -> Projection:
    if state.jobs is None:
        raise NotFoundError(f"no projection job {job_id!r}: this server runs no projections", field="job_id")
    job = state.jobs.get(job_id)
    if state.tensor_name(job.run, job.tensor) != state.tensor_name(run, tensor):
        raise ParameterError(
            f"projection job {job_id} belongs to another embedding",
            field="job_id",
            fix=f"export it from /api/runs/{job.run}/embeddings/{job.tensor}/export",
        )
    projection = state.jobs.result(job_id)
    rows = len(emb) if projection.indices is None else len(projection.indices)
    if projection.coords.shape[0] != rows:
        raise ParameterError(f"projection job {job_id} does not fit this embedding's {len(emb):,} rows", field="job_id")
    return projection


def _rows_and_coords(
    emb: Embedding, projection: Projection | None, indices: list[int] | None
) -> tuple[np.ndarray, np.ndarray | None]:
    if indices is not None:
        wanted = np.asarray(indices, dtype=np.int64)
        emb._check_ids(wanted)
    if projection is None:
        return (np.arange(len(emb)) if indices is None else wanted), None
    rows = np.arange(len(emb)) if projection.indices is None else np.asarray(projection.indices, dtype=np.int64)
    if indices is None:
        return rows, projection.coords
    where = np.full(len(emb), -1, dtype=np.int64)
    where[rows] = np.arange(len(rows))
    at = where[wanted]
    if (at < 0).any():
        missing = int(wanted[at < 0][0])
        raise ParameterError(f"row {missing} is not in the projection (it was made of a subset)", field="indices")
    return wanted, projection.coords[at]


def _file(emb: Embedding, rows: np.ndarray, coords: np.ndarray | None, fmt: str, metadata: bool) -> Response:
    table = coords_table(emb, coords, indices=rows, metadata=metadata)
    with tempfile.TemporaryDirectory(prefix="embedscope-export-") as folder:
        path = write_table(table, Path(folder) / f"export.{fmt}", format=fmt)
        data = path.read_bytes()
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in emb.name)[:100] or "export"
    return Response(
        data, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'}
    )


@router.post(
    "/runs/{run}/embeddings/{tensor}/export",
    summary="A file of the selection's rows (index, label, [x, y, z,] metadata)",
    response_class=Response,
    responses={200: {"content": FILE_CONTENT}},
)
def post_export(run: RunId, tensor: TensorId, emb: EmbeddingDep, state: State, body: ExportRequest) -> Response:
    projection = None if body.job_id is None else _projection(state, run, tensor, emb, body.job_id)
    rows, coords = _rows_and_coords(emb, projection, body.indices)
    return _file(emb, rows, coords, body.format, body.metadata)


@router.get(
    "/runs/{run}/embeddings/{tensor}/export",
    summary="A file of every row (or a projection's rows with ?job_id=), for a download link",
    response_class=Response,
    responses={200: {"content": FILE_CONTENT}},
)
def get_export(
    run: RunId,
    tensor: TensorId,
    emb: EmbeddingDep,
    state: State,
    job_id: Annotated[str | None, Query(max_length=200)] = None,
    format: Annotated[Format, Query()] = "csv",
    metadata: Annotated[bool, Query()] = True,
) -> Response:
    projection = None if job_id is None else _projection(state, run, tensor, emb, job_id)
    rows, coords = _rows_and_coords(emb, projection, None)
    return _file(emb, rows, coords, format, metadata)
