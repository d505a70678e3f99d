"""Save the view as one self-contained HTML file: ``POST /runs/{run}/embeddings/{tensor}/export/html``.

The file holds the page (its standalone build), the job's coordinates, the metadata columns asked for (the label
column always), the job's latest clusters when asked, and the page's view as its URL hash (colours, labels, camera,
filters, selection): opened from disk, with no server, it shows the same map, and hover, search, select and the
filters work. Its size is about 1.2 MB for the page plus ~11 bytes a point for 2-D coordinates plus the columns'
text; the answer's `X-Points` and `Content-Length` headers say what was written.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ...embedding import Embedding
from ...errors import NotFoundError, PayloadTooLargeError
from ..saved_page import page_html
from ..state import ServerState
from . import ERRORS, EmbeddingDep, RunId, State, TensorId
from .clusters import summary
from .export import job_projection
from .metadata import json_values
from .options import options_body
from .runs import RunInfo, RunsInfo, embedding_info

router = APIRouter(tags=["export"], responses=ERRORS)

MAX_POINTS = 2_000_000  # a browser holds this many points from one file comfortably
MAX_COLUMNS = 50


class HtmlRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_id: Annotated[str, Field(min_length=1, max_length=200, description="the projection job shown")]
    columns: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=MAX_COLUMNS, description="metadata columns to include (the label column is)"
    )
    title: str = Field(default="", max_length=200, description="the file's title (default: the embedding's name)")
    view: str = Field(default="", max_length=200_000, description="the page's URL hash: what the file opens on")
    clusters: bool = Field(default=False, description="include the job's latest clusters (their labels)")


@router.post(
    "/runs/{run}/embeddings/{tensor}/export/html",
    summary="The view as one HTML file that works from disk, without a server",
    response_class=Response,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
async def export_html(run: RunId, tensor: TensorId, emb: EmbeddingDep, state: State, body: HtmlRequest) -> Response:
    page, points = await run_in_threadpool(_page, state, run, tensor, emb, body)
    data = page.encode("utf-8")
    name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in (body.title or emb.name))[:80] or "map"
    return Response(
        data,
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.html"', "X-Points": str(points)},
    )


def _page(state: ServerState, run: str, tensor: str, emb: Embedding, body: HtmlRequest) -> tuple[str, int]:
    projection = job_projection(state, run, tensor, emb, body.job_id)
    coords = np.ascontiguousarray(projection.coords, dtype="<f4")
    if len(coords) > MAX_POINTS:
        raise PayloadTooLargeError(
            f"a saved page holds at most {MAX_POINTS:,} points, this map has {len(coords):,}",
            field="job_id",
            fix="isolate part of the map first, or export the coordinates as Parquet",
        )
    have = [] if emb.metadata is None else emb.metadata.column_names
    wanted = list(dict.fromkeys(([emb.label_column] if emb.label_column else []) + body.columns))
    missing = [c for c in wanted if c not in have]
    if missing:
        raise NotFoundError(f"no metadata column {missing[0]!r}", field="columns", fix=f"choose among {have}")
    info = embedding_info(state, emb).model_copy(update={"sprite": None, "config_bookmarks": [], "steps": None})
    info.columns = [c for c in info.columns if c.name in wanted]
    title = body.title or emb.name
    run_name = next((name for rid, name in state.runs() if rid == info.run), info.run)
    runs = RunsInfo(
        source=f"{title} (a saved map: no server)", runs=[RunInfo(id=info.run, name=run_name, embeddings=[info])]
    )
    job = state.jobs.get(body.job_id) if state.jobs is not None else None
    clusters = None
    if body.clusters:
        found = summary(body.job_id, state.cluster_names.latest(body.job_id))
        clusters = {**found, "embedding": info.model_dump(mode="json")}
    data: dict[str, Any] = {
        "version": 1,
        "title": title,
        "view": body.view,
        "runs": runs.model_dump(mode="json"),
        "options": options_body(),
        "job": None if job is None else jsonable_encoder(job.status()),
        "coords": {
            "n": int(coords.shape[0]),
            "dims": int(coords.shape[1]),
            "data": base64.b64encode(coords.tobytes()).decode(),
        },
        "columns": {c: json_values(emb.metadata.column(c)) for c in wanted} if emb.metadata is not None else {},
        "clusters": clusters,
    }
    return page_html(data, title=title), int(coords.shape[0])
