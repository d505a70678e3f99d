"""With a token: a token that rides in a cookie (cookies ignore ports, so a page on another port of the host sends
it too) does not let another origin change state; a refused request's connection is closed after the answer, so a
client without the token cannot hold it open by trickling a body."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

UPLOAD = "/api/runs/r0/embeddings/e0/metadata"
TSV = b"\n".join(f"w{i}".encode() for i in range(8)) + b"\n"


def _upload(client: Any, **headers: str) -> Any:
    return client.post(UPLOAD, files={"file": ("m.tsv", TSV, "text/tab-separated-values")}, headers=headers)


def test_a_cookie_token_does_not_carry_another_origins_request(
    make_client: Callable[..., Any], expect_error: Callable[..., Any]
) -> None:
    client = make_client(token="tok", base_url="http://devbox:6006", host="devbox")
    cookie = {"Cookie": "embedscope_token_6006=tok"}
    for origin in ("http://devbox:6007", "http://evil.devbox.example", "http://127.0.0.1:6007"):
        expect_error(_upload(client, Origin=origin, **cookie), 403, "forbidden")
    assert _upload(client, Origin="http://devbox:6006", **cookie).status_code == 200  # the page itself
    assert _upload(client, **cookie).status_code == 200  # no Origin: not a browser's cross-site request
    # a token in the header or the query is known to whoever sends it: no cross-site rider
    assert _upload(client, Origin="http://devbox:6007", Authorization="Bearer tok").status_code == 200
    assert client.get("/api/runs", headers={"Origin": "http://devbox:6007", **cookie}).status_code == 200


def test_a_refused_request_closes_its_connection(start_live: Any, data: Any) -> None:
    base = start_live(data(), token="tok")
    host, port = base.removeprefix("http://").split("/", 1)[0].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(
            f"POST /api/bookmarks/a HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: 100000\r\n\r\n".encode()
        )
        received = b""
        while True:  # read to the end: the server must close after its 401, not wait for the body
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    head = received.split(b"\r\n\r\n", 1)[0].lower()
    assert head.startswith(b"http/1.1 401") and b"connection: close" in head, received[:300]
