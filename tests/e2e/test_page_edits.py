"""Tags on the page, in headless Chromium, on the digits: a box-selected set of points tagged in a new column ("Edit
by" / "Tag selection as"), coloured by it (legend and point colours), found by search, kept by the server across a
reload, downloaded as TSV and Parquet with the tag, undone; a number column refuses text. Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

import io
from typing import Any

import pyarrow.parquet as pq
import pytest
from page_helpers import canvas_box, screen_positions, shot, store, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

N = 1797
# the RGB of each of these rows' colours in the points layer
RGB = """(rows) => {
  const layer = window.embedscope.view.deck.props.layers.find((l) => l && l.id === 'points');
  const colors = layer.props.data.attributes.getFillColor.value;
  return rows.map((i) => [colors[i * 4], colors[i * 4 + 1], colors[i * 4 + 2]].join(','));
}"""


def box_select(page: Any, left: float, top: float, right: float, bottom: float) -> set[int]:
    """Shift-drag a box over the plot (fractions of its size); the rows inside it."""
    box = canvas_box(page)
    x0, y0, x1, y1 = left * box["width"], top * box["height"], right * box["width"], bottom * box["height"]
    inside = {i for i, (x, y) in enumerate(screen_positions(page, list(range(N)))) if x0 <= x <= x1 and y0 <= y <= y1}
    page.keyboard.down("Shift")
    page.mouse.move(box["x"] + x0, box["y"] + y0)
    page.mouse.down()
    page.mouse.move(box["x"] + x1, box["y"] + y1, steps=6)
    page.mouse.up()
    page.keyboard.up("Shift")
    page.wait_for_function("(n) => window.embedscope.store.get().selection.length === n", arg=len(inside))
    return inside


def download(page: Any, selector: str) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    path = info.value.path()
    with open(path, "rb") as fh:
        return fh.read()


def test_tag_the_selection_colour_search_download_and_undo(page: Any) -> None:
    assert page.locator("#edit-tag").is_disabled()
    assert page.locator("#edit-reason").inner_text() == "Select points to tag them."
    chosen = box_select(page, 0.35, 0.35, 0.6, 0.6)
    assert 20 < len(chosen) < N
    page.fill("#edit-new-column", "mark")
    page.fill("#edit-value", "picked")
    assert page.locator("#edit-tag").inner_text() == f"Tag {len(chosen)}"
    page.press("#edit-value", "Enter")
    page.wait_for_function("window.embedscope.store.get().edits?.length === 1")
    assert page.locator("#edit-message").inner_text() == f"Tagged {len(chosen)} points “picked” in mark."

    # colour by the new column: the legend counts it, the tagged points share one colour the others lack
    page.select_option("#color-by", "cat:mark")
    page.wait_for_function("window.embedscope.store.get().columns.mark?.includes('picked')")
    legend = page.locator("#legend").inner_text()
    assert "picked" in legend and f"{len(chosen)}" in legend
    inside, outside = min(chosen), next(i for i in range(N) if i not in chosen)
    page.wait_for_function(f"(() => {{ const c = ({RGB})([{inside}, {outside}]); return c[0] !== c[1]; }})()")
    colours = page.evaluate(RGB, sorted(chosen))
    assert len(set(colours)) == 1
    shot(page, "edits.png")

    # search finds the tagged value in that column
    page.select_option("#search-column", "mark")
    page.fill("#search", "picked")
    page.press("#search", "Enter")
    page.wait_for_function(
        "(n) => { const s = window.embedscope.store.get(); return s.selectionSource === 'search' "
        "&& s.selection.length === n; }",
        arg=len(chosen),
    )
    assert set(store(page, "s.selection")) == chosen

    # the downloads hold the tag: TSV (a header: several columns) and Parquet
    tsv = download(page, "#download-tsv").decode("utf-8").split("\n")
    assert tsv[0] == "label\tmark" and len(tsv) == N + 2
    assert sum(1 for line in tsv[1:] if line.endswith("\tpicked")) == len(chosen)
    table = pq.read_table(io.BytesIO(download(page, "#download-parquet")))
    assert table.column("mark").to_pylist().count("picked") == len(chosen)

    # the server kept it: a new page lists it, and can undo it
    page.reload()
    page.wait_for_function("window.embedscope?.store.get().edits?.length === 1", timeout=60_000)
    wait_done(page)
    assert "picked" in page.locator("#edit-undo").get_attribute("title")
    page.click("#edit-undo")
    page.wait_for_function("window.embedscope.store.get().edits?.length === 0")
    assert "mark" not in store(page, "s.embedding.columns.map((c) => c.name)")
    assert page.locator("#edit-undo").is_disabled()


def test_a_number_column_refuses_text(page: Any) -> None:
    box_select(page, 0.4, 0.4, 0.55, 0.55)
    page.select_option("#edit-column", "label")  # the digits, as numbers
    assert page.locator("#edit-new-column").count() == 0
    page.fill("#edit-value", "many")
    page.click("#edit-tag")
    message = page.locator("#edit-message")
    message.wait_for()
    assert "is not a number" in message.inner_text() and "new column" in message.inner_text()
    assert store(page, "s.edits.length") == 0
