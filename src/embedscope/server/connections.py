"""The connections the server keeps: a deadline for a request's headers, a cap on open connections, and a clean
close for a WebSocket text frame that is not UTF-8.

uvicorn's HTTP protocol (h11) closes an idle keep-alive connection after `timeout_keep_alive` and answers 503
past `limit_concurrency`, but it waits for a request's headers without end: a client that opens connections and
never finishes its headers (slowloris) holds a socket each, until the process runs out of file descriptors and
accepts no one, the clients with the token included. Here, in uvicorn's configuration (`config()`):

- HEADER_TIMEOUT: a connection whose request headers are not complete within it (counted from the connection,
  or from the first byte of its next request) is closed.
- a cap on open connections, below the process's file limit: a new connection past it closes the oldest one
  still waiting for its headers (one that has sent a whole request is never dropped), or, when none is, itself.
- headers of at most MAX_HEADER_BYTES (h11 answers 400 past it), keep-alive KEEP_ALIVE seconds.

uvicorn's `limit_concurrency` is left unset: it counts the same connections, but answers 503 to whoever comes
after the cap, which is the client with the token when half-open connections fill it.

uvicorn's WebSocket protocol logs a traceback for a text frame that is not UTF-8 (and then closes it with 1007);
CleanWebSockets closes it with the same code and logs one line. Both classes extend uvicorn's own protocols (h11,
and the sans-I/O one on `websockets`, uvicorn's default since 0.50, as pyproject.toml requires). uvicorn would pick
httptools over h11 when it is installed: h11 is chosen here for its header deadline, at a small cost in parsing
speed.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

log = logging.getLogger(__name__)

HEADER_TIMEOUT = 10.0  # seconds from a request's first byte (or the connection) to the end of its headers
KEEP_ALIVE = 5  # seconds an idle keep-alive connection stays open (uvicorn's default, said here)
MAX_HEADER_BYTES = 32 * 1024  # a request line and headers, in bytes
MAX_CONNECTIONS = 1000  # open connections, at most
FILES_KEPT = 64  # file descriptors kept for what the server opens besides its connections


def connection_cap() -> int:
    """MAX_CONNECTIONS, or fewer where the process's file limit (RLIMIT_NOFILE) would not hold them."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(8, min(MAX_CONNECTIONS, soft - FILES_KEPT))


class GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline for the request headers and a cap on open connections."""

    header_timeout: float = HEADER_TIMEOUT
    max_connections: int = MAX_CONNECTIONS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._waiting_since = 0.0
        self._dropped = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()
        self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._header_timer is None and self.waiting_for_headers:
            self._arm()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)
        if not self.waiting_for_headers:
            self._disarm()

    @property
    def waiting_for_headers(self) -> bool:
        """Whether no request is under way: its headers are still to come (or partly come)."""
        return self.conn.their_state is h11.IDLE and (self.cycle is None or self.cycle.response_complete)

    def _arm(self) -> None:
        self._disarm()
        self._waiting_since = self.loop.time()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if self.waiting_for_headers and not self.transport.is_closing():
            log.info("closing a connection from %s: no request headers within %g s", self.client, self.header_timeout)
            self.drop()

    def drop(self) -> None:
        """Close this connection now (it has no request under way)."""
        self._dropped = True
        self._disarm()
        self.transport.close()

    def _make_room(self) -> None:
        """Past the cap, drop the connection waiting longest for its headers; when none is waiting, this one."""
        open_now = [c for c in self.connections if not getattr(c, "_dropped", False)]
        if len(open_now) <= self.max_connections:
            return
        waiting = [c for c in open_now if isinstance(c, GuardedH11) and c is not self and c.waiting_for_headers]
        victim = min(waiting, key=lambda c: c._waiting_since) if waiting else self
        log.warning("%d connections are open, the most this server keeps: closing one without a request", len(open_now))
        victim.drop()


class CleanWebSockets(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol closing a text message that is not UTF-8 with 1007 and one log line."""

    def send_receive_event_to_app(self) -> None:
        if self.curr_msg_data_type == "text" and not self.close_sent:
            try:
                b"".join(self.frames).decode("utf-8")
            except UnicodeDecodeError as exc:
                self.frames = []
                log.warning("closing a WebSocket from %s: its text message is not UTF-8 (%s)", self.client, exc.reason)
                self.conn.send_close(1007, "text messages must be UTF-8")
                self.handle_parser_exception()
                return
        super().send_receive_event_to_app()


def protocols() -> dict[str, Any]:
    """uvicorn.Config's arguments for the connection handling above."""
    cap = connection_cap()
    http = type("GuardedH11", (GuardedH11,), {"header_timeout": HEADER_TIMEOUT, "max_connections": cap})
    return {
        "http": http,
        "ws": CleanWebSockets,
        "timeout_keep_alive": KEEP_ALIVE,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }
