"""GET /api/runs: every run and embedding with its shape, metadata columns, sprite and config bookmarks."""

from __future__ import annotations

import json
import logging
import weakref
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.compute as pc
from fastapi import APIRouter
from pydantic import BaseModel, Field

from ...embedding import Embedding
from ...errors import EmbedscopeError
from ...metadata import column_kind
from . import ERRORS, EmbeddingDep, RunId, State, TensorId

log = logging.getLogger(__name__)

router = APIRouter(tags=["runs"], responses=ERRORS)

MAX_DISTINCT = 50  # a string column with at most this many values lists them (for colouring by category)
MAX_BOOKMARKS_BYTES = 16 * 1024 * 1024

_columns_memo: weakref.WeakKeyDictionary[Embedding, tuple[int, list[ColumnInfo]]] = weakref.WeakKeyDictionary()


class ValueCount(BaseModel):
    value: str | int
    count: int


class ColumnInfo(BaseModel):
    name: str
    type: str = Field(description="numeric or string (or the Arrow type name)")
    distinct: Annotated[
        list[ValueCount] | None,
        Field(
            description=f"string and integer columns with at most {MAX_DISTINCT} distinct values: "
            "each value and its count, most frequent first"
        ),
    ] = None
    min: float | None = None
    max: float | None = None


class SpriteInfo(BaseModel):
    single_image_dim: tuple[int, int] = Field(description="width, height of one thumbnail in px")
    grid: tuple[int, int] = Field(description="columns, rows of thumbnails")
    image_size: tuple[int, int] = Field(description="width, height of the whole image in px")


class EmbeddingInfo(BaseModel):
    id: str
    run: str = Field(description="run id")
    name: str
    shape: tuple[int, int]
    label_column: str | None
    columns: list[ColumnInfo]
    sprite: SpriteInfo | None
    config_bookmarks: Any = Field(None, description="content of the config's bookmarks_path file, if any")
    steps: list[int] | None = Field(
        None, description="training steps logged (oldest first; the embedding itself is the latest), null if none"
    )
    default: bool = Field(
        False, description="the embedding the loader chooses when none is named: the page opens on it"
    )
    map_columns: list[str] | None = Field(
        None,
        description="a map made on a cluster (serve --coords): its vectors are the map's coordinates, these columns "
        "hold them too (the page draws them as they are), and neighbours come from the table's own vectors",
    )


class RunInfo(BaseModel):
    id: str
    name: str
    embeddings: list[EmbeddingInfo]


class RunsInfo(BaseModel):
    source: str | None
    runs: list[RunInfo]


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if number == number and abs(number) != float("inf") else None


def column_info(table: pa.Table, name: str) -> ColumnInfo:
    col = table.column(name)
    kind = column_kind(col.type)
    info = ColumnInfo(name=name, type=kind)
    if kind == "string" or pa.types.is_integer(col.type):
        counts = pc.value_counts(col.drop_null() if kind == "numeric" else pc.fill_null(col, ""))
        if len(counts) <= MAX_DISTINCT:
            pairs = [(v["values"], int(v["counts"])) for v in counts.to_pylist()]
            info.distinct = [ValueCount(value=v, count=c) for v, c in sorted(pairs, key=lambda p: (-p[1], p[0]))]
    if kind == "numeric" and table.num_rows:
        bounds = pc.min_max(col).as_py()
        info.min, info.max = _finite(bounds["min"]), _finite(bounds["max"])
    return info


def columns_of(emb: Embedding) -> list[ColumnInfo]:
    """Column descriptions, computed once per metadata table (value counts over 1M rows are not free)."""
    if emb.metadata is None:
        return []
    memo = _columns_memo.get(emb)
    if memo is not None and memo[0] == id(emb.metadata):
        return memo[1]
    columns = [column_info(emb.metadata, name) for name in emb.metadata.column_names]
    _columns_memo[emb] = (id(emb.metadata), columns)
    return columns


def sprite_info(emb: Embedding) -> SpriteInfo | None:
    if emb.sprite is None:
        return None
    w, h = emb.sprite.single_image_dim
    cols, rows = emb.sprite.grid
    return SpriteInfo(single_image_dim=(w, h), grid=(cols, rows), image_size=(cols * w, rows * h))


def config_bookmarks(state: State, emb: Embedding) -> Any:
    """The JSON of the bookmarks file a projector config names, opened confined to the run's folder; None if
    unreadable (a file swapped for a link leaving the folder, or for a FIFO, is refused, not read)."""
    if not emb.bookmarks_path:
        return None
    path = emb.bookmarks_path
    try:
        with state.open_file(emb, path, what="bookmarks file") as fh:
            data = fh.read(MAX_BOOKMARKS_BYTES + 1)
        if len(data) > MAX_BOOKMARKS_BYTES:
            log.warning("%s: bookmarks file larger than %d bytes, not served", path, MAX_BOOKMARKS_BYTES)
            return None
        return json.loads(data.decode("utf-8-sig"))
    except EmbedscopeError as exc:
        log.warning("%s: bookmarks file not served: %s", path, exc.describe())
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        log.warning("%s: bookmarks file not served: %s", path, exc)
        return None


def embedding_info(state: State, emb: Embedding) -> EmbeddingInfo:
    rid, tid = state.ids_of(emb)
    return EmbeddingInfo(
        id=tid,
        run=rid,
        name=emb.name,
        shape=emb.shape,
        label_column=emb.label_column,
        columns=columns_of(emb),
        sprite=sprite_info(emb),
        config_bookmarks=config_bookmarks(state, emb),
        steps=None if emb.steps is None else emb.steps.numbers,
        default=emb is state.collection.default(),
        map_columns=emb.map_columns,
    )


@router.get("/runs", response_model=RunsInfo, summary="Every run and its embeddings")
def list_runs(state: State) -> RunsInfo:
    runs = [
        RunInfo(id=rid, name=name, embeddings=[embedding_info(state, emb) for _, emb in state.tensors(rid)])
        for rid, name in state.runs()
    ]
    return RunsInfo(source=state.collection.source, runs=runs)


@router.get("/runs/{run}", response_model=RunInfo, summary="One run and its embeddings")
def get_run(run: RunId, state: State) -> RunInfo:
    name = state.run_name(run)
    rid = next(i for i, n in state.runs() if n == name)
    return RunInfo(id=rid, name=name, embeddings=[embedding_info(state, emb) for _, emb in state.tensors(rid)])


@router.get("/runs/{run}/embeddings/{tensor}", response_model=EmbeddingInfo, summary="One embedding")
def get_embedding(run: RunId, tensor: TensorId, emb: EmbeddingDep, state: State) -> EmbeddingInfo:
    return embedding_info(state, emb)
