"""The clusters of a finished projection, named, and the names users give them.

- ``POST /projections/{job_id}/clusters`` finds the clusters of the job's map (compute/clusters.py: HDBSCAN on the
  drawn points, two or three levels, names from a metadata column; cached), puts them in the embedding's metadata
  as the columns `cluster` (HDBSCAN's cluster's id, null for noise and undrawn rows) and `cluster_label` (its name),
  and `subcluster` and `subcluster_label` (its part, when clusters have parts), where they colour, search, select
  and export like any column, and answers the clusters of every level with the embedding's new description.
- ``PUT /projections/{job_id}/clusters/{cluster_id}`` names one of those clusters (``{"name": null}``: back to the
  name made from its terms). Names are kept in the state folder (server/cluster_names.py) under the clusters' key:
  the same map, column and settings bring them back, after a restart too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ...compute.clusters import MIN_SIZE, SAMPLE, Clusters, clusters
from ...errors import NotFoundError
from ..state import ServerState
from . import ERRORS, Index, State
from .projections import JobId, jobs_of
from .runs import EmbeddingInfo, embedding_info

router = APIRouter(tags=["clusters"], responses=ERRORS)


class ClustersRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    column: str | None = Field(
        default=None,
        max_length=500,
        description="metadata column the clusters are named from (default: the label column)",
    )
    min_cluster_size: Annotated[int, Field(ge=2, le=2**31)] | None = Field(
        default=None, description=f"points a cluster needs (default: 1% of the drawn points, at least {MIN_SIZE})"
    )


class ClusterInfo(BaseModel):
    id: int = Field(description="base level: the values of `cluster`; the level below: of `subcluster`")
    level: int = Field(description="0: the coarsest")
    parent: int | None = Field(description="the cluster one level coarser that holds this one")
    size: int
    row: int = Field(description="a member near the middle of the cluster (where its label goes)")
    center: list[float] = Field(description="that member's coordinates")
    label: str
    terms: list[tuple[str, float]] = Field(description="the words, values or members the label names, with weights")
    renamed: bool = Field(description="the label is a user's name")


class ClustersResponse(BaseModel):
    job_id: str
    key: str = Field(description="what these clusters are known by (names are kept under it)")
    points: int = Field(description="points of the map")
    noise: int = Field(description="points in no cluster (noise, or not drawn)")
    levels: int
    base_level: int = Field(description="the level of HDBSCAN's own clusters (the `cluster` column); below it, parts")
    min_cluster_size: int
    column: str | None
    label_kind: str | None = Field(description="text, categorical or members: how the labels were made")
    sample: int = Field(description=f"HDBSCAN ran on at most this many points ({SAMPLE:,}); the others joined them")
    clusters: list[ClusterInfo]
    embedding: EmbeddingInfo = Field(description="the embedding with its `cluster` and `cluster_label` columns")


class ClusterName(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(max_length=200, description="null: the name made from the cluster's terms")


ClusterId = Annotated[Index, Path(description="a cluster's id, of any level")]


@router.post("/projections/{job_id}/clusters", response_model=ClustersResponse)
async def find_clusters(job_id: JobId, body: ClustersRequest, state: State) -> dict[str, Any]:
    """Cluster and name the job's map, and add `cluster` and `cluster_label` to the embedding's metadata."""
    return await run_in_threadpool(_find, state, job_id, body)


@router.put("/projections/{job_id}/clusters/{cluster_id}", response_model=ClustersResponse)
async def name_cluster(job_id: JobId, cluster_id: ClusterId, body: ClusterName, state: State) -> dict[str, Any]:
    """Name a cluster of the job's latest clusters (kept on the server); null gives it back its own name."""
    return await run_in_threadpool(_rename, state, job_id, cluster_id, body.name)


def _find(state: ServerState, job_id: str, body: ClustersRequest) -> dict[str, Any]:
    jobs = jobs_of(state)
    result = jobs.result(job_id)
    job = jobs.get(job_id)
    emb = state.embedding(job.run, job.tensor).at(job.spec.step)
    found = clusters(
        emb,
        result.coords,
        indices=result.indices,
        column=body.column,
        min_cluster_size=body.min_cluster_size,
        random_state=result.random_state,
        cache=state.cache,
    )
    found.rename(state.cluster_names.names(found.key))
    state.cluster_names.remember(job_id, found)
    return _answer(state, job_id, found)


def _rename(state: ServerState, job_id: str, cluster_id: int, name: str | None) -> dict[str, Any]:
    found = state.cluster_names.latest(job_id)
    by_id = {c.id: c for c in found.clusters}
    if cluster_id not in by_id:
        raise NotFoundError(
            f"no cluster {cluster_id} among the {len(by_id)} clusters of this map",
            field="cluster_id",
            fix=f"choose one of {sorted(by_id)[:20]}",
        )
    found.rename(state.cluster_names.set(found.key, cluster_id, name.strip() if name is not None else None))
    return _answer(state, job_id, found)


def _answer(state: ServerState, job_id: str, found: Clusters) -> dict[str, Any]:
    """The clusters, once put in the embedding's metadata, with the embedding's new description."""
    job = jobs_of(state).get(job_id)
    emb = state.set_columns(job.run, job.tensor, found.table(len(state.embedding(job.run, job.tensor))))
    return {**summary(job_id, found), "embedding": embedding_info(state, emb)}


def summary(job_id: str, found: Clusters) -> dict[str, Any]:
    """ClustersResponse's fields but the embedding."""
    return {"job_id": job_id, "key": found.key, "sample": SAMPLE, **found.as_dict()}
