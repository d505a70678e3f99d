"""The server keeps serving: half-open connections (headers never finished) neither lock out a client with the
token nor stay open for good, and a WebSocket text frame that is not UTF-8 is closed cleanly with one log line."""

from __future__ import annotations

import logging
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest

from embedscope.embedding import Collection, Embedding

FILES = 256  # the server's file limit (macOS' default): the half-open sockets below would exhaust it
HALF_OPEN = 300
SERVER = """
import sys, numpy as np
from embedscope.embedding import Collection, Embedding
from embedscope.server import connections
from embedscope.server.launch import make_server
from embedscope.server.state import ServerSettings
connections.HEADER_TIMEOUT = float(sys.argv[1])
data = Collection(source="t")
data.add(".", Embedding(np.eye(8, 3, dtype=np.float32), name="e"))
settings = ServerSettings(host="127.0.0.1", port=0, token="tok", state_dir=sys.argv[2], cache_dir=sys.argv[2])
server, sock, url = make_server(data, settings)
print(settings.port, flush=True)
server.run(sockets=[sock])
"""


def _few_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILES, FILES))


@pytest.fixture
def server_with_few_files(tmp_path: Any) -> Iterator[Any]:
    """start(header_timeout) -> the port of a live server in a child process limited to FILES open files."""
    children: list[subprocess.Popen[str]] = []

    def start(header_timeout: float) -> int:
        child = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(header_timeout), str(tmp_path)],
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=_few_files,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        children.append(child)
        assert child.stdout is not None
        return int(child.stdout.readline())

    yield start
    for child in children:
        child.kill()
        child.wait(timeout=30)


def half_open(port: int, count: int) -> list[socket.socket]:
    """Connections that send a request line and one header, and never the blank line that ends the headers."""
    made = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(b"GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        made.append(sock)
    return made


def test_half_open_connections_do_not_lock_out_the_token(server_with_few_files: Any) -> None:
    port = server_with_few_files(header_timeout=600.0)  # the cap must do it alone: no time-out helps here
    held = half_open(port, HALF_OPEN)
    try:
        answer = httpx.get(f"http://127.0.0.1:{port}/api/runs", headers={"Authorization": "Bearer tok"}, timeout=60)
        assert answer.status_code == 200
    finally:
        for sock in held:
            sock.close()


def test_headers_not_finished_in_time_close_the_connection(server_with_few_files: Any) -> None:
    port = server_with_few_files(header_timeout=1.0)
    (sock,) = half_open(port, 1)
    idle = socket.create_connection(("127.0.0.1", port), timeout=30)  # sends nothing at all
    try:
        for each in (sock, idle):
            assert each.recv(1024) == b""  # closed by the server (the 30 s socket time-out is the hang guard)
        answer = httpx.get(f"http://127.0.0.1:{port}/api/runs", headers={"Authorization": "Bearer tok"}, timeout=60)
        assert answer.status_code == 200
    finally:
        sock.close()
        idle.close()


def test_a_websocket_text_frame_that_is_not_utf8_closes_cleanly(
    start_live: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from websockets.exceptions import ConnectionClosedError
    from websockets.sync.client import connect

    data = Collection(source="t")
    data.add(".", Embedding(np.random.default_rng(0).normal(size=(300, 10)).astype(np.float32), name="b"))
    base = start_live(data)
    job = httpx.post(
        f"{base}/api/runs/r0/embeddings/e0/projections", json={"method": "tsne", "params": {"n_iter": 10000}}
    )
    job_id = job.json()["id"]
    httpx.post(f"{base}/api/projections/{job_id}/pause")  # the stream stays open
    try:
        with (
            caplog.at_level(logging.INFO),
            connect(
                f"{base.replace('http://', 'ws://')}/api/projections/{job_id}/stream",
                origin=base,
                open_timeout=10,  # type: ignore[arg-type]
            ) as ws,
        ):
            ws.recv(timeout=10)  # the stream is open (its latest frame, or its status)
            ws.send(b"\xff\xfe not UTF-8", text=True)
            with pytest.raises(ConnectionClosedError) as closed:
                while True:
                    ws.recv(timeout=30)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007
        deadline = time.monotonic() + 10
        while not any("not UTF-8" in r.getMessage() for r in caplog.records) and time.monotonic() < deadline:
            time.sleep(0.05)
        lines = [r for r in caplog.records if "UTF-8" in r.getMessage()]
        assert len(lines) == 1 and lines[0].exc_info is None  # one line, no traceback
        assert not any(r.exc_info for r in caplog.records)
    finally:
        httpx.post(f"{base}/api/projections/{job_id}/cancel")
