"""How a point's neighbourhood changed between two training steps: which neighbours stayed, appeared or left.

``POST /runs/{run}/embeddings/{tensor}/neighbors/compare`` takes a point and two steps (default: the one before
the latest, and the latest), finds the point's k nearest neighbours at each step (exact, in the original space,
as the neighbours route does) and sorts them into three lists. Each neighbour carries its rank (1-based, null
where it is not among the k) and its distance at both steps, so a page can show how far it moved.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from ...compute.neighbors import DEFAULT_K, MAX_K, neighbors
from ...embedding import Embedding
from ...errors import ParameterError
from . import ERRORS, EmbeddingDep, Index
from .neighbors import PointOut, Query

router = APIRouter(tags=["neighbors"], responses=ERRORS)


class CompareRequest(BaseModel):
    model_config = ConfigDict(strict=True)

    query: Query
    k: int = Field(DEFAULT_K, ge=1, le=MAX_K)
    metric: Literal["cosine", "euclidean"] = "cosine"
    from_step: Index | None = Field(None, description="default: the step before `to_step`")
    to_step: Index | None = Field(None, description="default: the latest step")


class StepNeighbor(BaseModel):
    index: int
    label: str
    rank_from: int | None = Field(description="1-based rank among the k nearest at from_step (null: not among)")
    rank_to: int | None = Field(description="1-based rank among the k nearest at to_step (null: not among)")
    distance_from: float | None = Field(description="distance to the point at from_step (1 - cos, or L2)")
    distance_to: float | None = Field(description="distance to the point at to_step")


class CompareResponse(BaseModel):
    query: PointOut
    metric: str
    k: int
    from_step: int
    to_step: int
    stayed: list[StepNeighbor] = Field(description="among the k nearest at both steps, by rank at to_step")
    appeared: list[StepNeighbor] = Field(description="among the k nearest at to_step only, by rank at to_step")
    left: list[StepNeighbor] = Field(description="among the k nearest at from_step only, by rank at from_step")


def _steps(emb: Embedding, from_step: int | None, to_step: int | None) -> tuple[int, int]:
    numbers = emb.steps.numbers if emb.steps is not None else [0]
    to = numbers[-1] if to_step is None else to_step
    if from_step is None:
        earlier = [s for s in numbers if s < to]
        if not earlier:
            raise ParameterError(
                f"step {to} has no step before it to compare with (steps: {numbers[:20]})",
                field="from_step",
                fix="log at least two steps, or give `from_step`",
            )
        return earlier[-1], to
    return from_step, to


def _distances(emb: Embedding, index: int, rows: list[int], metric: str) -> list[float | None]:
    if not rows:
        return []
    q = np.asarray(emb.vectors[index], dtype=np.float64)
    x = np.asarray(emb.vectors[np.asarray(rows)], dtype=np.float64)
    if metric == "euclidean":
        values = np.linalg.norm(x - q, axis=1)
    else:
        norms = np.linalg.norm(x, axis=1) * np.linalg.norm(q)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = 1.0 - (x @ q) / norms
    return [float(v) if math.isfinite(v) else None for v in values]


@router.post(
    "/runs/{run}/embeddings/{tensor}/neighbors/compare",
    response_model=CompareResponse,
    summary="A point's k nearest neighbours at two training steps: which stayed, appeared and left",
)
def compare_neighbors(emb: EmbeddingDep, body: CompareRequest) -> CompareResponse:
    from_step, to_step = _steps(emb, body.from_step, body.to_step)
    before, after = emb.at(from_step), emb.at(to_step)
    index = emb.resolve(body.query)
    near_from = [n.index for n in neighbors(before, index, k=body.k, metric=body.metric)]
    near_to = [n.index for n in neighbors(after, index, k=body.k, metric=body.metric)]
    rank_from = {row: r + 1 for r, row in enumerate(near_from)}
    rank_to = {row: r + 1 for r, row in enumerate(near_to)}
    rows = near_to + [row for row in near_from if row not in rank_to]
    d_from = dict(zip(rows, _distances(before, index, rows, body.metric), strict=True))
    d_to = dict(zip(rows, _distances(after, index, rows, body.metric), strict=True))
    labels = emb.labels

    def out(row: int) -> StepNeighbor:
        return StepNeighbor(
            index=row,
            label=labels[row],
            rank_from=rank_from.get(row),
            rank_to=rank_to.get(row),
            distance_from=d_from[row],
            distance_to=d_to[row],
        )

    return CompareResponse(
        query=PointOut(index=index, label=labels[index]),
        metric=body.metric,
        k=body.k,
        from_step=from_step,
        to_step=to_step,
        stayed=[out(r) for r in near_to if r in rank_from],
        appeared=[out(r) for r in near_to if r not in rank_from],
        left=[out(r) for r in near_from if r not in rank_to],
    )
