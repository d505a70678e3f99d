"""Fixtures of the end-to-end tests: a real `embedscope serve` on the digits demo and the system Chromium.

The tests skip (with the reason shown by `-ra`) when the page is not built (`npm run build` in frontend/),
when the Python package `playwright` is missing, or when there is no /usr/bin/chromium; `make setup` provides all three.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from page_helpers import CHROMIUM, CHROMIUM_ARGS, Served

from embedscope.server.routes.static import web_dir


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
    served = Served(digits().save(root / "logdir"), root)
    try:
        try:
            url = served.start()
        except RuntimeError as exc:
            pytest.fail(str(exc))
        yield url
    finally:
        served.stop()


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
