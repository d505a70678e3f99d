"""Search a metadata column by substring (case-insensitive by default) or regular expression, vectorised.

Answers every matching row index (JSON, or with ?format=int32 a little-endian int32 array for large results)
and the labels of the first 100. Patterns are RE2 syntax (compute/patterns.py, the engine of custom axes too):
no look-around or backreferences.
"""

from __future__ import annotations

import re
import threading
import weakref
from typing import Annotated, Literal

import numpy as np
import pyarrow as pa
from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ...compute.patterns import as_strings, match_rows
from ...embedding import Embedding
from ...errors import NotFoundError, ParameterError
from . import ERRORS, EmbeddingDep

router = APIRouter(tags=["search"], responses=ERRORS)

SHOWN = 100
_strings: weakref.WeakKeyDictionary[Embedding, dict[str | None, pa.ChunkedArray | pa.Array]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


class SearchHit(BaseModel):
    index: int
    label: str


class SearchResponse(BaseModel):
    column: str | None = Field(description="the column searched (null: row indices, when there is no metadata)")
    count: int
    indices: list[int] = Field(description="every matching row, ascending")
    first: list[SearchHit] = Field(description=f"the first {SHOWN} matches with their labels")


def column_strings(emb: Embedding, column: str | None) -> tuple[str | None, pa.ChunkedArray | pa.Array]:
    """The searched column as Arrow strings (numbers cast to text), made once per embedding and column."""
    if column is None:
        column = emb.label_column
    if column is not None and (emb.metadata is None or column not in emb.metadata.column_names):
        have = [] if emb.metadata is None else emb.metadata.column_names
        raise NotFoundError(f"no metadata column {column!r}", field="column", fix=f"choose among {have}")
    with _lock:
        memo = _strings.setdefault(emb, {})
        if column not in memo:
            if emb.metadata is None or column is None:  # no metadata: points are labelled by row index
                memo[column] = as_strings(pa.array(np.arange(len(emb))))
            else:
                memo[column] = as_strings(emb.metadata.column(column))
        return column, memo[column]


def match(
    emb: Embedding, pattern: str, *, column: str | None = None, mode: str = "substring", ignore_case: bool = True
) -> tuple[str | None, np.ndarray]:
    """(the column searched, ascending int32 indices of the rows whose value matches)."""
    name, strings = column_strings(emb, column)
    rows = match_rows(
        strings, pattern, regex=mode == "regex", ignore_case=ignore_case, field="q", subject="the search", status=400
    )
    return name, rows.astype(np.int32)


@router.get(
    "/runs/{run}/embeddings/{tensor}/search",
    response_model=SearchResponse,
    summary="Rows whose column value contains q (or matches the regular expression q)",
    responses={200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
)
def search(
    emb: EmbeddingDep,
    q: Annotated[str, Query(max_length=10_000, description="the text or regular expression to look for")],
    column: Annotated[str | None, Query(max_length=10_000, description="metadata column; the label column")] = None,
    mode: Annotated[Literal["substring", "regex"], Query()] = "substring",
    ignore_case: Annotated[bool, Query()] = True,
    format: Annotated[
        Literal["json", "int32"], Query(description="int32: the indices as a little-endian int32 array")
    ] = "json",
) -> SearchResponse | Response:
    name, indices = match(emb, q, column=column, mode=mode, ignore_case=ignore_case)
    if format == "int32":
        return Response(
            indices.astype("<i4").tobytes(),
            media_type="application/octet-stream",
            headers={"X-Count": str(len(indices))},
        )
    labels = emb.labels
    first = [SearchHit(index=int(i), label=labels[i]) for i in indices[:SHOWN]]
    return SearchResponse(column=name, count=len(indices), indices=indices.tolist(), first=first)


MAX_LABELS = 1_000
_ROW = re.compile(r"[0-9]{1,18}")  # a row index, below int64's limit


class LabelsResponse(BaseModel):
    column: str | None = Field(description="the column read (null: row indices, when there is no metadata)")
    labels: list[str | None] = Field(description="each asked row's value, as text, in the order asked")


@router.get(
    "/runs/{run}/embeddings/{tensor}/labels",
    response_model=LabelsResponse,
    summary=f"Some rows' labels (at most {MAX_LABELS:,}): a page that holds no column of a large table lists them",
)
def labels(
    emb: EmbeddingDep,
    rows: Annotated[str, Query(max_length=25_000, description=f"comma-separated row indices, at most {MAX_LABELS:,}")],
    column: Annotated[str | None, Query(max_length=10_000, description="metadata column; the label column")] = None,
) -> LabelsResponse:
    parts = [p.strip() for p in rows.split(",") if p.strip() != ""]
    if len(parts) > MAX_LABELS or not all(_ROW.fullmatch(p) for p in parts):
        raise ParameterError(
            f"`rows` must be at most {MAX_LABELS:,} comma-separated row indices, got {rows[:60]!r}",
            field="rows",
            fix="ask for fewer rows, as 0,5,17",
        )
    wanted = np.array([int(p) for p in parts], dtype=np.int64)
    if len(wanted) and wanted.max() >= len(emb):
        raise ParameterError(
            f"row {int(wanted.max())} is past the table's {len(emb):,} rows", field="rows", fix="ask for rows 0..N-1"
        )
    name, strings = column_strings(emb, column)
    return LabelsResponse(column=name, labels=strings.take(pa.array(wanted)).to_pylist())
