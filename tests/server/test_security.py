"""Security: token when exposed (header, query, cookie), loopback Host/Origin checks, body limit, path attacks."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from embedscope.server.security import Guard, is_loopback

SECRET = "TOPSECRET-d41d8cd9"


# -- tokens ----------------------------------------------------------------------------------------------------
def test_a_non_loopback_host_gets_a_token(make_client, expect_error) -> None:
    client = make_client(host="0.0.0.0")
    token = client.state.settings.token
    assert token and len(token) >= 24
    error = expect_error(client.get("/api/runs"), 401, "unauthorized", match="access token")
    assert "?token=" in error["fix"]
    assert client.get("/api/runs").headers["www-authenticate"] == "Bearer"
    expect_error(client.get("/"), 401, "unauthorized")
    expect_error(client.get("/docs"), 401, "unauthorized")
    expect_error(client.get("/api/runs", headers={"Authorization": "Bearer wrong"}), 401, "unauthorized")
    expect_error(client.get("/api/runs", params={"token": token + "x"}), 401, "unauthorized")
    assert client.get("/api/runs", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_query_token_sets_a_cookie_for_later_requests(make_client, expect_error) -> None:
    client = make_client(host="192.168.1.20", token="s3cret-token")
    first = client.get("/", params={"token": "s3cret-token"})
    assert first.status_code == 200
    cookie = first.headers["set-cookie"]
    assert cookie.startswith("embedscope_token_8000=s3cret-token")  # one cookie per server: named after its port
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/api/runs").status_code == 200  # the client sends the cookie back
    client.http.cookies.clear()
    expect_error(client.get("/api/runs"), 401, "unauthorized")
    assert client.get("/api/runs", headers={"Cookie": "embedscope_token_8000=s3cret-token"}).status_code == 200


def test_a_token_given_on_loopback_is_required_too(make_client, expect_error) -> None:
    client = make_client(token="abc")
    expect_error(client.get("/api/runs"), 401, "unauthorized")
    assert client.get("/api/runs", headers={"Authorization": "Bearer abc"}).status_code == 200


def test_loopback_needs_no_token(client) -> None:
    assert client.state.settings.token is None
    assert client.get("/api/runs").status_code == 200


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.0.2", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def _websocket_refusal(guard: Guard, headers: list[tuple[bytes, bytes]], query: bytes = b"") -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "websocket.accept"})

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    guard.app = app
    scope = {"type": "websocket", "path": "/api/projections/x/stream", "headers": headers, "query_string": query}
    asyncio.run(guard(scope, receive, send))
    return sent


def test_websockets_need_the_token_too() -> None:
    guard = Guard(lambda *a: None, token="tok", max_body=10)
    assert _websocket_refusal(guard, [(b"host", b"example.com")]) == [
        {"type": "websocket.close", "code": 1008, "reason": "this server needs its access token"}
    ]
    assert _websocket_refusal(guard, [], b"token=tok") == [{"type": "websocket.accept"}]


def test_websocket_refusals_are_http_answers_where_the_server_allows() -> None:
    """With the ASGI denial-response extension the handshake gets the same 401 and JSON body as HTTP."""
    guard = Guard(lambda *a: None, token="tok", max_body=10)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/s", "headers": [], "query_string": b"", "extensions": {}}
    scope["extensions"] = {"websocket.http.response": {}}
    asyncio.run(guard(scope, receive, send))
    assert [m["type"] for m in sent] == ["websocket.http.response.start", "websocket.http.response.body"]
    assert sent[0]["status"] == 401 and (b"www-authenticate", b"Bearer") in sent[0]["headers"]
    assert json.loads(sent[1]["body"])["error"]["kind"] == "unauthorized"


def test_a_live_websocket_without_the_token_gets_401(start_live, data) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    url = start_live(data(), token="tok").replace("http://", "ws://")
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{url}/api/projections/x/stream", open_timeout=10)
    assert refused.value.response.status_code == 401
    assert json.loads(refused.value.response.body)["error"]["kind"] == "unauthorized"


def test_websockets_from_another_site_are_refused_on_loopback() -> None:
    guard = Guard(lambda *a: None, token=None, max_body=10)
    refused = _websocket_refusal(guard, [(b"host", b"127.0.0.1:5000"), (b"origin", b"http://evil.example")])
    assert refused[0]["type"] == "websocket.close"
    accepted = _websocket_refusal(guard, [(b"host", b"127.0.0.1:5000"), (b"origin", b"http://127.0.0.1:5000")])
    assert accepted == [{"type": "websocket.accept"}]


# -- DNS rebinding and cross-site requests -----------------------------------------------------------------------
def test_loopback_server_refuses_other_host_names(client, expect_error) -> None:
    expect_error(client.get("/api/runs", headers={"Host": "evil.example:8000"}), 403, "forbidden", match="evil")
    for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000"):
        assert client.get("/api/runs", headers={"Host": host}).status_code == 200


def test_other_sites_cannot_change_state(client, expect_error) -> None:
    headers = {"Origin": "http://evil.example"}
    expect_error(client.put("/api/bookmarks/a", json={"state": 1}, headers=headers), 403, "forbidden")
    assert client.get("/api/bookmarks").json()["bookmarks"] == []
    assert client.get("/api/runs", headers=headers).status_code == 200  # reading is harmless: CORS hides the answer
    ok = client.put("/api/bookmarks/a", json={"state": 1}, headers={"Origin": "http://localhost:8000"})
    assert ok.status_code == 200


# -- body limit ------------------------------------------------------------------------------------------------
def test_declared_body_over_the_limit_is_413(make_client, expect_error) -> None:
    client = make_client(max_upload_bytes=1000)
    response = client.put("/api/bookmarks/a", json={"state": "x" * 2000})
    expect_error(response, 413, "too_large", match="1,000 bytes")


def test_streamed_body_over_the_limit_is_413(make_client, expect_error) -> None:
    client = make_client(max_upload_bytes=1000)

    async def chunks():
        yield b'{"state": "'
        for _ in range(10):
            yield b"x" * 200
        yield b'"}'

    response = client.put("/api/bookmarks/a", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    expect_error(response, 413, "too_large")
    assert client.get("/api/bookmarks").json()["bookmarks"] == []


def test_streamed_body_under_the_limit_passes(make_client) -> None:
    client = make_client(max_upload_bytes=1000)

    async def chunks():
        yield b'{"state": '
        yield b'"small"}'

    response = client.put("/api/bookmarks/a", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text


# -- path attacks ----------------------------------------------------------------------------------------------
ATTACKS = [
    "..",
    "...",
    "../..",
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%2e%2e",
    "..%252f..%252fetc%252fpasswd",
    "%252e%252e%252fetc%252fpasswd",
    "..%5c..%5c..%5cetc%5cpasswd",
    "..\\..\\etc\\passwd",
    "%2fetc%2fpasswd",
    "%2F%2Fetc%2Fpasswd",
    "/etc/passwd",
    "file:%2f%2f%2fetc%2fpasswd",
    "%c0%ae%c0%ae%2fetc%2fpasswd",
    "..%c0%afetc%c0%afpasswd",
    "....%2f%2f....%2f%2fetc%2fpasswd",
    "%00",
    "r0%00",
    "r0%00..%2f..%2fsecret.txt",
    "~",
    "~root",
    "{SECRET_ABS}",
    "..%2fsecret.txt",
    "..%2f..%2fsecret.txt",
    "state%2f..%2f..%2fsecret.txt",
    ".%2Fsecret.txt",
    "secret.txt",
    "link",
]


def _raw_request(app: Any, method: str, raw_path: str, body: bytes = b"") -> tuple[int, bytes]:
    """Send a path exactly as written (no client-side normalisation), decoded into `path` as uvicorn does."""
    path, _, query = raw_path.partition("?")
    headers = [(b"host", b"127.0.0.1:8000")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode("latin-1"),
        "root_path": "",
        "query_string": query.encode("latin-1"),
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    out: dict[str, Any] = {"status": 0, "body": b""}
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    asyncio.run(app(scope, receive, send))
    return out["status"], out["body"]


def _templates(app: Any) -> list[tuple[str, str, list[str]]]:
    """(method, path template, parameter names) of every route with path parameters, from the OpenAPI schema."""
    out = []
    for path, item in app.openapi()["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        if names:
            out.extend((method.upper(), path, names) for method in item)
    return out


VALID = {
    "run": "r0",
    "tensor": "e0",
    "name": "saved",
    "job_id": "0" * 32,
    "cluster_id": "0",
    "z": "0",
    "x": "0",
    "y": "0",
}
BODIES = {
    "neighbors": {"query": 0, "k": 2},
    "analogy": {"positive": [0], "k": 2},
    "export": {"format": "csv"},
    "rename": {"new_name": "other"},
    "projections": {"method": "pca"},
}


@pytest.fixture
def attacked(make_client, tmp_path: Path) -> Any:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "link").symlink_to(secret)
    client = make_client()
    client.put("/api/bookmarks/saved", json={"state": {"ok": True}})
    return client, secret


def test_path_attacks_never_read_a_file(attacked, monkeypatch) -> None:
    client, secret = attacked
    monkeypatch.chdir(secret.parent / "state")
    templates = _templates(client.app)
    assert {t[1] for t in templates} >= {
        "/api/runs/{run}/embeddings/{tensor}/metadata",
        "/api/bookmarks/{name}",
        "/api/runs/{run}/embeddings/{tensor}/sprite.png",
    }
    checked = 0
    for method, template, names in templates:
        topic = template.rstrip("/").split("/")[-1]
        body = b"" if method in ("GET", "DELETE") else json.dumps(BODIES.get(topic, {"state": 1})).encode()
        for attacked_name in names:
            for attack in ATTACKS:
                attack = attack.replace("{SECRET_ABS}", str(secret).replace("/", "%2f"))
                path = template
                for name in names:
                    path = path.replace("{" + name + "}", attack if name == attacked_name else VALID[name])
                status, content = _raw_request(client.app, method, path, body)
                where = f"{method} {path} -> {status} {content[:200]!r}"
                assert SECRET.encode() not in content, where
                assert b"root:" not in content, where
                assert status < 500, where
                if method == "GET" or attacked_name != "name":
                    assert status in (400, 403, 404, 405, 409, 422), where
                checked += 1
    assert checked > 500
    state_files = sorted(p.name for p in (secret.parent / "state").iterdir())
    assert state_files == ["bookmarks.json", "link"]  # bookmark names never became files
    assert secret.read_text() == SECRET


def test_static_files_refuse_to_leave_the_web_folder(make_client, tmp_path: Path, monkeypatch) -> None:
    from embedscope.server.routes import static

    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<html>built app</html>")
    (web / "assets" / "app.js").write_text("console.log(1)")
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    (web / "leak.txt").symlink_to(secret)
    (web / "assets" / "up").symlink_to(tmp_path)
    monkeypatch.setattr(static, "WEB_DIR", web)
    client = make_client()
    assert client.get("/").text == "<html>built app</html>"
    assert client.get("/assets/app.js").text == "console.log(1)"
    assert client.get("/api/runs").status_code == 200  # the API still comes first
    for attack in [*ATTACKS, "leak.txt", "assets/up/secret.txt", "assets%2fup%2fsecret.txt", "assets/../../secret.txt"]:
        attack = attack.replace("{SECRET_ABS}", str(secret).replace("/", "%2f"))
        for prefix in ("/", "/assets/"):
            status, content = _raw_request(client.app, "GET", prefix + attack)
            where = f"GET {prefix + attack} -> {status} {content[:100]!r}"
            assert SECRET.encode() not in content and b"root:" not in content, where
            assert status < 500, where


def test_an_empty_token_on_an_exposed_host_is_replaced_by_a_real_one(tmp_path: Path, data: Any) -> None:
    from embedscope.server.app import make_app
    from embedscope.server.state import ServerSettings

    collection = data
    settings = ServerSettings(host="0.0.0.0", token="", state_dir=tmp_path / "s", cache_dir=tmp_path / "c")
    make_app(collection(), settings)
    assert settings.token and len(settings.token) >= 16
    loopback = ServerSettings(host="127.0.0.1", token="", state_dir=tmp_path / "s", cache_dir=tmp_path / "c")
    make_app(collection(), loopback)
    assert loopback.token is None
