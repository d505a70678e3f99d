"""Starting the server: several paths as runs, free ports, the URL, and real uvicorn runs (in a thread, and the CLI)."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa
import pytest

from embedscope.embedding import Embedding
from embedscope.server.launch import bind, collect, make_server, url_for
from embedscope.server.state import ServerSettings


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    np.save(tmp_path / "alpha.npy", np.arange(12, dtype=np.float32).reshape(4, 3) + 1)
    (tmp_path / "other").mkdir()
    np.save(tmp_path / "other" / "alpha.npy", np.ones((2, 3), dtype=np.float32))
    meta = pa.table({"label": ["a", "b", "c", "d", "e"]})
    emb = Embedding(np.eye(5, 4, dtype=np.float32) + 0.5, name="words", metadata=meta)
    emb.save(tmp_path / "logs" / "train", format="tensorboard")
    emb.save(tmp_path / "logs" / "eval", format="tensorboard")
    return {"alpha": tmp_path / "alpha.npy", "alpha2": tmp_path / "other" / "alpha.npy", "logs": tmp_path / "logs"}


def test_one_path_is_served_as_it_reads(files) -> None:
    collection = collect([files["alpha"]])
    assert list(collection.runs) == ["."]


def test_several_paths_become_runs(files) -> None:
    collection = collect([files["alpha"], files["logs"], files["alpha2"]])
    assert list(collection.runs) == ["alpha", "eval", "train", "alpha-2"]
    assert collection.runs["alpha"]["alpha"].shape == (4, 3)
    assert collection.runs["alpha-2"]["alpha"].shape == (2, 3)
    assert collection.runs["train"]["words"].labels == ["a", "b", "c", "d", "e"]


def test_clashing_log_dir_runs_take_the_folder_name(files) -> None:
    collection = collect([files["logs"], files["logs"]])
    assert list(collection.runs) == ["eval", "train", "logs/eval", "logs/train"]


def test_port_zero_and_a_busy_port_take_a_free_one(caplog) -> None:
    first = bind("127.0.0.1", 0)
    try:
        port = first.getsockname()[1]
        assert port > 0
        with caplog.at_level(logging.WARNING, logger="embedscope.server.launch"):
            second = bind("127.0.0.1", port)
        try:
            assert second.getsockname()[1] not in (0, port)
        finally:
            second.close()
        assert f"port {port} is in use" in caplog.text
    finally:
        first.close()


def test_url_for() -> None:
    assert url_for("127.0.0.1", 8000, None) == "http://127.0.0.1:8000/"
    assert url_for("::1", 8000, "a b") == "http://[::1]:8000/?token=a%20b"
    assert url_for("0.0.0.0", 9, "t") == f"http://{socket.gethostname()}:9/?token=t"


def test_a_real_uvicorn_on_port_zero(files, tmp_path: Path) -> None:
    settings = ServerSettings(port=0, state_dir=tmp_path / "state", cache_dir=tmp_path / "cache")
    server, sock, url = make_server(collect([files["alpha"], files["logs"]]), settings)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url) and settings.port == sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        with httpx.Client(base_url=url, timeout=30) as http:
            runs = http.get("/api/runs").json()["runs"]
            assert [r["name"] for r in runs] == ["alpha", "eval", "train"]
            near = http.post("/api/runs/r2/embeddings/e0/neighbors", json={"query": "a", "k": 2})
            assert near.status_code == 200 and len(near.json()["neighbors"]) == 2
            assert http.put("/api/bookmarks/b", json={"state": {"x": 1}}).status_code == 200
            assert http.get("/api/nope").json()["error"]["kind"] == "not_found"
            page = http.get("/").text  # the built app, or the placeholder before the front end is built
            assert '<div id="app">' in page or "later release" in page
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
    assert not thread.is_alive()


def _start_cli(args: list[str], tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "EMBEDSCOPE_CACHE_DIR": str(tmp_path / "cache"), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "embedscope", "serve", *args, "--port", "0", "--no-warm-up"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"(http://\S+)", line)
    if match is None:
        proc.kill()
        raise AssertionError(f"no URL printed: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, match.group(1)


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_cli_serve_prints_the_url_and_serves(files, tmp_path: Path) -> None:
    proc, url = _start_cli([str(files["alpha"]), "--state-dir", str(tmp_path / "state")], tmp_path)
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
        with httpx.Client(timeout=30) as http:
            body = http.get(url + "api/runs").json()
        assert body["runs"][0]["embeddings"][0]["shape"] == [4, 3]
    finally:
        _stop(proc)


def test_cli_serve_on_all_addresses_needs_the_printed_token(files, tmp_path: Path) -> None:
    proc, url = _start_cli([str(files["alpha"]), "--host", "0.0.0.0"], tmp_path)
    try:
        token = re.search(r"\?token=([\w-]+)", url)
        assert token is not None
        port = re.search(r":(\d+)/", url)
        assert port is not None
        local = f"http://127.0.0.1:{port.group(1)}"
        with httpx.Client(timeout=30) as http:
            assert http.get(f"{local}/api/runs").status_code == 401
            assert http.get(f"{local}/api/runs", params={"token": token.group(1)}).status_code == 200
    finally:
        _stop(proc)


def test_cli_serve_reports_unreadable_paths(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "embedscope", "serve", str(tmp_path / "missing.npy"), "--no-warm-up"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
