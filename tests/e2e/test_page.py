"""The projector page in real headless Chromium (WebGL2 on SwiftShader) against a real `embedscope serve`.

Drawing is checked on the pixels of the exported deck.gl canvas: where the page says a point is drawn, the canvas
holds non-background pixels, and an empty corner holds none. Screenshots of the main states go to /tmp/e2e/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from page_helpers import ARTIFACTS, INK, api, canvas_box, screen_positions

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_pca_draws_points_coloured_by_label(page: Any) -> None:
    assert "1,797 points" in page.locator("#point-count").inner_text()
    assert page.locator("#legend li").count() == 10
    assert "Variance shown" in page.locator("#pca-variance").inner_text()
    sample = list(range(0, 1797, 36))
    census = page.evaluate(INK, screen_positions(page, sample))
    assert census["total"] > 1797 * 5, census["total"]
    assert census["corner"] == 0
    drawn = sum(1 for ink in census["at"] if ink > 0)
    assert drawn == len(sample), f"only {drawn} of {len(sample)} sampled points have ink where they are drawn"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "pca-2d.png"))


def test_hover_shows_the_points_label(page: Any) -> None:
    box = canvas_box(page)
    [(x, y)] = screen_positions(page, [100])
    page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = page.locator("#tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert re.match(r"^\d\s*#\d+", tooltip.inner_text()), tooltip.inner_text()


def test_search_selects_the_matches(page: Any, server: str) -> None:
    expected = api(server, "api/runs/r0/embeddings/e0/search?q=7&column=label")["count"]
    page.fill("#search", "7")
    page.press("#search", "Enter")
    page.wait_for_function(
        "(n) => document.querySelector('#selection-count').textContent === `${n} points selected`", arg=expected
    )
    assert page.locator("#match-list li").count() == min(expected, 100)
    page.fill("#search", "no such label")
    page.press("#search", "Enter")
    page.wait_for_function("document.querySelector('#selection-count').textContent === 'No matches'")


def test_click_lists_the_servers_neighbours(page: Any, server: str) -> None:
    box = canvas_box(page)
    [(x, y)] = screen_positions(page, [250])
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.locator("#neighbor-list li").first.wait_for(timeout=15_000)
    focus = page.evaluate("window.embedscope.store.get().focus")
    assert focus is not None
    k = page.evaluate("window.embedscope.store.get().k")
    expected = api(server, "api/runs/r0/embeddings/e0/neighbors", {"query": focus, "k": k})["neighbors"]
    items = page.locator("#neighbor-list li").all_inner_texts()
    assert len(items) == len(expected) == k
    for text, neighbour in zip(items, expected, strict=True):
        # the digits' labels are numbers: each neighbour is listed by its row, then its label, "#123 (4)"
        assert text.split()[:2] == [f"#{neighbour['index']}", f"({neighbour['label']})"], text
        assert f"{neighbour['angle']:.1f}°" in text
    assert page.locator("#selection-count").inner_text() == f"{k + 1} points selected"
    page.screenshot(path=str(ARTIFACTS / "neighbours.png"))


def test_3d_draws_and_rotates(page: Any) -> None:
    page.click("#dims-3")
    page.wait_for_function("window.embedscope.store.get().coords.dims === 3", timeout=30_000)
    page.locator("#pca-z").wait_for()
    sample = list(range(0, 1797, 60))
    before = screen_positions(page, sample)
    census = page.evaluate(INK, before)
    assert census["total"] > 1797 * 3
    assert sum(1 for ink in census["at"] if ink > 0) >= 0.9 * len(sample)  # some may hide behind nearer ones
    box = canvas_box(page)
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 120, cy + 30, steps=8)
    page.mouse.up()
    after = screen_positions(page, sample)
    moved = sum(1 for a, b in zip(before, after, strict=True) if abs(a[0] - b[0]) + abs(a[1] - b[1]) > 2)
    assert moved > len(sample) / 2
    page.screenshot(path=str(ARTIFACTS / "pca-3d.png"))


def test_tsne_streams_iterations_and_moves_points(page: Any) -> None:
    page.click("#tab-tsne")
    page.fill("#tsne-iterations", "250")
    page.press("#tsne-iterations", "Tab")
    start = page.evaluate("window.embedscope.store.get().coords.version")
    page.click("#tsne-run")
    page.wait_for_function(
        "/Iteration [1-9]/.test(document.querySelector('#tsne-iteration')?.textContent ?? '')", timeout=120_000
    )
    seen = set()
    for _ in range(600):
        text = page.locator("#tsne-iteration").inner_text()
        seen.add(text)
        if "done" in text:
            break
        page.wait_for_timeout(200)
    assert "done" in text, text
    assert len(seen) >= 3, seen  # the count advanced while it ran
    frames = page.evaluate("window.embedscope.store.get().coords.version") - start
    assert frames >= 3, frames  # points moved with the streamed iterations
    census = page.evaluate(INK, screen_positions(page, list(range(0, 1797, 36))))
    assert all(ink > 0 for ink in census["at"])
    page.screenshot(path=str(ARTIFACTS / "tsne.png"))


def test_the_api_page_renders_offline(browser: Any, server: str) -> None:
    """/docs (Swagger UI) draws the API from files shipped with the page: no request leaves the server."""
    context = browser.new_context()
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(re.sub(r"^\w+://([^/:]+).*$", r"\1", request.url)))
    page.goto(f"{server}docs")
    page.locator(".swagger-ui .info .title").filter(has_text="embedscope").wait_for(timeout=30_000)
    assert page.locator(".opblock-summary-path").count() > 20  # every route listed
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
    context.close()
    assert hosts == {"127.0.0.1"}, hosts
