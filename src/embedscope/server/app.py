"""make_app(collection, settings): the FastAPI app, its error handlers, its guard and its routers.

Every 4xx/5xx answer has one JSON shape, `{"error": {"kind", "message", "path", "line", "column", "field",
"fix"}}`: EmbedscopeError kinds give their own `status`; request validation gives 422 (kind "parameter"); an
unknown route 404; anything unexpected 500 (kind "internal"), logged with its traceback by CatchAll.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import fields
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._version import __version__
from ..embedding import Collection
from ..errors import EmbedscopeError, error_body
from .routes import bookmarks, export, metadata, neighbors, runs, search, sprite, static, steps
from .security import Guard, make_token, token_needed
from .state import ServerSettings, ServerState

log = logging.getLogger(__name__)

_HTTP_KINDS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "parameter",
    429: "too_many_requests",
}


def error_json(
    status: int, kind: str, message: str, *, field: str | None = None, fix: str | None = None
) -> JSONResponse:
    return JSONResponse(error_body(kind, message, field=field, fix=fix), status_code=status)


def _loc_field(loc: tuple[Any, ...] | list[Any]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


async def _embedscope_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EmbedscopeError)
    if exc.status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc.describe())
    return JSONResponse(exc.to_dict(), status_code=exc.status)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    field = _loc_field(first.get("loc", ()))
    where = f"`{field}`: " if field else ""
    text = f"{where}{first.get('msg', 'invalid request')}"
    if "input" in first and first.get("type") != "missing":
        text += f", got {_short(first['input'])}"
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more problem{'s' * (len(errors) > 2)})"
    return error_json(422, "parameter", text, field=field, fix="see the API schema at /docs")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    kind = _HTTP_KINDS.get(exc.status_code, "error" if exc.status_code < 500 else "internal")
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = f"no route {request.url.path}"
    fix = "see the API schema at /docs" if exc.status_code in (404, 405) else None
    response = error_json(exc.status_code, kind, message, fix=fix)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of this path accepts (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.scope["path"]) and getattr(route, "methods", None):
            methods |= set(route.methods)
    return sorted(methods)


class CatchAll:
    """ASGI middleware: an unexpected exception becomes a logged 500 in the one error shape (not a traceback)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started:
                raise
            log.exception("%s %s failed", scope.get("method"), scope.get("path"), exc_info=exc)
            response = error_json(
                500, "internal", f"internal error: {type(exc).__name__}", fix="this is a bug: please report it"
            )
            await response(scope, receive, send)


def make_app(collection: Collection, settings: ServerSettings | None = None, **kwargs: Any) -> FastAPI:
    """The app serving `collection`; settings (or keyword overrides of ServerSettings' fields) say how.

    On a non-loopback host with no token, a token is made and stored in `settings.token`.
    """
    settings = settings or ServerSettings()
    known = {f.name for f in fields(ServerSettings)}
    for key, value in kwargs.items():
        if key not in known:
            raise TypeError(f"make_app() got an unknown setting {key!r}; ServerSettings has {sorted(known)}")
        setattr(settings, key, value)
    if not settings.token:
        settings.token = make_token() if token_needed(settings.host) else None  # an empty token is no token
    state = ServerState(collection, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.open()
        yield
        state.close()

    app = FastAPI(
        title="embedscope",
        version=__version__,
        description="The projector's HTTP API: runs, metadata, sprites, neighbours, search, projections, "
        "bookmarks and export. Errors share one JSON shape: {error: {kind, message, path, line, column, field, fix}}.",
        lifespan=lifespan,
        docs_url=None,  # routes/static.py serves /docs from local files (it works offline)
        redoc_url=None,
    )
    app.state.embedscope = state
    app.add_exception_handler(EmbedscopeError, _embedscope_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for module in (runs, metadata, sprite, neighbors, steps, search, bookmarks, export):
        app.include_router(module.router, prefix="/api")
    from .routes import clusters, compare, edits, export_html, options, projections, tiles

    app.include_router(options.router, prefix="/api")
    app.include_router(projections.router, prefix="/api")
    app.include_router(clusters.router, prefix="/api")
    app.include_router(compare.router, prefix="/api")
    app.include_router(edits.router, prefix="/api")
    app.include_router(export_html.router, prefix="/api")
    app.include_router(tiles.router, prefix="/api")
    app.include_router(static.router)
    static.mount_web(app)
    allowed = [] if token_needed(settings.host) else [settings.host]
    app.add_middleware(CatchAll)
    app.add_middleware(
        Guard,
        token=settings.token,
        max_body=settings.max_upload_bytes,
        allowed_hosts=allowed,
        frame_ancestors=settings.frame_ancestors,
    )
    return app
