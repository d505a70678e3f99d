"""The HTTP server: `make_app(collection, settings)` builds the FastAPI app; `serve(data)` runs it until Ctrl-C."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..embedding import Collection, Embedding
from ..errors import ParameterError
from .state import DEFAULT_HOST, DEFAULT_PORT, ServerSettings, ServerState, get_state

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["ServerSettings", "ServerState", "get_state", "make_app", "serve"]


def make_app(collection: Collection, settings: ServerSettings | None = None, **kwargs: Any) -> FastAPI:
    """The FastAPI app serving `collection` (see server/app.py)."""
    from .app import make_app as _make_app

    return _make_app(collection, settings, **kwargs)


def serve(
    data: Any,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    open: bool = False,
    token: str | None = None,
    **read_options: Any,
) -> None:
    """Serve `data` to the web page and the HTTP API until interrupted, as `embedscope serve` does: `embedscope.serve`.

    data: an Embedding, a Collection, a path embedscope.load reads (or a list of them: several runs), or an N x D
    array. `read_options` are load's (`metadata=`, `label_column=`, ...), for paths. A busy `port` (or 0) takes a
    free one; `open` opens the page in a web browser. Hosts other than loopback need a token (one is made).
    """
    from .launch import collect
    from .launch import serve as run_server

    paths = _paths(data)
    if paths is not None:
        collection = collect(paths, **read_options)
    elif read_options:
        raise ParameterError(
            f"read options {sorted(read_options)} apply to paths, not to a {type(data).__name__}",
            field=sorted(read_options)[0],
            fix="pass a path, or build the Embedding with its metadata first",
        )
    elif isinstance(data, Collection):
        collection = data
    else:
        collection = Collection(source=getattr(data, "source", None))
        collection.add(".", data if isinstance(data, Embedding) else Embedding(data))
    settings = ServerSettings(host=host, port=port, token=token, paths=paths or [])
    run_server(collection, settings, open_browser=open, announce=lambda url: print(f"embedscope is at {url}"))


def _paths(data: Any) -> list[Path] | None:
    """The paths `data` names, or None when it is not a path or a list of them."""
    if isinstance(data, str | os.PathLike):
        return [Path(data)]
    if isinstance(data, Sequence) and data and all(isinstance(p, str | os.PathLike) for p in data):
        return [Path(p) for p in data]
    return None
