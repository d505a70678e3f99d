"""Starting the server: the served paths as one Collection, a listening socket, and uvicorn on it.

`serve` runs it in the calling thread until interrupted (the CLI); `start_in_background` runs it in a daemon
thread and returns once it answers (the Jupyter widget, scripts and tests).
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..embedding import Collection
from ..errors import ServerStartError
from .state import ServerSettings

log = logging.getLogger(__name__)


def collect(
    paths: Sequence[Path], *, run: str | None = None, tensor: str | None = None, **read_options: Any
) -> Collection:
    """Everything the paths hold as one Collection: a log dir brings its runs, a file becomes a run named by its stem.

    One path is served as it reads. With several, a run keeps its name when it is unique (a file's default run
    "." takes the file's stem); a clash gets a suffix `-2`, `-3`... `run` and `tensor` keep only the embedding
    they choose of each path (as `load` chooses it).
    """
    from ..formats.registry import load_collection

    collections = [load_collection(p, tensor=tensor, **read_options) for p in paths]
    if run is not None or tensor is not None:
        collections = [_only(c, run=run, tensor=tensor) for c in collections]
    if len(collections) == 1:
        return collections[0]
    merged = Collection(source=None)
    for path, collection in zip(paths, collections, strict=True):
        stem = Path(path).stem or Path(path).name or "data"
        for run, tensors in collection.runs.items():
            name = stem if run == "." else run
            if name in merged.runs:
                base, k = name if run == "." else f"{stem}/{run}", 2
                name = base
                while name in merged.runs:
                    name, k = f"{base}-{k}", k + 1
            merged.runs[name] = dict(tensors)
            if run in collection.roots:
                merged.roots[name] = collection.roots[run]
    return merged


def _only(collection: Collection, *, run: str | None, tensor: str | None) -> Collection:
    chosen = collection.get(run=run, tensor=tensor)
    name = next(r for r, tensors in collection.runs.items() if any(e is chosen for e in tensors.values()))
    kept = Collection(source=collection.source)
    kept.add(name, chosen)
    if name in collection.roots:
        kept.roots[name] = collection.roots[name]
    return kept


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; port 0, or a port already in use, takes a free one (with a warning)."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        if port == 0 or exc.errno != errno.EADDRINUSE:
            sock.close()
            raise
        log.warning("port %d is in use: taking a free one", port)
        sock.bind((host.strip("[]"), 0))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def url_for(host: str, port: int, token: str | None) -> str:
    """The URL to open: wildcard hosts show this machine's name; the token rides in `?token=`."""
    shown = host.strip("[]")
    if shown in ("0.0.0.0", "::", ""):
        shown = socket.gethostname()
    if ":" in shown:
        shown = f"[{shown}]"
    query = f"?token={quote(token)}" if token else ""
    return f"http://{shown}:{port}/{query}"


def make_server(collection: Collection, settings: ServerSettings) -> tuple[Any, socket.socket, str]:
    """(uvicorn.Server, its listening socket, the URL to open): run it with `server.run(sockets=[sock])`."""
    import uvicorn

    from .app import make_app

    app = make_app(collection, settings)
    sock = bind(settings.host, settings.port)
    settings.port = int(sock.getsockname()[1])
    url = url_for(settings.host, settings.port, settings.token)
    from .connections import protocols

    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", access_log=False, ws_max_size=16 * 1024 * 1024, **protocols()
    )
    return uvicorn.Server(config), sock, url


def serve(
    collection: Collection,
    settings: ServerSettings,
    *,
    open_browser: bool = False,
    warm_up: bool = True,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve `collection` until interrupted; `announce` receives the URL once the socket listens."""
    server, sock, url = make_server(collection, settings)
    if warm_up:
        from ..compute.umap_warmup import warm_up as umap_warm_up

        umap_warm_up(background=True)
    if announce is not None:
        announce(url)
    if open_browser:
        wildcard = settings.host.strip("[]") in ("0.0.0.0", "::", "")
        local = url_for("127.0.0.1", settings.port, settings.token) if wildcard else url
        threading.Thread(target=webbrowser.open, args=(local,), daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


@dataclass
class BackgroundServer:
    """A server running in a daemon thread: its `url`, `port`, and `stop()`."""

    url: str
    port: int
    server: Any = field(repr=False)
    sock: socket.socket = field(repr=False)
    thread: threading.Thread = field(repr=False)

    @property
    def running(self) -> bool:
        return self.thread.is_alive()

    def stop(self, *, timeout: float = 10.0) -> None:
        """Ask the server to finish and wait up to `timeout` seconds; stopping twice is harmless."""
        self.server.should_exit = True
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout=timeout)
        self.sock.close()


def start_in_background(collection: Collection, settings: ServerSettings, *, timeout: float = 60.0) -> BackgroundServer:
    """Serve `collection` from a daemon thread; returns once the server accepts requests (or raises)."""
    server, sock, url = make_server(collection, settings)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the caller below, or logged when it has returned
            failure.append(exc)
            log.error("the embedscope server at %s stopped: %s", url, exc)

    thread = threading.Thread(target=run, name=f"embedscope-server-{settings.port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
        found = f": {failure[0]}" if failure else f" within {timeout:g} s"
        raise ServerStartError(f"the server for {url} did not start{found}", fix="see the log above for the cause")
    return BackgroundServer(url=url, port=settings.port, server=server, sock=sock, thread=thread)
