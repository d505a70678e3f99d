"""The compact layout in headless Chromium: in a frame under 900 px wide, or with `embed=1` in the query or the hash
(the notebook widget), the plot keeps most of a 700 x 600 cell and the projection controls fit beside it: tabs choose
the one panel shown, and clicking the shown one's tab hides it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from page_helpers import shot, store, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@contextmanager
def opened(browser: Any, url: str, width: int, height: int) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(url)
        wait_done(page)
        yield page
    finally:
        context.close()
    assert errors == []


def in_view(page: Any, selector: str, width: int, height: int) -> bool:
    box = page.locator(selector).bounding_box()
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width
        and (box["y"] + box["height"] <= height)
    )


def test_a_700x600_frame_gives_the_plot_most_of_the_room_and_the_run_button_in_view(browser: Any, server: str) -> None:
    with opened(browser, server, 700, 600) as page:
        assert page.locator(".app.compact").count() == 1
        canvas = page.locator("#scatter canvas").bounding_box()
        assert canvas is not None
        assert canvas["width"] * canvas["height"] >= 0.6 * 700 * 600, canvas
        assert page.locator("#search").is_visible()  # the inspector first: search and the selection
        page.click("#pane-projection")
        page.click("#tab-tsne")
        page.locator("#tsne-run").wait_for()
        assert in_view(page, "#tsne-run", 700, 600)
        assert page.evaluate("document.scrollingElement.scrollTop") == 0
        assert page.evaluate("document.querySelector('#pane').scrollTop") == 0
        shot(page, "compact-700x600.png")
        # another panel by its tab; the shown one's tab hides it and the plot takes the width
        page.click("#pane-data")
        page.locator("#embedding-select").wait_for()
        assert page.locator("#tsne-run").count() == 0
        page.click("#pane-data")
        page.locator("#pane").wait_for(state="detached")
        page.wait_for_timeout(300)
        wide = page.locator("#scatter canvas").bounding_box()
        assert wide is not None and wide["width"] > canvas["width"] + 150


@pytest.mark.parametrize("where", ["?embed=1", "#embed=1"])
def test_embed_1_asks_for_the_compact_layout_at_any_width(browser: Any, server: str, where: str) -> None:
    with opened(browser, f"{server.rstrip('/')}/{where}", 1200, 600) as page:
        assert page.locator(".app.compact").count() == 1
        assert page.locator(".topbar").count() == 0
        page.click("#pane-projection")
        page.click("#dims-3")  # a change the URL records
        wait_done(page)
        page.wait_for_function("location.hash.includes('dims=3')")
        assert "embed=1" in page.evaluate("location.search + location.hash")  # a reload stays compact
        if where.startswith("#"):
            page.reload()
            wait_done(page)
            assert page.locator(".app.compact").count() == 1
            assert store(page, "s.projection.dims") == 3


def test_a_wide_window_keeps_the_three_columns(page: Any) -> None:
    assert page.locator(".app.compact").count() == 0
    assert page.locator(".topbar").count() == 1 and page.locator(".inspector").count() == 1
