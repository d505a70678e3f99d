"""Raw texts served and searched by meaning, in headless Chromium: `embedscope serve verses.csv --text-column text`
embeds King James verses with the real MiniLM (cached), the tooltip shows a verse's text; the search box's "Meaning"
mode embeds a free text with the same model and selects and lists the nearest verses with their angles, as the API
answers. Screenshot: /tmp/e2e/meaning.png.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

import pytest
from page_helpers import Served, api, missing, screen_positions, shot, store, wait_done

from kjv import needs_bible, verses

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser"), needs_bible]
pytest.importorskip("sentence_transformers", reason="the embed extra: pip install 'embedscope[embed]'")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = missing()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("meaning")
    books, texts = verses({"Ge", "Mat"})
    path = root / "verses.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["book", "text"])
        out.writerows(zip(books[:200] + books[-200:], texts[:200] + texts[-200:], strict=True))
    app = Served(path, root, extra=("--text-column", "text"))
    try:
        yield app.start(timeout=180)
    finally:
        app.stop()


def test_a_csv_of_texts_is_served_and_searched_by_meaning(page: Any, server: str) -> None:
    wait_done(page)
    info = store(page, "s.embedding")
    assert info["shape"] == [400, 384] and info["label_column"] == "text"

    x, y = screen_positions(page, [0])[0]
    box = page.locator("#scatter canvas").bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.locator(".tooltip").wait_for(timeout=10_000)
    assert "In the beginning God created the heaven and the earth." in page.locator(".tooltip").inner_text()
    assert "long" in page.locator(".tooltip").get_attribute("class")  # a verse wraps over lines, not cut
    head = page.locator(".tooltip-head").bounding_box()
    assert head["height"] > 25
    shot(page, "meaning-tooltip.png")

    page.click("#search-meaning")
    page.fill("#search", "the serpent deceived the woman")
    page.press("#search", "Enter")
    page.wait_for_function("window.embedscope.store.get().selectionSource === 'meaning'", timeout=30_000)
    k = store(page, "s.k")
    expected = api(server, "api/runs/r0/embeddings/e0/meaning", {"text": "the serpent deceived the woman", "k": k})
    assert expected["how"] == "model" and expected["model"] == "all-MiniLM-L6-v2"
    assert store(page, "s.selection") == [n["index"] for n in expected["neighbors"]]
    first = page.locator("#meaning-list li").first.inner_text()
    assert "serpent" in first.lower() and "°" in first
    assert "all-MiniLM-L6-v2" in page.locator("#meaning-how").inner_text()
    shot(page, "meaning.png")
