"""Tags: TensorBoard's "Edit by" / "Tag selection as", kept by the server (server/edits.py, server/edit_layer.py).

- ``POST /runs/{run}/embeddings/{tensor}/edits`` gives a value to a column (an existing one or a new one) at the
  rows listed, keeps the edit in the state folder and answers the embedding's new description with its edits.
- ``DELETE .../edits/last`` undoes the last edit; ``GET .../edits`` lists them, oldest first.

The metadata with its edits downloads from ``GET .../metadata?format=tsv`` (or ``parquet``): routes/metadata.py.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ...embedding import Embedding
from ..edits import MAX_COLUMN, MAX_ROWS, MAX_VALUE, Edit
from ..state import ServerState
from . import ERRORS, Index, RunId, State, TensorId
from .runs import EmbeddingInfo, embedding_info

router = APIRouter(tags=["edits"], responses=ERRORS)
PATH = "/runs/{run}/embeddings/{tensor}/edits"


class EditRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # no true for 1, no "5" for 5: what the schema says

    column: str = Field(
        min_length=1, max_length=MAX_COLUMN, description="a metadata column, or the name of a new one (text)"
    )
    value: str = Field(
        max_length=MAX_VALUE,
        description="the rows' new value; a column of numbers takes numbers only; empty clears the rows",
    )
    rows: list[Index] = Field(min_length=1, max_length=MAX_ROWS, description="the rows tagged (the selection)")


class EditInfo(BaseModel):
    column: str
    value: str
    rows: int = Field(description="how many rows the edit tagged")
    created: str = Field(description="when, in UTC (ISO 8601)")


class EditsResponse(BaseModel):
    edits: list[EditInfo] = Field(description="the embedding's edits, oldest first (undo takes the last)")
    embedding: EmbeddingInfo = Field(description="the embedding with its edits")


@router.get(PATH, response_model=EditsResponse, summary="An embedding's tags, oldest first")
def list_edits(run: RunId, tensor: TensorId, state: State) -> dict[str, Any]:
    rname, tname = state.tensor_name(run, tensor)
    emb = state.embedding(run, tensor)
    return _answer(state, emb, state.edits.store.edits(rname, tname, len(emb)))


@router.post(PATH, response_model=EditsResponse, summary="Tag rows with a value in a column (kept by the server)")
async def add_edit(run: RunId, tensor: TensorId, body: EditRequest, state: State) -> dict[str, Any]:
    make = partial(_tag, state, body)
    return await run_in_threadpool(_changed, state, run, tensor, make)


@router.delete(f"{PATH}/last", response_model=EditsResponse, summary="Undo the last tag")
async def undo_edit(run: RunId, tensor: TensorId, state: State) -> dict[str, Any]:
    return await run_in_threadpool(_changed, state, run, tensor, partial(_undo, state))


def _tag(state: ServerState, body: EditRequest, rname: str, tname: str, emb: Embedding) -> Embedding:
    return state.edits.tag(rname, tname, emb, column=body.column, value=body.value, rows=body.rows)


def _undo(state: ServerState, rname: str, tname: str, emb: Embedding) -> Embedding:
    return state.edits.undo(rname, tname, emb)[1]


def _changed(state: ServerState, run: str, tensor: str, make: Any) -> dict[str, Any]:
    emb = state.change(run, tensor, make)
    rname, tname = state.tensor_name(run, tensor)
    return _answer(state, emb, state.edits.store.edits(rname, tname, len(emb)))


def _answer(state: ServerState, emb: Embedding, edits: list[Edit]) -> dict[str, Any]:
    listed = [{"column": e.column, "value": e.value, "rows": len(e.rows), "created": e.created} for e in edits]
    return {"edits": listed, "embedding": embedding_info(state, emb)}
