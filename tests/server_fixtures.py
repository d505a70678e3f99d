"""Fixtures for the server and security tests (a plugin of tests/conftest.py): small real embeddings, an in-process
HTTP client (httpx over ASGI) and a live uvicorn."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyarrow as pa
import pytest

from embedscope.embedding import Collection, Embedding
from embedscope.server.app import make_app
from embedscope.server.state import ServerSettings


class Client:
    """A synchronous face on httpx.AsyncClient(transport=ASGITransport(app)): the app runs in-process."""

    def __init__(self, app: Any, *, base_url: str = "http://127.0.0.1:8000") -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)

    @property
    def state(self) -> Any:
        return self.app.state.embedscope

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.http.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.app.state.embedscope.close()
        self.loop.close()


def words() -> Embedding:
    """Eight 3-D word vectors with a two-column metadata table (label, kind)."""
    labels = ["King", "queen", "man", "woman", "apple", "banana", "Kingdom", "zero"]
    kinds = ["royal", "royal", "person", "person", "fruit", "fruit", "place", "none"]
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(8, 3)).astype(np.float32)
    meta = pa.table({"label": labels, "kind": kinds, "size": list(range(8))})
    return Embedding(vectors, name="words", metadata=meta)


def collection() -> Collection:
    """Run "." holds `words` and an 8 x 3 `plain` embedding without metadata; run "other" holds a 5 x 2 one."""
    out = Collection(source="test-data")
    out.add(".", words())
    out.add(".", Embedding(np.arange(24, dtype=np.float32).reshape(8, 3) + 1, name="plain"))
    out.add("other", Embedding(np.eye(5, 2, dtype=np.float32) + 0.5, name="small"))
    return out


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., Client]]:
    made: list[Client] = []

    def make(data: Collection | None = None, *, base_url: str = "http://127.0.0.1:8000", **settings: Any) -> Client:
        settings.setdefault("state_dir", tmp_path / "state")
        settings.setdefault("cache_dir", tmp_path / "cache")
        app = make_app(data if data is not None else collection(), ServerSettings(**settings))
        made.append(Client(app, base_url=base_url))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client()


def _expect_error(response: httpx.Response, status: int, kind: str, *, match: str | None = None) -> dict[str, Any]:
    """The one error shape: {"error": {kind, message, path, line, column, field, fix}}."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"kind", "message", "path", "line", "column", "field", "fix"}
    assert body["error"]["kind"] == kind, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if match is not None:
        import re

        assert re.search(match, body["error"]["message"]), body["error"]["message"]
    return body["error"]


@pytest.fixture
def expect_error() -> Callable[..., dict[str, Any]]:
    """expect_error(response, status, kind, match=REGEX): checks the one error shape, returns its `error` object."""
    return _expect_error


@pytest.fixture
def data() -> Callable[[], Collection]:
    """A fresh test Collection (see `collection()`)."""
    return collection


@pytest.fixture
def start_live(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """start_live(collection, **settings) -> base URL of a real uvicorn on 127.0.0.1 with a free port, stopped
    after the test; `settings` are ServerSettings fields (a token, say)."""
    import threading
    import time

    from embedscope.server.launch import make_server

    stops: list[Callable[[], None]] = []

    def start(data: Collection, **options: Any) -> str:
        settings = ServerSettings(
            host="127.0.0.1", port=0, state_dir=tmp_path / "state", cache_dir=tmp_path / "cache", **options
        )
        server, sock, url = make_server(data, settings)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started

        def stop() -> None:
            server.should_exit = True
            thread.join(timeout=30)
            sock.close()

        stops.append(stop)
        return str(url).rstrip("/")

    yield start
    for stop in stops:
        stop()
