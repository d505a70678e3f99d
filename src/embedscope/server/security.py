"""Who may talk to the server, and how much they may send.

- The server binds 127.0.0.1 unless told otherwise. On any other address a token is required: one is made with
  `secrets.token_urlsafe` when none is given, and printed in the URL (`?token=`).
- With a token, every HTTP request and WebSocket needs it: `Authorization: Bearer TOKEN`, `?token=TOKEN`, or the
  cookie set after the first visit with a valid `?token=`. Without it: 401 in the one error shape. The cookie is
  named after the server's port (`embedscope_token_6006`), so that two servers of one host never overwrite each
  other's (cookies ignore ports), and it is `HttpOnly; SameSite=Strict`.
- Without a token (loopback only), the Host header must name a loopback host, so that a web page on another site
  cannot reach the API through DNS rebinding; a state-changing request or a WebSocket may come only from the
  server's own origin (the origin the Host header names, or a loopback name with the server's port): a page of
  another port of this machine may not change state, and neither may `Origin: null` (a sandboxed frame, a file://
  page, a cross-site redirect), with or without a token.
- Every answer says `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` (the token may ride in the
  URL); no page may show it in a frame (`X-Frame-Options: DENY`, CSP `frame-ancestors 'none'`) except the sources
  of `frame_ancestors` (the Jupyter widget's notebook, which shows the page in an iframe).
- Request bodies larger than `max_upload_bytes` get 413, whether they declare their length or stream it.
- No route takes a file path: runs, embeddings, bookmarks and jobs are looked up by id or name in memory.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
from collections.abc import Iterable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import EmbedscopeError, ForbiddenError, PayloadTooLargeError, UnauthorizedError

COOKIE = "embedscope_token"  # + "_PORT": one cookie per server of a host
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "testserver"})  # testserver: in-process test clients
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or address, IPv6 with or without brackets) is this machine's loopback."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_token() -> str:
    return secrets.token_urlsafe(24)


def token_needed(host: str) -> bool:
    return not is_loopback(host)


def _json_bytes(exc: EmbedscopeError) -> bytes:
    return json.dumps(exc.to_dict(), ensure_ascii=False).encode("utf-8")


def _host_name(value: str) -> str:
    """`[::1]:8000` -> `::1`, `localhost:8000` -> `localhost`."""
    value = value.strip()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _address(netloc: str, scheme: str) -> tuple[str, int] | None:
    """(host, port) of `host[:port]` (the port defaults to the scheme's); None when it does not parse."""
    try:
        parts = urlsplit(f"//{netloc.strip()}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname.lower(), port if port is not None else DEFAULT_PORTS.get(scheme, 80)


def server_port(scope: Scope) -> int | None:
    """The port the server listens on (ASGI's `server`), None when unknown (a Unix socket)."""
    server = scope.get("server")
    return int(server[1]) if server and server[1] is not None else None


def cookie_name(scope: Scope) -> str:
    """The token cookie of this server: named after its port, as a browser keeps one jar per host for all ports."""
    port = server_port(scope)
    return COOKIE if port is None else f"{COOKIE}_{port}"


def security_headers(frame_ancestors: Iterable[str] = ()) -> list[tuple[bytes, bytes]]:
    """What every answer says: no MIME sniffing, no referrer, and who may frame the page (no one by default)."""
    headers = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
    sources = " ".join(frame_ancestors)
    if not sources:
        return [*headers, (b"x-frame-options", b"DENY"), (b"content-security-policy", b"frame-ancestors 'none'")]
    return [*headers, (b"content-security-policy", f"frame-ancestors {sources}".encode("latin-1"))]


class Guard:
    """ASGI middleware: token check, loopback Host/Origin check, the request body limit and the security headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        max_body: int,
        allowed_hosts: Iterable[str] = (),
        frame_ancestors: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.token = token
        self.max_body = max_body
        self.allowed_hosts = LOOPBACK_NAMES | {h.lower() for h in allowed_hosts}
        self.headers = security_headers(frame_ancestors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "http":
            send = _with_headers(send, self.headers)
        problem, set_cookie = self._check(scope)
        if problem is not None:
            await _refuse(scope, receive, send, problem)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await _refuse(scope, receive, send, self._too_large())
            return
        cookie = cookie_name(scope) if set_cookie and self.token is not None else None
        await self._limited(scope, receive, _with_cookie(send, cookie, self.token) if cookie else send)

    def _check(self, scope: Scope) -> tuple[EmbedscopeError | None, bool]:
        """(the reason to refuse, or None; whether to set the token cookie)."""
        origin = _header(scope, b"origin")
        unsafe = scope["type"] == "websocket" or scope.get("method", "GET") not in SAFE_METHODS
        if unsafe and origin is not None and origin.strip().lower() == "null":
            return _foreign("an opaque origin (`Origin: null`: a sandboxed frame, a file:// page, a redirect)"), False
        if self.token is not None:
            cross_site = unsafe and origin is not None and not self._own_origin(scope, origin)
            return self._check_token(scope, cross_site=cross_site)
        host = _host_name(_header(scope, b"host") or "")
        if host and host.lower() not in self.allowed_hosts and not is_loopback(host):
            return ForbiddenError(f"host {host!r} is not this machine", fix="open http://127.0.0.1:PORT/"), False
        if unsafe and origin and not self._own_origin(scope, origin):
            return _foreign(repr(origin)), False
        return None, False

    def _check_token(self, scope: Scope, *, cross_site: bool) -> tuple[EmbedscopeError | None, bool]:
        """The token must be given; a token that came by cookie alone does not let another origin change state
        (cookies ignore ports: a page on another port of the host would ride on it), one in a header or the query
        does (the page that sends it knows it)."""
        given, source = self._given_token(scope)
        if given is None or not secrets.compare_digest(given.encode(), self.token.encode() if self.token else b""):
            return (
                UnauthorizedError(
                    "this server needs its access token",
                    fix="open the URL printed by `embedscope serve` (it ends with ?token=...), "
                    "or send the header `Authorization: Bearer TOKEN`",
                ),
                False,
            )
        if cross_site and source == "cookie":
            return _foreign(repr(_header(scope, b"origin"))), False
        return None, source == "query"

    def _own_origin(self, scope: Scope, origin: str) -> bool:
        """Whether `origin` is this server's: the one its Host header names, or a loopback name with its port."""
        scheme, _, netloc = origin.strip().partition("://")
        scheme = scheme.lower()
        theirs = _address(netloc, scheme) if scheme in ("http", "https") else None
        if theirs is None:
            return False
        host = _header(scope, b"host")
        if host is not None and _address(host, scheme) == theirs:
            return True
        return theirs[1] == server_port(scope) and (theirs[0] in self.allowed_hosts or is_loopback(theirs[0]))

    def _given_token(self, scope: Scope) -> tuple[str | None, str]:
        """(the token given, or None; where: "header", "query" or "cookie")."""
        auth = _header(scope, b"authorization")
        if auth and auth.lower().startswith("bearer "):
            return auth[7:].strip(), "header"
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if query.get("token"):
            return query["token"][0], "query"
        cookie = _header(scope, b"cookie")
        if cookie:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(cookie)
            except Exception:
                return None, "cookie"
            name = cookie_name(scope)
            if name in jar:
                return jar[name].value, "cookie"
        return None, "cookie"

    def _too_large(self) -> PayloadTooLargeError:
        return PayloadTooLargeError(
            f"the request body is larger than the limit of {self.max_body:,} bytes",
            fix="send a smaller file, or start the server with a larger upload limit",
        )

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the body as it arrives; past the limit, stop reading and answer 413 instead of the route."""
        seen = 0
        over = False
        started = False

        async def counted_receive() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:
                if not started:
                    started = True
                    await _send_error(send, self._too_large(), headers=[(b"connection", b"close")])
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not over:
                raise
        if over and not started:
            await _send_error(send, self._too_large(), headers=[(b"connection", b"close")])


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _foreign(origin: str) -> ForbiddenError:
    return ForbiddenError(
        f"requests from {origin} may not change this server's state or open its WebSockets",
        fix="use the page this server serves (the URL `embedscope serve` printed)",
    )


def _with_cookie(send: Send, name: str, token: str | None) -> Send:
    async def send_with_cookie(message: Message) -> None:
        if message["type"] == "http.response.start" and token is not None:
            cookie = f"{name}={token}; Path=/; HttpOnly; SameSite=Strict"
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())]}
        await send(message)

    return send_with_cookie


def _with_headers(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    """`send` adding `headers` to the response's start (those the response sets itself are kept)."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            have = {bytes(k).lower() for k, _ in message.get("headers", [])}
            extra = [(k, v) for k, v in headers if k not in have]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return send_with_headers


async def _send_error(
    send: Send, exc: EmbedscopeError, *, headers: list[tuple[bytes, bytes]], prefix: str = "http"
) -> None:
    body = _json_bytes(exc)
    base = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if exc.status == 401:
        base.append((b"www-authenticate", b"Bearer"))
    await send({"type": f"{prefix}.response.start", "status": exc.status, "headers": base + headers})
    await send({"type": f"{prefix}.response.body", "body": body})


async def _refuse(scope: Scope, receive: Receive, send: Send, exc: EmbedscopeError) -> None:
    if scope["type"] == "websocket":
        message: Any = await receive()  # websocket.connect
        if message.get("type") != "websocket.connect":
            return
        if "websocket.http.response" in scope.get("extensions", {}):
            # the server can answer the handshake with an HTTP response: the same status and JSON as for HTTP
            await _send_error(send, exc, headers=[], prefix="websocket.http")
        else:
            await send({"type": "websocket.close", "code": 1008, "reason": exc.message[:120]})
        return
    # the body is never read: close the connection after the answer, so that a refused client cannot hold it open
    # by trickling a body (the connection cap only drops connections still waiting for their headers)
    await _send_error(send, exc, headers=[(b"connection", b"close")])
