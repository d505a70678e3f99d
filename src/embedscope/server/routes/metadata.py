"""Metadata columns as Arrow IPC (or JSON for small requests), downloading them as a metadata TSV or Parquet file
(with the tags users gave: server/edits.py), and uploading a metadata TSV (the projector's Load)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import APIRouter, File, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from ...embedding import Embedding
from ...errors import EmbedscopeError, NotFoundError, ParameterError, PayloadTooLargeError
from ...formats.tsv import read_metadata
from ...formats.tsv_metadata import tsv_chunks
from . import ERRORS, EmbeddingDep, Index, RunId, State, TensorId
from .runs import EmbeddingInfo, embedding_info

router = APIRouter(tags=["metadata"], responses=ERRORS)

ARROW_STREAM = "application/vnd.apache.arrow.stream"
DOWNLOADS = {"tsv": "text/tab-separated-values; charset=utf-8", "parquet": "application/vnd.apache.parquet"}
LABEL_KEY = b"embedscope.label_column"  # the label column, in a Parquet file's schema (as formats/tables writes it)
MAX_JSON_ROWS = 10_000
CHUNK = 1 << 20


class MetadataJson(BaseModel):
    rows: int = Field(description="rows in the whole table (N)")
    offset: int
    columns: list[str]
    data: dict[str, list[Any]] = Field(description="column name -> values of rows offset..offset+len-1")


def _columns(emb: Embedding, columns: str | None) -> list[str]:
    have = [] if emb.metadata is None else emb.metadata.column_names
    if columns is None or columns == "":
        return have
    wanted = [c for c in columns.split(",") if c != ""]
    missing = [c for c in wanted if c not in have]
    if missing:
        raise NotFoundError(f"no metadata column {missing[0]!r}", field="columns", fix=f"choose among {have}")
    return list(dict.fromkeys(wanted))


def _slice(emb: Embedding, names: list[str], offset: int, limit: int | None) -> pa.Table:
    if emb.metadata is None:
        table = pa.table({})
        return table
    table = emb.metadata.select(names)
    return table.slice(offset, limit)


def json_values(col: pa.ChunkedArray) -> list[Any]:
    """A column as JSON values: text for bytes, null for NaN and infinities (the saved page holds them so too)."""
    values = col.to_pylist()
    if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type):
        return [None if v is None else v.decode("utf-8", errors="replace") for v in values]
    if pa.types.is_floating(col.type):
        return [None if v is None or v != v or v in (float("inf"), float("-inf")) else v for v in values]
    return values


@router.get(
    "/runs/{run}/embeddings/{tensor}/metadata",
    summary="Metadata columns as an Arrow IPC stream, JSON with ?format=json, or a file with ?format=tsv or parquet",
    response_model=MetadataJson,
    responses={
        200: {
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in (ARROW_STREAM, *DOWNLOADS.values())
            }
        }
    },
)
def get_metadata(
    emb: EmbeddingDep,
    columns: Annotated[str | None, Query(max_length=100_000, description="comma-separated; all when left out")] = None,
    format: Annotated[
        Literal["arrow", "json", "tsv", "parquet"],
        Query(
            description="arrow (default), json, or a file to download: tsv (the projector's metadata TSV: a header "
            "line only with more than one column) or parquet"
        ),
    ] = "arrow",
    offset: Annotated[Index, Query()] = 0,
    limit: Annotated[Index | None, Query(description=f"rows; JSON answers at most {MAX_JSON_ROWS:,}")] = None,
) -> Any:
    names = _columns(emb, columns)
    n = len(emb)
    if format == "json":
        count = min(limit if limit is not None else MAX_JSON_ROWS, MAX_JSON_ROWS)
        table = _slice(emb, names, min(offset, n), count)
        data = {name: json_values(table.column(name)) for name in names} if emb.metadata is not None else {}
        return MetadataJson(rows=n, offset=min(offset, n), columns=names, data=data)
    table = _slice(emb, names, min(offset, n), limit)
    if format in DOWNLOADS:
        return _download(emb, table, format)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return Response(
        sink.getvalue().to_pybytes(),
        media_type=ARROW_STREAM,
        headers={"X-Total-Rows": str(n), "X-Offset": str(min(offset, n))},
    )


def _download(emb: Embedding, table: pa.Table, fmt: str) -> Response:
    """The metadata as a file (the served metadata: tags included), named after the embedding."""
    if table.num_columns == 0:
        raise ParameterError(
            f"embedding {emb.name!r} has no metadata to download",
            field="format",
            fix="tag some points to make a column, or load a metadata file",
        )
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in emb.name)[:100] or "embedding"
    headers = {"Content-Disposition": f'attachment; filename="{stem}-metadata.{fmt}"'}
    if fmt == "tsv":
        chunks = tsv_chunks(table, where=f"{stem}-metadata.tsv")
        return StreamingResponse(chunks, media_type=DOWNLOADS[fmt], headers=headers)
    label = emb.label_column
    if label is not None and label in table.column_names:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), LABEL_KEY: label.encode()})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return Response(sink.getvalue().to_pybytes(), media_type=DOWNLOADS[fmt], headers=headers)


def _safe_name(filename: str | None) -> str:
    """The uploaded file's base name for messages (never used as a path)."""
    base = (filename or "metadata.tsv").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:200] or "metadata.tsv"


async def _spool(upload: UploadFile, limit: int) -> Path:
    fd, name = tempfile.mkstemp(prefix="embedscope-upload-", suffix=".tsv")
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLargeError(
                        f"the uploaded file is larger than the limit of {limit:,} bytes",
                        fix="send a smaller file, or start the server with a larger upload limit",
                    )
                out.write(chunk)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def _read(path: Path, n: int, shown: str) -> pa.Table:
    try:
        return read_metadata(path, n=n)
    except EmbedscopeError as exc:
        exc.path = shown  # the temp file's name means nothing to the user
        exc.args = (exc.describe(),)
        raise


@router.post(
    "/runs/{run}/embeddings/{tensor}/metadata",
    response_model=EmbeddingInfo,
    summary="Replace an embedding's metadata with an uploaded TSV (in the server only, not on disk)",
)
async def upload_metadata(
    run: RunId,
    tensor: TensorId,
    emb: EmbeddingDep,
    state: State,
    file: Annotated[UploadFile, File(description="metadata TSV: the projector's rules, one row per vector")],
) -> EmbeddingInfo:
    path = await _spool(file, state.settings.max_upload_bytes)
    try:
        table = await run_in_threadpool(_read, path, len(emb), _safe_name(file.filename))
    finally:
        path.unlink(missing_ok=True)
    new = await run_in_threadpool(state.replace_metadata, run, tensor, table)
    return await run_in_threadpool(embedding_info, state, new)
