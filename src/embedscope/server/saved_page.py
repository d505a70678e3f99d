"""A map saved as one HTML file: the page's standalone build (one script, one style sheet: frontend/
vite.standalone.config.ts) with the map's data in `window.EMBEDSCOPE_STATIC`, which the page reads instead of a
server (frontend/src/api/staticFile.ts). Nothing is fetched when it opens: it works from disk (file://).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from ..errors import NotFoundError
from ..files import read_regular

STANDALONE = Path(__file__).resolve().parent.parent / "web" / "standalone"
MAX_BUNDLE = 64 << 20


def bundle() -> tuple[str, str]:
    """The standalone build's script and style sheet."""
    try:
        script = read_regular(STANDALONE / "embedscope.js", root=STANDALONE, what="page script", limit=MAX_BUNDLE)
        style = read_regular(STANDALONE / "embedscope.css", root=STANDALONE, what="page style", limit=MAX_BUNDLE)
    except NotFoundError:
        raise NotFoundError(
            "the page's standalone build is missing, so no map can be saved as HTML",
            path=STANDALONE,
            fix="build the page with `make web` (npm run build in frontend/)",
        ) from None
    return script.decode("utf-8"), style.decode("utf-8")


def _inline(text: str, element: str) -> str:
    """Code safe inside a <script> or <style> element: no `</script` (`</style`) that would end it early (`<\\/` means
    `</` in a JavaScript string or regular expression, and the page's code has the text only there)."""
    return re.sub(f"</({element})", r"<\\/\1", text, flags=re.IGNORECASE)


def _json(data: Any) -> str:
    """Data as a JavaScript literal inside <script>: `<` (only ever inside strings) written as \\u003c."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page_html(data: dict[str, Any], *, title: str) -> str:
    """The HTML file: the page, its style and script inline, `data` as the file's map."""
    script, style = bundle()
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_inline(style, 'style')}</style>\n</head>\n<body>\n"
        f'<div id="app"></div>\n<script>window.EMBEDSCOPE_STATIC = {_json(data)};</script>\n'
        f"<script>{_inline(script, 'script')}</script>\n</body>\n</html>\n"
    )
