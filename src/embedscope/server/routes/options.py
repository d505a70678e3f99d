"""What every request may ask for: the projection parameters and neighbour counts, with their defaults and limits.

The page builds its forms from this answer (compute/spec.py holds the one table), so no limit or default is
written twice.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ...compute.neighbors import DEFAULT_K, MAX_K
from ...compute.spec import options as projection_options
from ...compute.tiles import CAPACITY
from ..state import ServerSettings
from . import ERRORS, INT64_MAX, State

router = APIRouter(tags=["options"], responses=ERRORS)


class ParamOut(BaseModel):
    name: str
    type: Literal["number", "integer", "choice", "string", "boolean", "number_or_auto", "components"]
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    exclusive_min: bool | None = None
    choices: list[Any] | None = None
    max_length: int | None = None


class ChoiceOut(BaseModel):
    default: int
    choices: list[int]


class RangeOut(BaseModel):
    default: int
    min: int
    max: int


class ProjectionOptions(BaseModel):
    methods: list[str]
    n_components: ChoiceOut
    random_state: RangeOut
    pca_components: int = Field(description="principal components computed (PCA's `axes` choose among them)")
    params: dict[str, list[ParamOut]] = Field(description="method -> its parameters")


class NeighborsOptions(BaseModel):
    k: RangeOut


class MapOptions(BaseModel):
    tiles_from: int = Field(description="a 2-D map of more points than this is drawn from tiles (GET .../tiles)")
    tile_points: int = Field(description="points a tile holds")


class Options(BaseModel):
    projection: ProjectionOptions
    neighbors: NeighborsOptions
    map: MapOptions


def options_body(settings: ServerSettings | None = None) -> dict[str, Any]:
    """The answer of GET /api/options (a saved page holds it too, without a server's settings: it holds its whole
    map, server/routes/export_html.py)."""
    return {
        "projection": projection_options(),
        "neighbors": {"k": {"default": DEFAULT_K, "min": 1, "max": MAX_K}},
        "map": {
            "tiles_from": settings.tiles_from if settings else INT64_MAX,
            "tile_points": settings.tile_points if settings else CAPACITY,
        },
    }


@router.get("/options", response_model=Options)
async def get_options(state: State) -> dict[str, Any]:
    """Defaults, limits, choices and help of every projection parameter and of the neighbour count, and from how
    many points a map is drawn from tiles."""
    return options_body(state.settings)
