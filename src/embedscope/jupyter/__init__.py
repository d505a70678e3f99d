"""`embedscope.show()`: the projector inline in Jupyter, its selection shared with Python.

Importing this package needs nothing beyond embedscope; calling show() needs the `jupyter` extra (anywidget).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

import numpy as np

from ..errors import ParameterError, require

if TYPE_CHECKING:
    from .widget import ProjectorWidget

__all__ = ["show"]

EMBED_FLAG = "embed=1"  # in the frame's query: the page is shown in a notebook cell
PROXY_ENV = "EMBEDSCOPE_JUPYTER_PROXY"  # "1": through jupyter-server-proxy; a URL with {port}: through that
FRAME_ENV = "EMBEDSCOPE_FRAME_ANCESTORS"  # more origins (space-separated) of notebooks that may show the page
# Who may show the widget's page in a frame (CSP frame-ancestors; every other site is refused): a notebook on this
# machine (direct mode: the page is at 127.0.0.1, the notebook at another local origin), the page's own origin
# (through a proxy, the notebook's), and VS Code's notebook webviews.
NOTEBOOK_ORIGINS = (
    "'self'",
    "http://localhost:*",
    "http://127.0.0.1:*",
    "https://localhost:*",
    "https://127.0.0.1:*",
    "vscode-webview:",
)
_token_lock = threading.Lock()
_token: list[str] = []  # one token for every proxied server of this process


def show(
    data: Any,
    *,
    labels: Sequence[Any] | np.ndarray | None = None,
    metadata: Any = None,
    images: Any = None,
    name: str | None = None,
    label_column: str | None = None,
    height: int = 600,
    proxy: bool | str | None = None,
    key: str | None = None,
    text: str | None = None,
    model: str | None = None,
) -> ProjectorWidget:
    """Show `data` in the projector inside the notebook; the widget's `selection` follows the page's selection.

    data: an Embedding, a path embedscope.load() reads, or an N x D array.
    labels: one label per point (a metadata column `label`, used to label points).
    metadata: a pandas DataFrame, a pyarrow Table or a dict of columns, one row per point.
    images: one image per point (N x H x W[x C] array or a list of PIL images), drawn as the point's thumbnail.
    label_column: the metadata column points are labelled and searched by.
    height: of the view, in pixels.
    proxy: reach the page through jupyter-server-proxy (True), through a URL template holding `{port}`, or
        directly at 127.0.0.1 (False). None reads the environment variable EMBEDSCOPE_JUPYTER_PROXY.
    key: the place this view is shown in: a new show() with the same key closes the widget shown before under it
        (stopping its server). None: the calling cell, so that running a cell again releases what it showed before.
    text: `data` is raw: a DataFrame, table or file whose column `text` is embedded first (embedscope.embed, with
        `model`; cached), then shown, labelled by the texts and searchable by meaning.
    """
    require("anywidget", extra="jupyter", purpose="embedscope.show()")
    from ..embedding import Collection
    from ..server.launch import start_in_background
    from ..server.state import ServerSettings
    from .inputs import as_shown
    from .registry import file, place, release
    from .widget import ProjectorWidget

    where = place(key)
    if text is not None:
        from ..embed import embed

        data = embed(data, text=text, model=model, name=name)
        from ..embed.search import trust

        if data.model is not None:
            trust(data.model)  # chosen in Python: search by meaning may load it again
    shown = as_shown(data, labels=labels, metadata=metadata, images=images, name=name, label_column=label_column)
    mode = _proxy_mode(proxy)
    release(where)  # what this place showed before stops before the new server starts
    collection = Collection(source=shown.embedding.source)
    collection.add(".", shown.embedding)
    settings = ServerSettings(
        host="127.0.0.1", port=0, token=_shared_token() if mode else None, frame_ancestors=frame_ancestors()
    )
    server = start_in_background(collection, settings)
    try:
        widget = ProjectorWidget(shown, server, src=frame_src(mode, server.port, settings.token), height=height)
    except BaseException:
        server.stop()
        raise
    file(where, widget)
    return widget


def _proxy_mode(proxy: bool | str | None) -> str:
    """The empty string (direct), "jupyter" (jupyter-server-proxy under Jupyter's base URL) or a URL template."""
    if proxy is None:
        value = os.environ.get(PROXY_ENV, "").strip()
        if value.lower() in ("", "0", "false", "no", "off"):
            return ""
        proxy = True if value.lower() in ("1", "true", "yes", "on") else value
    if proxy is True:
        return "jupyter"
    if proxy is False:
        return ""
    if not isinstance(proxy, str) or "{port}" not in proxy:
        raise ParameterError(
            f"`proxy` must be True, False or a URL holding {{port}}, got {proxy!r}",
            field="proxy",
            fix='for example proxy="https://hub.example.org/user/me/proxy/{port}/"',
        )
    return proxy


def frame_ancestors() -> tuple[str, ...]:
    """The notebook origins that may frame the page: NOTEBOOK_ORIGINS and those of EMBEDSCOPE_FRAME_ANCESTORS."""
    extra = os.environ.get(FRAME_ENV, "").split()
    bad = [s for s in extra if not _is_origin(s)]
    if bad:
        raise ParameterError(
            f"{FRAME_ENV} must hold origins like https://notebook.example.org:8888, got {bad[0]!r}",
            field=FRAME_ENV,
            fix="separate several with spaces; leave out paths, quotes and wildcard hosts",
        )
    return NOTEBOOK_ORIGINS + tuple(extra)


def _is_origin(source: str) -> bool:
    parts = urlsplit(source)
    plain = all(ch.isalnum() or ch in "-.:[]" for ch in parts.netloc)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and plain and parts.path in ("", "/")


def _shared_token() -> str:
    from ..server.security import make_token

    with _token_lock:
        if not _token:
            _token.append(make_token())
        return _token[0]


def frame_src(mode: str, port: int, token: str | None) -> str:
    """The URL the view's frame opens: 127.0.0.1, `proxy/PORT/` under Jupyter's base URL, or the template's.

    Its query says `embed=1` (the page is a notebook cell's view: it may lay itself out for a small frame) and, through
    a proxy, carries the token.
    """
    base = f"http://127.0.0.1:{port}/" if not mode else f"proxy/{port}/" if mode == "jupyter" else mode
    parts = urlsplit(base.replace("{port}", str(port)))
    ours = [EMBED_FLAG] + ([f"token={quote(token or '')}"] if mode else [])
    query = "&".join(q for q in (parts.query, *ours) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
