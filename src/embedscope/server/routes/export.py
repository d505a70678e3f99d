"""Export a projection's coordinates and/or a selection (index, label, metadata) as CSV, TSV or Parquet.

The file is streamed: written and sent a slice of rows at a time (8 to 32 MiB of table), never whole in memory.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ...compute.projection import Projection
from ...embedding import Embedding
from ...errors import NotFoundError, ParameterError
from ...formats.coords import coords_table
from ..state import ServerState
from . import ERRORS, EmbeddingDep, Index, RunId, State, TensorId

router = APIRouter(tags=["export"], responses=ERRORS)

Format = Literal["csv", "tsv", "parquet"]
MEDIA = {"csv": "text/csv", "tsv": "text/tab-separated-values", "parquet": "application/vnd.apache.parquet"}
JobId = Annotated[str | None, Field(max_length=200, description="a projection job id: its coordinates as x, y[, z]")]
# table bytes per slice of rows written and sent: CSV and TSV; Parquet (a row group: fewer, larger ones compress
# better and write faster)
CHUNK_BYTES = {"csv": 8 << 20, "tsv": 8 << 20, "parquet": 16 << 20}
MIN_CHUNK_ROWS, MAX_CHUNK_ROWS = 1024, 1 << 20  # 1 << 20: pyarrow's own row group size
FILE_CONTENT = {media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA.values()}


class ExportRequest(BaseModel):
    model_config = ConfigDict(strict=True)  # no true for 1, no "5" for 5: what the schema says

    job_id: JobId = None
    indices: list[Index] | None = Field(
        None, description="the selection's rows (all rows, or the projection's, if null)"
    )
    format: Format = "csv"
    metadata: bool = Field(True, description="add the metadata columns")


def job_projection(state: ServerState, run: str, tensor: str, emb: Embedding, job_id: str) -> Projection:
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
    """The file, streamed: made and sent a slice of rows at a time, so memory stays bounded by the slice."""
    chunks = _chunks(emb, rows, coords, fmt, metadata)
    first = next(chunks)  # the first slice is made before the answer starts: its errors are still the one JSON shape
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in emb.name)[:100] or "export"
    return StreamingResponse(
        itertools.chain([first], chunks),
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )


def _slice_rows(emb: Embedding, fmt: str, metadata: bool) -> int:
    """Rows per slice: about CHUNK_BYTES[fmt] of table, from the metadata's size per row."""
    per_row = 64
    if metadata and emb.metadata is not None and emb.metadata.num_rows:
        per_row += emb.metadata.nbytes // emb.metadata.num_rows
    return max(MIN_CHUNK_ROWS, min(MAX_CHUNK_ROWS, CHUNK_BYTES[fmt] // per_row))


def _chunks(emb: Embedding, rows: np.ndarray, coords: np.ndarray | None, fmt: str, metadata: bool) -> Iterator[bytes]:
    """The file's bytes, slice by slice: what `write_table` writes for the whole table (CSV and TSV byte for byte;
    Parquet with one row group per slice)."""
    sink = _Sink()
    step = _slice_rows(emb, fmt, metadata)
    writer: pq.ParquetWriter | pacsv.CSVWriter | None = None
    for start in range(0, max(len(rows), 1), step):
        part = coords_table(
            emb,
            None if coords is None else coords[start : start + step],
            indices=rows[start : start + step],
            metadata=metadata,
        )
        if writer is None:
            writer = _writer(fmt, sink, part.schema)
        writer.write_table(part)
        yield sink.take()
    if writer is not None:
        writer.close()
    yield sink.take()


def _writer(fmt: str, sink: _Sink, schema: pa.Schema) -> pq.ParquetWriter | pacsv.CSVWriter:
    if fmt == "parquet":
        return pq.ParquetWriter(sink, schema)
    options = pacsv.WriteOptions(delimiter="," if fmt == "csv" else "\t", quoting_style="needed")
    return pacsv.CSVWriter(sink, schema, write_options=options)


class _Sink(io.RawIOBase):
    """A write-only file that hands over what was written since the last `take`."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._offset = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._offset += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._offset

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


@router.post(
    "/runs/{run}/embeddings/{tensor}/export",
    summary="A file of the selection's rows (index, label, [x, y, z,] metadata)",
    response_class=Response,
    responses={200: {"content": FILE_CONTENT}},
)
def post_export(run: RunId, tensor: TensorId, emb: EmbeddingDep, state: State, body: ExportRequest) -> Response:
    projection = None if body.job_id is None else job_projection(state, run, tensor, emb, body.job_id)
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
    projection = None if job_id is None else job_projection(state, run, tensor, emb, job_id)
    rows, coords = _rows_and_coords(emb, projection, None)
    return _file(emb, rows, coords, format, metadata)
