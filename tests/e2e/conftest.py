"""Fixtures of the end-to-end tests: a real `embedscope serve` on the digits demo and the system Chromium.

The tests skip (with the reason shown by `-ra`) when the page is not built (`npm run build` in frontend/),
when the Python package `playwright` is missing, or when there is no /usr/bin/chromium; `make setup` provides all three.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from embedscope.server.routes.static import web_dir

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path("/tmp/e2e")
URL_LINE = re.compile(r"embedscope is at (http://\S+)")


def _needs() -> str | None:
    if web_dir() is None:
        return "the page is not built: run `npm ci && npm run build` in frontend/ (or `make setup`)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: apt-get install -y chromium (or `make setup`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is missing: pip install playwright (or `make setup`)"
    return None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of `embedscope serve` on the digits demo saved as a log dir."""
    reason = _needs()
    if reason:
        pytest.skip(reason)
    from embedscope.demo import digits

    root = tmp_path_factory.mktemp("e2e")
    logdir = digits().save(root / "logdir")
    command = [sys.executable, "-m", "embedscope", "serve", str(logdir), "--port", "0", "--no-warm-up"]
    command += ["--state-dir", str(root / "state")]
    env = {**os.environ, "EMBEDSCOPE_CACHE_DIR": str(root / "cache")}  # a cold cache: t-SNE really runs
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1, env=env)
    lines: list[str] = []
    found = threading.Event()
    url: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            match = URL_LINE.search(line)
            if match and not url:
                url.append(match.group(1))
                found.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not found.wait(60):
            pytest.fail("embedscope serve printed no URL:\n" + "".join(lines))
        yield url[0]
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: object, server: str) -> Iterator[object]:
    """A fresh page on the served app, the first projection drawn; page errors fail the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 860})  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server)
    page.wait_for_function(
        "window.embedscope && (s => s.coords !== null && s.busy === null && s.job?.state === 'done')"
        "(window.embedscope.store.get())",
        timeout=30_000,
    )
    yield page
    context.close()
    assert not errors, f"errors in the page: {errors}"
