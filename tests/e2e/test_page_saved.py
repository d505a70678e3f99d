"""A view saved as one HTML file, opened from disk in headless Chromium with no server: UMAP of the digits with
cluster labels and a filter on, saved from "Figure…" > HTML; the file opens on the same view (points, labels,
filter, colours), fetches nothing, and hover, search and select work. The file is /tmp/e2e/saved-digits.html.
"""

from __future__ import annotations

from typing import Any

import pytest
from page_helpers import ARTIFACTS, canvas_box, screen_positions, shot, store, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def save_html(page: Any) -> tuple[bytes, str]:
    page.click("#save-figure")
    page.click("#figure-html")
    page.fill("#figure-title", "Digits map")
    with page.expect_download() as download:
        page.click("#figure-save")
    path = ARTIFACTS / "saved-digits.html"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    download.value.save_as(path)
    page.wait_for_function("document.querySelector('#figure-note')?.textContent.startsWith('Saved')")
    return path.read_bytes(), page.locator("#figure-note").inner_text()


def test_a_view_saved_as_html_works_from_disk(page: Any, browser: Any) -> None:
    page.click("#tab-umap")
    page.click("#umap-run")
    wait_done(page, 120_000)
    page.check("#clusters-on")
    page.locator("#cluster-labels .cluster-label").first.wait_for(timeout=60_000)
    page.select_option("#add-filter", "label")
    box = page.locator(".filter[data-column='label']")
    box.locator("button", has_text="none").click()
    for value in ("0", "6"):
        box.locator("li").filter(has=page.locator(".filter-value", has_text=value)).locator("input").check()
    page.wait_for_function("document.querySelector('#filter-count')?.textContent.startsWith('359 of')")
    page.wait_for_function("location.hash.includes('flt=') && location.hash.includes('cl=')")
    labels = sorted(page.locator("#cluster-labels .cluster-label").all_inner_texts())
    data, note = save_html(page)
    size = len(data)
    assert note == f"Saved Digits_map.html: 1,797 points, {size / 1e6:.1f} MB."
    assert size < 2_500_000  # the page's script (~1.2 MB) and 1,797 points with their labels

    context = browser.new_context(viewport={"width": 1400, "height": 860})
    opened = context.new_page()
    errors: list[str] = []
    fetched: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    opened.on("request", lambda r: fetched.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None)
    try:
        opened.goto((ARTIFACTS / "saved-digits.html").as_uri())
        wait_done(opened, 60_000)
        assert store(opened, "[s.coords.n, s.job.method, s.embedding.shape[0]]") == [1797, "umap", 1797]
        assert opened.title() == "Digits map"
        opened.wait_for_function("document.querySelector('#filter-count')?.textContent.startsWith('359 of')")
        opened.locator("#cluster-labels .cluster-label").first.wait_for(timeout=30_000)
        assert sorted(opened.locator("#cluster-labels .cluster-label").all_inner_texts()) == labels
        assert "a saved map" in opened.locator(".source").inner_text()
        shot(opened, "saved-digits.png")
        # hover: a point's tooltip
        i = 100
        [(x, y)] = screen_positions(opened, [i])
        b = canvas_box(opened)
        opened.mouse.move(b["x"] + x, b["y"] + y)
        opened.locator("#tooltip").wait_for(timeout=10_000)
        assert opened.locator("#tooltip").get_attribute("data-index") is not None
        # search and select, from the file's columns
        opened.fill("#search", "7")
        opened.press("#search", "Enter")
        opened.wait_for_function("window.embedscope.store.get().selection.length === 179")
        assert "179 points selected" in opened.locator("#selection-count").inner_text()
        opened.locator("#cluster-labels .cluster-label").first.click()  # a cluster label selects its points
        opened.wait_for_function("window.embedscope.store.get().selectionSource === 'cluster'")
    finally:
        context.close()
    assert fetched == [], fetched  # nothing from a network: the file is the whole page
    assert errors == [], errors
