"""Two served embeddings of the same items compared by their neighbourhoods (compute/compare.py).

``POST /runs/{run}/embeddings/{tensor}/compare`` with another embedding (``run``, ``tensor`` in the body) finds, for
each item the two share, the share of its k nearest neighbours they have in common and the rank correlation of the
shared ones; it puts both in the first embedding's metadata as the numeric columns `neighbour_overlap` and
`neighbour_rank_correlation` (null for items the other embedding lacks), where they colour, filter and export like
any column, and answers the summary (mean, chance level, percentiles, a histogram, the items in one embedding only)
with the embedding's new description. A clicked point's neighbours in both come from the neighbours route of each.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pyarrow as pa
from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ...compute.compare import Comparison, compare
from ...errors import ParameterError
from ..state import ServerState
from . import ERRORS, NAME_MAX, RunId, State, TensorId
from .runs import EmbeddingInfo, embedding_info

router = APIRouter(tags=["compare"], responses=ERRORS)

OVERLAP, RANKS = "neighbour_overlap", "neighbour_rank_correlation"
SHOWN = 20  # labels of items in one embedding only listed in the answer (the counts are whole)
BINS = 10  # histogram bins beyond EXACT_BINS neighbours: tenths of the overlap
EXACT_BINS = 20  # up to this k, one bin per number of shared neighbours (0..k)
MAX_PAIRS = 20_000_000  # items x k a request may compare: two neighbour graphs of 12 bytes a pair (int64 + float32)


class CompareEmbeddingsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # no true for 1, no "5" for 5: what the schema says

    run: str = Field(min_length=1, max_length=NAME_MAX, description="the other embedding's run (id or name)")
    tensor: str = Field(min_length=1, max_length=NAME_MAX, description="the other embedding (id or name)")
    k: int = Field(10, ge=1, le=1000, description="neighbours compared per item")
    by: Literal["label", "row"] = Field("label", description="match items by label (each once) or by row number")
    metric: Literal["cosine", "euclidean"] = "cosine"


class OtherEmbedding(BaseModel):
    run: str
    tensor: str
    name: str


class EmbeddingsComparison(BaseModel):
    other: OtherEmbedding
    k: int
    by: str
    metric: str
    shared: int = Field(description="items in both embeddings (compared)")
    mean_overlap: float = Field(description="mean share of the k nearest neighbours the two have in common")
    chance: float = Field(description="the mean overlap of two unrelated embeddings of these items: k / (shared - 1)")
    mean_rank_correlation: float | None = Field(description="mean Spearman correlation of the shared neighbours' ranks")
    percentiles: dict[str, float] = Field(description="overlap at the 10th, 25th, 50th, 75th and 90th percentiles")
    histogram: list[int] = Field(
        description=f"items per number of shared neighbours (0..k) up to k = {EXACT_BINS}, else per tenth of overlap"
    )
    histogram_bins: list[str] = Field(description="what each histogram bin holds, e.g. '7 of 10' or '60-70%'")
    only_here: int = Field(description="items of this embedding the other lacks (no overlap: null in the column)")
    only_there: int = Field(description="items of the other embedding this one lacks")
    only_here_labels: list[str] = Field(description=f"the first {SHOWN} of them")
    only_there_labels: list[str] = Field(description=f"the first {SHOWN} of them")
    columns: list[str] = Field(description="the columns added to this embedding's metadata")
    embedding: EmbeddingInfo = Field(description="this embedding with its new columns")


@router.post("/runs/{run}/embeddings/{tensor}/compare", response_model=EmbeddingsComparison)
async def compare_embeddings(run: RunId, tensor: TensorId, body: CompareEmbeddingsRequest, state: State) -> Any:
    """Compare this embedding's neighbourhoods with another's; the overlap becomes a column of this one."""
    return await run_in_threadpool(_compare, state, run, tensor, body)


def _compare(state: ServerState, run: str, tensor: str, body: CompareEmbeddingsRequest) -> dict[str, Any]:
    here = state.embedding(run, tensor)
    there = state.embedding(body.run, body.tensor)
    _check_size(min(len(here), len(there)), body.k)
    found = compare(here, there, k=body.k, by=body.by, metric=body.metric)
    emb = state.set_columns(run, tensor, _columns(found, len(here)))
    other_run, other_tensor = state.ids_of(there)
    return {
        "other": {"run": other_run, "tensor": other_tensor, "name": there.name},
        "k": found.k,
        "by": body.by,
        "metric": body.metric,
        **_summary(found),
        "columns": [OVERLAP, RANKS],
        "embedding": embedding_info(state, emb),
    }


def _check_size(items: int, k: int) -> None:
    """Refuse, before any work, a comparison whose neighbour graphs would take more than MAX_PAIRS pairs each."""
    if items * k > MAX_PAIRS:
        most = max(1, MAX_PAIRS // max(1, items))
        raise ParameterError(
            f"comparing up to {items:,} items by {k:,} neighbours each is over the server's limit of "
            f"{MAX_PAIRS:,} neighbour pairs",
            field="k",
            fix=f"compare fewer neighbours (k at most {most:,} here), or run `embedscope compare A B`",
        )


def _columns(found: Comparison, n: int) -> pa.Table:
    """The overlap and rank correlation of every row of this embedding (NaN, shown as empty, where not compared)."""
    overlap = np.full(n, np.nan, dtype=np.float64)
    ranks = np.full(n, np.nan, dtype=np.float64)
    overlap[found.rows_a] = found.overlap
    ranks[found.rows_a] = found.rank_correlation
    return pa.table({OVERLAP: pa.array(overlap, from_pandas=True), RANKS: pa.array(ranks, from_pandas=True)})


def _summary(found: Comparison) -> dict[str, Any]:
    overlap = found.overlap.astype(np.float64)
    ranks = found.rank_correlation[np.isfinite(found.rank_correlation)]
    k = found.k
    if k <= EXACT_BINS:
        counts = np.bincount(np.rint(overlap * k).astype(np.int64), minlength=k + 1)
        bins = [f"{i} of {k}" for i in range(k + 1)]
    else:
        counts, _ = np.histogram(overlap, bins=BINS, range=(0.0, 1.0))
        bins = [f"{10 * i}-{10 * i + 10}%" for i in range(BINS)]
    return {
        "shared": len(found.labels),
        "mean_overlap": found.mean_overlap,
        "chance": found.chance,
        "mean_rank_correlation": float(ranks.mean()) if len(ranks) else None,
        "percentiles": {f"p{q}": float(np.percentile(overlap, q)) for q in (10, 25, 50, 75, 90)},
        "histogram": [int(c) for c in counts],
        "histogram_bins": bins,
        "only_here": len(found.only_a),
        "only_there": len(found.only_b),
        "only_here_labels": found.only_a[:SHOWN],
        "only_there_labels": found.only_b[:SHOWN],
    }
