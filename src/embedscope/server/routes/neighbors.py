"""Nearest neighbours of a point or a vector, and analogies: exact, over every row, in the original space."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, model_validator

from ...compute.neighbors import DEFAULT_K, MAX_K, Neighbor, analogy, neighbors
from ...errors import ParameterError
from . import ERRORS, INT64, EmbeddingDep, Index, State

router = APIRouter(tags=["neighbors"], responses=ERRORS)

Query = Annotated[Annotated[StrictInt, INT64] | StrictStr, Field(description="a row index (int), '#INDEX', or a label")]
MAX_TERMS = 100


class NeighborsRequest(BaseModel):
    model_config = ConfigDict(strict=True)  # no true for 1, no "5" for 5: what the schema says

    query: Query | None = Field(None, description="the point; give this or `vector`")
    vector: list[float] | None = Field(None, description="a query vector of D numbers; give this or `query`")
    k: int = Field(DEFAULT_K, ge=1, le=MAX_K)
    metric: Literal["cosine", "euclidean"] = "cosine"
    step: Index | None = Field(None, description="a training step of the embedding (default: the latest)")

    @model_validator(mode="after")
    def _one_query(self) -> NeighborsRequest:
        if (self.query is None) == (self.vector is None):
            raise ValueError("give exactly one of `query` and `vector`")
        return self


class AnalogyRequest(BaseModel):
    model_config = ConfigDict(strict=True)  # no true for 1, no "5" for 5: what the schema says

    positive: list[Query] = Field(min_length=1, max_length=MAX_TERMS, description="e.g. ['king', 'woman']")
    negative: list[Query] = Field(default_factory=list, max_length=MAX_TERMS, description="e.g. ['man']")
    k: int = Field(DEFAULT_K, ge=1, le=MAX_K)
    method: Literal["3cosadd", "3cosmul"] = "3cosadd"


class NeighborOut(BaseModel):
    index: int
    label: str
    distance: float | None = Field(description="1 - cos (cosine), L2 distance (euclidean), -score (3cosmul)")
    similarity: float | None = None
    angle: float | None = Field(None, description="degrees, cosine only")
    score: float | None = None


class PointOut(BaseModel):
    index: int
    label: str


class NeighborsResponse(BaseModel):
    query: PointOut | None = Field(description="the query point (null for a vector query)")
    metric: str
    neighbors: list[NeighborOut]


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _out(result: list[Neighbor]) -> list[NeighborOut]:
    return [
        NeighborOut(
            index=n.index,
            label=n.label,
            distance=_finite(n.distance),
            similarity=_finite(n.similarity),
            angle=_finite(n.angle),
            score=_finite(n.score),
        )
        for n in result
    ]


@router.post(
    "/runs/{run}/embeddings/{tensor}/neighbors",
    response_model=NeighborsResponse,
    summary="The k nearest points to a point (index, #INDEX or label) or a vector",
)
def post_neighbors(emb: EmbeddingDep, body: NeighborsRequest) -> NeighborsResponse:
    emb = emb.at(body.step)  # labels and metadata are the embedding's; the vectors those of the step
    if body.vector is not None:
        if not all(math.isfinite(v) for v in body.vector):
            raise ParameterError("the query vector holds NaN or Inf", field="vector")
        if len(body.vector) != emb.dim:
            raise ParameterError(f"a query vector needs {emb.dim} numbers, got {len(body.vector)}", field="vector")
        return NeighborsResponse(
            query=None, metric=body.metric, neighbors=_out(neighbors(emb, body.vector, k=body.k, metric=body.metric))
        )
    assert body.query is not None
    index = emb.resolve(body.query)
    result = neighbors(emb, index, k=body.k, metric=body.metric)
    return NeighborsResponse(
        query=PointOut(index=index, label=emb.labels[index]), metric=body.metric, neighbors=_out(result)
    )


@router.post(
    "/runs/{run}/embeddings/{tensor}/analogy",
    response_model=NeighborsResponse,
    summary="Points completing positive minus negative (king - man + woman), query points left out",
)
def post_analogy(emb: EmbeddingDep, body: AnalogyRequest) -> NeighborsResponse:
    both = {emb.resolve(q) for q in body.positive} & {emb.resolve(q) for q in body.negative}
    if both:
        row = min(both)
        raise ParameterError(
            f"point {emb.labels[row]!r} (#{row}) is both positive and negative: the terms cancel",
            field="negative",
            fix="use each point on one side only",
        )
    result = analogy(emb, positive=body.positive, negative=body.negative, k=body.k, method=body.method)
    return NeighborsResponse(query=None, metric="cosine", neighbors=_out(result))


class MeaningRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    text: str = Field(min_length=1, max_length=2000, description="free text, e.g. 'a refund that never came'")
    k: int = Field(DEFAULT_K, ge=1, le=MAX_K)
    metric: Literal["cosine", "euclidean"] = "cosine"


class MeaningResponse(BaseModel):
    how: Literal["model", "words"] = Field(
        description="model: the text embedded by the model that made the vectors; words: the mean of its words' "
        "vectors (a word table, as gensim's most_similar with several positives)"
    )
    model: str | None = Field(description="the model that embedded the text (its name, e.g. all-MiniLM-L6-v2)")
    words: list[str] = Field(description="words: the table's words used")
    unknown: list[str] = Field(description="words: the text's words the table does not hold")
    metric: str
    neighbors: list[NeighborOut]


@router.post(
    "/runs/{run}/embeddings/{tensor}/meaning",
    response_model=MeaningResponse,
    summary="The k points nearest in meaning to a free text (search by meaning)",
)
def post_meaning(emb: EmbeddingDep, body: MeaningRequest, state: State) -> MeaningResponse:
    from ...embed.search import check_model, search_meaning

    if emb.model is not None:
        check_model(emb.model, list(state.roots.values()))
    found = search_meaning(emb, body.text, k=body.k, metric=body.metric)
    metric = body.metric if found.how == "model" else "cosine"
    return MeaningResponse(
        how=found.how,  # type: ignore[arg-type]
        model=found.model,
        words=found.words,
        unknown=found.unknown,
        metric=metric,
        neighbors=_out(found.neighbors),
    )
