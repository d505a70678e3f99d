"""`/`: the built web app (src/embedscope/web/, made by the front end's build) or, until it exists, a placeholder.

The built app's bundles (Vite writes them to `assets/`) are served by Starlette's StaticFiles at /assets; it
refuses paths that leave its folder (`..`, encoded or not, and symlinks pointing out). Nothing else is mounted,
so every other unknown path is the API's JSON 404.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles

PACKAGE = Path(__file__).resolve().parents[2]
WEB_DIR = PACKAGE / "web"
PLACEHOLDER = PACKAGE / "web_placeholder" / "index.html"

router = APIRouter(include_in_schema=False)


def web_dir() -> Path | None:
    """The built web app's folder when it holds an index.html."""
    return WEB_DIR if (WEB_DIR / "index.html").is_file() else None


@router.get("/", response_class=HTMLResponse)
def index() -> Response:
    built = web_dir()
    if built is not None:
        return FileResponse(built / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"})
    return HTMLResponse(PLACEHOLDER.read_text(encoding="utf-8"))


def mount_web(app: FastAPI) -> None:
    """Serve the built app's bundles at /assets, when there is a built app."""
    built = web_dir()
    if built is not None and (built / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=built / "assets", follow_symlink=False), name="web-assets")
