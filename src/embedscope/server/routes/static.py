"""`/`: the built web app (src/embedscope/web/, made by the front end's build) or, until it exists, a placeholder.

The built app's other files are served by Starlette's StaticFiles, mounted last so that /api and /docs match
first; it refuses paths that leave its folder (`..`, encoded or not, and symlinks pointing out).
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
    """Serve the built app's assets at `/` (after every other route), when there is a built app."""
    built = web_dir()
    if built is not None:
        app.mount("/", StaticFiles(directory=built, html=True, follow_symlink=False), name="web")
