"""Fixtures of the end-to-end tests: a real `embedscope serve` on the digits demo and the system Chromium.

The tests skip (with the reason shown by `-ra`) when the page is not built (`npm run build` in frontend/),
when the Python package `playwright` is missing, or when there is no /usr/bin/chromium; `make setup` provides all three.
A module serving other data overrides `server` with `page_helpers.serving(...)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from page_helpers import chromium, fresh_page, serving


def _digits(root: Path) -> Path:
    from embedscope.demo import digits

    return digits().save(root / "logdir")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of `embedscope serve` on the digits demo saved as a log dir."""
    with serving(_digits, tmp_path_factory.mktemp("e2e")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh page on the served app, the first projection drawn, its points drawn as dots (the digits open with
    their thumbnails; the tests of sprites turn them back on); page errors fail the test."""
    with fresh_page(browser, server) as (opened, errors):
        if opened.locator("#show-sprites").count() and opened.locator("#show-sprites").is_checked():
            opened.uncheck("#show-sprites")
            opened.wait_for_function("window.embedscope.store.get().showSprites === false")
        yield opened
    assert not errors, f"errors in the page: {errors}"
