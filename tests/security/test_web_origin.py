"""Cross-site requests: only the server's own origin may change state or open a WebSocket; `Origin: null` (a
sandboxed frame on any site, a file:// page) and the pages of other ports of this machine may not."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

UPLOAD = "/api/runs/r0/embeddings/e0/metadata"
TSV = "\n".join(f"w{i}" for i in range(8)).encode() + b"\n"


def upload(client: Any, **headers: str) -> httpx.Response:
    return client.post(UPLOAD, files={"file": ("m.tsv", TSV, "text/tab-separated-values")}, headers=headers)


def test_origin_null_cannot_upload_metadata(client: Any, expect_error: Callable[..., Any]) -> None:
    before = client.get("/api/runs/r0/embeddings/e0/metadata?format=json").json()["data"]
    expect_error(upload(client, Origin="null"), 403, "forbidden", match="Origin: null")
    expect_error(client.put("/api/bookmarks/a", json={"state": 1}, headers={"Origin": "null"}), 403, "forbidden")
    assert client.get("/api/runs/r0/embeddings/e0/metadata?format=json").json()["data"] == before
    assert client.get("/api/runs", headers={"Origin": "null"}).status_code == 200  # reading: CORS hides the answer


def test_origin_null_is_refused_with_a_token_too(make_client: Callable[..., Any], expect_error: Any) -> None:
    client = make_client(token="tok")
    auth = {"Authorization": "Bearer tok"}
    expect_error(
        client.put("/api/bookmarks/a", json={"state": 1}, headers={**auth, "Origin": "null"}), 403, "forbidden"
    )
    assert client.put("/api/bookmarks/a", json={"state": 1}, headers=auth).status_code == 200


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:9999",  # another local server's page
        "http://localhost:1",
        "http://[::1]:8001",
        "http://127.0.0.1",  # port 80 is not 8000
        "https://127.0.0.1:8000x",
        "ftp://127.0.0.1:8000",
        "http://evil.example:8000",
        "http://[::1",  # does not parse: foreign, not a 500
        "http://127.0.0.1:8000:8000",
        "http://127.0.0.1:99999",
        "127.0.0.1:8000",
    ],
)
def test_other_ports_and_schemes_of_this_machine_are_foreign(
    client: Any, expect_error: Callable[..., Any], origin: str
) -> None:
    expect_error(upload(client, Origin=origin), 403, "forbidden")


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("localhost:8000", "http://localhost:8000"),
        ("127.0.0.1:8000", "http://localhost:8000"),  # another name of the same server
        ("[::1]:8000", "http://[::1]:8000"),
        ("localhost:5173", "http://localhost:5173"),  # a dev proxy that keeps the Host (Vite's changeOrigin: false)
    ],
)
def test_the_servers_own_origin_may_change_state(client: Any, host: str, origin: str) -> None:
    assert upload(client, Host=host, Origin=origin).status_code == 200


def test_a_live_websocket_from_origin_null_or_another_port_is_refused(start_live: Any, data: Any) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    base = start_live(data())
    url = base.replace("http://", "ws://") + "/api/projections/x/stream"
    for origin in ("null", "http://127.0.0.1:1"):
        with pytest.raises(InvalidStatus) as refused:
            connect(url, origin=origin, open_timeout=10)  # type: ignore[arg-type]
        assert refused.value.response.status_code == 403
        assert json.loads(refused.value.response.body)["error"]["kind"] == "forbidden"
    with connect(url, origin=base, open_timeout=10) as ws:  # type: ignore[arg-type]
        assert json.loads(ws.recv(timeout=10))["type"] == "error"  # no job x: the socket was accepted
