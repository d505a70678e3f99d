"""Filters in headless Chromium, on the digits with three columns: `digit` (10 values: checkboxes with counts),
`ink` (each image's total ink: a range brushed over its histogram) and `name` (a text filter). The filters combine,
the page counts the matches, greys the others out (still drawn), selects or isolates the matches, and keeps the
filters in the URL. Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from page_helpers import drag_across, serving, shot, store

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# the alpha of each of these rows' colours in the points layer
ALPHA = """(rows) => {
  const layer = window.embedscope.view.deck.props.layers.find((l) => l && l.id === 'points');
  const colors = layer.props.data.attributes.getFillColor.value;
  return rows.map((i) => colors[i * 4 + 3]);
}"""


def digits_table() -> dict[str, Any]:
    from sklearn.datasets import load_digits

    d = load_digits()
    return {
        "vectors": d.data.astype(np.float32),
        "digit": d.target,
        "ink": d.data.sum(axis=1),
        "name": [f"img-{i:04d}-{t}" for i, t in enumerate(d.target)],
    }


def make_logdir(root: Path) -> Path:
    from embedscope import Embedding

    t = digits_table()
    emb = Embedding(t["vectors"], name="digits", metadata={k: t[k] for k in ("name", "digit", "ink")})
    return emb.save(root / "logdir")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(make_logdir, tmp_path_factory.mktemp("filters")) as url:
        yield url


def value_box(page: Any, column: str, value: str) -> Any:
    """The checkbox of one value in a value filter."""
    item = page.locator(f".filter[data-column='{column}'] li").filter(
        has=page.locator(".filter-value", has_text=re.compile(f"^{re.escape(value)}$"))
    )
    return item.locator("input")


def test_filters_combine_grey_out_the_rest_and_travel_in_the_url(page: Any, server: str) -> None:
    t = digits_table()
    digit, ink, name = t["digit"], t["ink"], t["name"]
    page.select_option("#add-filter", "digit")
    box = page.locator(".filter[data-column='digit']")
    assert box.locator("li").count() == 10
    counts = box.locator("li").evaluate_all("(els) => els.map((e) => e.innerText.replace(/\\s+/g, ' ').trim())")
    assert counts[0] == "3 183" and len(counts) == 10  # each value with its count, the commonest first
    box.locator("button", has_text="none").click()
    value_box(page, "digit", "3").check()
    page.wait_for_function("document.querySelector('#filter-count')?.textContent.startsWith('183 of 1,797')")
    inside, outside = int(np.flatnonzero(digit == 3)[0]), int(np.flatnonzero(digit != 3)[0])
    alpha_in, alpha_out = page.evaluate(ALPHA, [inside, outside])
    assert alpha_out < alpha_in  # greyed out: faded, still drawn
    assert store(page, "s.coords.data.every((v) => Number.isFinite(v))")  # nothing hidden

    # a range over the ink's histogram, brushed from 30% to 70% of its width
    page.select_option("#add-filter", "ink")
    drag_across(page, ".filter[data-column='ink'] svg", 0.3, 0.7)
    low, high = store(page, "[s.filters[1].min, s.filters[1].max]")
    span = ink.max() - ink.min()
    assert abs(low - (ink.min() + 0.3 * span)) < 0.02 * span and abs(high - (ink.min() + 0.7 * span)) < 0.02 * span
    want = int(((digit == 3) & (ink >= low) & (ink <= high)).sum())
    page.wait_for_function(f"document.querySelector('#filter-count')?.textContent.startsWith('{want} of')")

    # a text in the names
    page.select_option("#add-filter", "name")
    page.fill(".filter[data-column='name'] input", "img-01")
    want = int(sum(1 for i in range(len(name)) if digit[i] == 3 and low <= ink[i] <= high and "img-01" in name[i]))
    page.wait_for_function(f"document.querySelector('#filter-count')?.textContent.startsWith('{want} of')")
    shot(page, "filters.png")

    page.click("#select-matches")
    assert len(store(page, "s.selection")) == want
    assert page.locator("#selection-heading").inner_text() == "Points matching the filters"

    # the link keeps the filters: a new page opens with them
    page.wait_for_function("location.hash.includes('flt=')")
    page.goto(server.rstrip("/") + "/" + page.evaluate("location.hash"))
    page.wait_for_function("window.embedscope?.store.get().filters.length === 3", timeout=60_000)
    page.wait_for_function(f"document.querySelector('#filter-count')?.textContent.startsWith('{want} of')")
    # the link kept the selection too (it fades the rest as well); it comes back once the projection is drawn
    page.wait_for_function(f"window.embedscope.store.get().selection.length === {want}")
    page.click("#clear-filters")
    page.click("#clear-selection")
    page.wait_for_function(f"({ALPHA})([{outside}])[0] === {alpha_in}")  # every point in its colour again
    assert page.locator("#filter-count").count() == 0


def test_the_matches_can_be_isolated(page: Any) -> None:
    page.select_option("#add-filter", "digit")
    box = page.locator(".filter[data-column='digit']")
    box.locator("button", has_text="none").click()
    for value in ("0", "1"):
        value_box(page, "digit", value).check()
    page.wait_for_function("document.querySelector('#filter-count')?.textContent.startsWith('360 of')")
    page.click("#isolate-matches")
    page.wait_for_function("window.embedscope.store.get().isolated?.length === 360", timeout=60_000)
    assert "360" in page.locator("#point-count").inner_text()
