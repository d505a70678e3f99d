"""The HTTP server: `make_app(collection, settings)` builds the FastAPI app that `embedscope serve` runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .state import ServerSettings, ServerState, get_state

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ..embedding import Collection

__all__ = ["ServerSettings", "ServerState", "get_state", "make_app"]


def make_app(collection: Collection, settings: ServerSettings | None = None, **kwargs: Any) -> FastAPI:
    """The FastAPI app serving `collection` (see server/app.py)."""
    from .app import make_app as _make_app

    return _make_app(collection, settings, **kwargs)
