"""The screenshots of readable maps for docs/projector.md (make_screenshots.py takes them with the others):
MiniLM's tokens with their clusters named and as a density map, filters on the King James Bible's words, and the
Figure… dialog, and tags of a selection. Run them alone with `.venv/bin/python docs/make_screenshots.py clusters filters
figure edits`.
"""

from __future__ import annotations

from typing import Any

from make_screenshots import away, choose_method, set_number
from page_helpers import drag_across


def shot_clusters(s: Any) -> None:
    """MiniLM's 30,522 tokens in UMAP with their clusters named (the typical members of each), then zoomed into one
    group, where its parts are named; and the same map as a density map."""
    with s.page() as page:
        s.open(page, "minilm-tokens")
        choose_method(page, "umap", run=True)
        page.check("#clusters-on")
        page.locator("#cluster-labels .cluster-label").first.wait_for(timeout=120_000)
        page.locator("#cluster-summary").scroll_into_view_if_needed()
        away(page)
        s.save(page, "clusters")
        page.uncheck("#clusters-on")
        set_number(page, "#density-from", "20000")
        page.wait_for_function("window.embedscope.view.densityShown === true")
        page.locator("#density").scroll_into_view_if_needed()
        away(page)
        s.save(page, "density")


def shot_filters(s: Any) -> None:
    """The King James Bible's words: a range of frequencies brushed over their histogram and a text filter; the
    words outside are greyed out."""
    with s.page() as page:
        s.open(page, "kjv-word2vec")
        page.select_option("#add-filter", "Frequency")
        drag_across(page, ".filter[data-column='Frequency'] svg", 0.02, 0.3)
        page.select_option("#add-filter", "Word")
        page.fill(".filter[data-column='Word'] input", "eth")
        page.locator("#filter-count").wait_for()
        away(page)
        s.save(page, "filters")


def shot_figure(s: Any) -> None:
    """The "Figure…" dialog over a UMAP of the digits with its clusters named."""
    with s.page() as page:
        choose_method(page, "umap", run=True)
        page.check("#clusters-on")
        page.locator("#cluster-labels .cluster-label").first.wait_for(timeout=60_000)
        page.click("#save-figure")
        page.fill("#figure-title", "Handwritten digits (UMAP)")
        page.click("#figure-png")
        away(page)
        s.save(page, "figure-dialog")


def shot_edits(s: Any) -> None:
    """The digits: a box of points tagged "picked" in a new column ("Edit by" / "Tag selection as"), coloured by it;
    the tag is undone after (the demo's other shots show the digits as they are)."""
    with s.page() as page:
        box = page.locator("#scatter canvas").bounding_box()
        page.keyboard.down("Shift")
        page.mouse.move(box["x"] + 0.35 * box["width"], box["y"] + 0.35 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + 0.6 * box["width"], box["y"] + 0.6 * box["height"], steps=6)
        page.mouse.up()
        page.keyboard.up("Shift")
        page.fill("#edit-new-column", "mark")
        page.fill("#edit-value", "picked")
        page.press("#edit-value", "Enter")
        page.wait_for_function("window.embedscope.store.get().edits?.length === 1")
        page.select_option("#color-by", "cat:mark")
        page.wait_for_function("window.embedscope.store.get().columns.mark?.includes('picked')")
        away(page)
        s.save(page, "edits")
        page.click("#edit-undo")
        page.wait_for_function("window.embedscope.store.get().edits?.length === 0")


SHOTS = {"clusters": shot_clusters, "filters": shot_filters, "figure": shot_figure, "edits": shot_edits}
