"""API routes, one module per topic, each an APIRouter mounted under /api (static.py serves `/`).

Shared here: the error body model (so the OpenAPI schema describes every 4xx/5xx), the dependency that turns
the `{run}` and `{tensor}` path parameters into an Embedding (ids `r0`/`e0` or exact names; see state.py), and
the one bound of every integer a request carries (`Int64`, `Index`): past int64, NumPy and Arrow overflow, so
such a number is a 422 at the door, never an OverflowError inside.
"""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import Interval
from fastapi import Depends, Path
from pydantic import BaseModel

from ...embedding import Embedding
from ..state import ServerState, get_state

NAME_MAX = 500  # characters in a run, tensor or bookmark name given in a URL
INT64_MAX = 2**63 - 1

INT64 = Interval(ge=-INT64_MAX - 1, le=INT64_MAX)
Int64 = Annotated[int, INT64]  # any integer of a request: a body field or a query parameter
Index = Annotated[int, Interval(ge=0, le=INT64_MAX)]  # a row, a count, a step: never negative


class ErrorDetail(BaseModel):
    kind: str
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    fix: str | None = None


class ErrorBody(BaseModel):
    """The one shape of every 4xx/5xx answer."""

    error: ErrorDetail


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("Bad request (a malformed pattern or body)"),
    401: _error("Missing or wrong access token"),
    403: _error("Refused (another site, or a host that is not this machine)"),
    404: _error("No such run, embedding, bookmark, job or route"),
    409: _error("Conflict (a name already taken, an ambiguous label)"),
    413: _error("Request body over the upload limit"),
    422: _error("A parameter out of its range or not among its choices"),
    500: _error("Internal error (a bug)"),
}

RunId = Annotated[
    str,
    Path(min_length=1, max_length=NAME_MAX, examples=["r0"], description="Run id (r0, r1, ...) or exact run name"),
]
TensorId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=NAME_MAX,
        examples=["e0"],
        description="Embedding id (e0, e1, ...) or exact tensor name",
    ),
]
TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: _error("Too many projection jobs queued: try again when one has finished")
}
State = Annotated[ServerState, Depends(get_state)]


def embedding_of(run: RunId, tensor: TensorId, state: State) -> Embedding:
    """Dependency: the Embedding the path's run and tensor address (404 when none)."""
    return state.embedding(run, tensor)


EmbeddingDep = Annotated[Embedding, Depends(embedding_of)]
