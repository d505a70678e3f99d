"""`/`: the built web app (src/embedscope/web/, made by the front end's build) or, until it exists, a placeholder.

The built app's bundles (Vite writes them to `assets/`) are served by Starlette's StaticFiles at /assets; it
refuses paths that leave its folder (`..`, encoded or not, and symlinks pointing out) and serves regular files only;
`/` opens index.html through embedscope.files, confined to the built app's folder. `/docs` is the API's
interactive page (Swagger UI) from the files the build copies to `api-docs/`, so it works offline; without a
built page it falls back to FastAPI's default (scripts from a CDN). Nothing else is mounted, so every other
unknown path is the API's JSON 404.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from ...files import read_regular

PACKAGE = Path(__file__).resolve().parents[2]
WEB_DIR = PACKAGE / "web"
PLACEHOLDER = PACKAGE / "web_placeholder" / "index.html"
API_DOCS = "api-docs"  # the build copies Swagger UI's files here (frontend/vite.config.ts)

router = APIRouter(include_in_schema=False)


def web_dir() -> Path | None:
    """The built web app's folder when it holds an index.html."""
    return WEB_DIR if (WEB_DIR / "index.html").is_file() else None


@router.get("/", response_class=HTMLResponse)
def index() -> Response:
    built = web_dir()
    if built is not None:  # opened confined to the built app's folder: a page swapped for a link leaving it is refused
        page = read_regular(built / "index.html", root=built, what="web page")
        return HTMLResponse(page, headers={"Cache-Control": "no-cache"})
    return HTMLResponse(read_regular(PLACEHOLDER, root=PLACEHOLDER.parent, what="web page"))


@router.get("/docs", response_class=HTMLResponse)
def api_docs() -> Response:
    """The HTTP API's interactive page, from /openapi.json."""
    built = web_dir()
    if built is not None and (built / API_DOCS / "swagger-ui-bundle.js").is_file():
        return get_swagger_ui_html(
            openapi_url="openapi.json",  # relative: the app may be served under a path prefix
            title="embedscope API",
            swagger_js_url=f"{API_DOCS}/swagger-ui-bundle.js",
            swagger_css_url=f"{API_DOCS}/swagger-ui.css",
            swagger_favicon_url=f"{API_DOCS}/favicon-32x32.png",
        )
    return get_swagger_ui_html(openapi_url="openapi.json", title="embedscope API")


def mount_web(app: FastAPI) -> None:
    """Serve the built app's bundles at /assets and Swagger UI's files at /api-docs, when there is a built app."""
    built = web_dir()
    if built is not None and (built / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=built / "assets", follow_symlink=False), name="web-assets")
    if built is not None and (built / API_DOCS).is_dir():
        app.mount(f"/{API_DOCS}", StaticFiles(directory=built / API_DOCS, follow_symlink=False), name="api-docs")
