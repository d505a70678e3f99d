"""The scatter view's drawing and controls in real headless Chromium: sprites, labels, box selection, colour by a
numeric column, the theme toggle with Save PNG, and axis labels. Drawing is checked on the exported canvas's pixels.
Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from page_helpers import ARTIFACTS, INK, api, canvas_box, pixel_script, screen_positions

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

N = 1797

# Counts of opaque near-white pixels and of ink pixels in the exported canvas, and the colour at some points.
CENSUS = pixel_script(
    """
  const { data, width, scale } = await pixels();
  let white = 0;
  let ink = 0;
  for (let o = 0; o < data.length; o += 4) {
    if (data[o + 3] < 200) continue;
    if (data[o] + data[o + 1] + data[o + 2] > 3 * 235) white += 1;
    else ink += 1;
  }
  const colors = points.map(([x, y]) => {
    const o = (Math.round(y * scale) * width + Math.round(x * scale)) * 4;
    return [data[o], data[o + 1], data[o + 2], data[o + 3]];
  });
  return { white, ink, colors };""",
    "points",
)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def settle(page: Any) -> None:
    """Wait for the labels chosen on the next animation frames."""
    page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))")


def test_sprites_draw_as_thumbnails(page: Any, server: str) -> None:
    info = api(server, "api/runs/r0/embeddings/e0/sprite")
    assert info["single_image_dim"] == [8, 8]
    before = page.evaluate(CENSUS, [])
    page.check("#show-sprites")
    page.wait_for_function("window.embedscope.store.get().showSprites === true")
    # the atlas loads asynchronously: wait until the thumbnails' white paper shows on the canvas
    for _ in range(50):
        after = page.evaluate(CENSUS, [])
        if after["white"] > before["white"] + 20_000:
            break
        page.wait_for_timeout(200)
    assert after["white"] > before["white"] + 20_000, (before, after)
    assert after["ink"] > 0.5 * before["ink"]  # the digits' ink is drawn too
    shot(page, "sprites.png")
    page.uncheck("#show-sprites")
    # the dots come back once the page has redrawn: a frame or two, more on a busy machine (CI ran it at load 4)
    for _ in range(50):
        settle(page)
        off = page.evaluate(CENSUS, [])
        if off["white"] < before["white"] + 5_000:
            break
        page.wait_for_timeout(200)
    assert off["white"] < before["white"] + 5_000


def test_labels_for_hovered_clicked_and_others_without_overlap(page: Any) -> None:
    settle(page)
    labelled = page.evaluate("window.embedscope.view.labelled")
    assert len(labelled) >= 15, len(labelled)  # many labels fit on the 2-D digits plot
    box = canvas_box(page)
    [(x, y)] = screen_positions(page, [700])
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.locator("#neighbor-list li").first.wait_for(timeout=15_000)
    focus = page.evaluate("window.embedscope.store.get().focus")
    settle(page)
    labelled = page.evaluate("window.embedscope.view.labelled")
    assert focus in labelled[:2]  # the clicked point's label is drawn first (with the hovered one's)
    neighbours = page.evaluate("window.embedscope.store.get().neighbors.map((n) => n.index)")
    assert set(labelled) & set(neighbours), "no neighbour is labelled"
    # every neighbour is labelled (the neighbour count's worth), and no two labels overlap
    assert set(neighbours) <= set(labelled)
    boxes = [p["box"] for p in page.evaluate("window.embedscope.view.labelBoxes")]
    box_width, box_height = box["width"], box["height"]
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            p, q = boxes[a], boxes[b]
            overlap = p[0] < q[2] - 1 and q[0] < p[2] - 1 and p[1] < q[3] - 1 and q[1] < p[3] - 1
            assert not overlap or b < 2 + len(neighbours), (labelled[a], labelled[b], p, q)  # forced ones may
    # inside the plot: none is cut off at an edge
    assert all(b[0] >= 0 and b[1] >= 0 and b[2] <= box_width and b[3] <= box_height for b in boxes)
    # the labels are drawn where they are placed: ink in their boxes
    census = page.evaluate(INK, [[bx[0] + 4, (bx[1] + bx[3]) / 2] for bx in boxes[:10]])
    assert sum(1 for ink in census["at"] if ink > 0) >= 8
    shot(page, "labels.png")


def _inside(page: Any, left: float, top: float, right: float, bottom: float) -> set[int]:
    positions = screen_positions(page, list(range(N)))
    return {i for i, (x, y) in enumerate(positions) if left <= x <= right and top <= y <= bottom}


def _drag(page: Any, x0: float, y0: float, x1: float, y1: float, modifier: str | None = None) -> None:
    box = canvas_box(page)
    if modifier:
        page.keyboard.down(modifier)
    page.mouse.move(box["x"] + x0, box["y"] + y0)
    page.mouse.down()
    page.mouse.move(box["x"] + x1, box["y"] + y1, steps=6)
    page.mouse.up()
    if modifier:
        page.keyboard.up(modifier)


def test_box_selection_adds_and_removes(page: Any) -> None:
    box = canvas_box(page)
    w, h = box["width"], box["height"]
    a = (w * 0.30, h * 0.30, w * 0.55, h * 0.60)
    expected = _inside(page, *a)
    assert 20 < len(expected) < N
    _drag(page, *a, modifier="Shift")
    page.wait_for_function("window.embedscope.store.get().selection.length > 0")
    assert set(page.evaluate("window.embedscope.store.get().selection")) == expected
    assert page.locator("#selection-count").inner_text() == f"{len(expected)} points selected"

    b = (w * 0.50, h * 0.45, w * 0.75, h * 0.75)
    second = _inside(page, *b)
    _drag(page, *b, modifier="Shift")
    page.wait_for_function("(n) => window.embedscope.store.get().selection.length === n", arg=len(expected | second))
    assert set(page.evaluate("window.embedscope.store.get().selection")) == expected | second

    c = (w * 0.40, h * 0.40, w * 0.60, h * 0.65)
    removed = _inside(page, *c)
    _drag(page, *c, modifier="Alt")
    left = (expected | second) - removed
    page.wait_for_function("(n) => window.embedscope.store.get().selection.length === n", arg=len(left))
    assert set(page.evaluate("window.embedscope.store.get().selection")) == left
    shot(page, "box-select.png")

    # a plain drag pans and leaves the selection alone; in box mode a plain drag replaces it
    before = screen_positions(page, [0])[0]
    _drag(page, w * 0.5, h * 0.5, w * 0.5 + 60, h * 0.5 + 20)
    after = screen_positions(page, [0])[0]
    assert after[0] - before[0] > 30  # (the pan starts after a few pixels of movement)
    assert set(page.evaluate("window.embedscope.store.get().selection")) == left
    page.click("#box-select")
    d = (w * 0.2, h * 0.2, w * 0.5, h * 0.5)
    fresh = _inside(page, *d)
    _drag(page, *d)
    page.wait_for_function("(n) => window.embedscope.store.get().selection.length === n", arg=len(fresh))
    assert set(page.evaluate("window.embedscope.store.get().selection")) == fresh


def test_colour_by_a_numeric_column_uses_a_continuous_scale(page: Any) -> None:
    column = page.evaluate("window.embedscope.store.get().embedding.columns.find((c) => c.type === 'numeric').name")
    page.select_option("#color-by", f"num:{column}")
    page.locator("#numeric-legend").wait_for()
    assert page.locator("#legend").count() == 0
    ticks = page.locator("#numeric-legend .scale-ticks").inner_text().split()
    assert ticks == ["0", "4.5", "9"]
    digits = page.evaluate("(c) => window.embedscope.store.get().columns[c]", column)
    nines = [i for i, d in enumerate(digits) if d == 9][:40]
    zeros = [i for i, d in enumerate(digits) if d == 0][:40]
    census = page.evaluate(CENSUS, screen_positions(page, nines + zeros))
    colours = census["colors"]
    yellow = sum(1 for r, g, b, a in colours[: len(nines)] if a > 100 and r > 120 and g > 150 and b < 140)
    purple = sum(1 for r, g, b, a in colours[len(nines) :] if a > 100 and b > r and g < 110)
    assert yellow > len(nines) / 2, colours[: len(nines)]
    assert purple > len(zeros) / 2, colours[len(nines) :]
    shot(page, "color-numeric.png")


def test_theme_toggle_and_save_png(page: Any, tmp_path: Path) -> None:
    from PIL import Image

    page.evaluate("window.embedscope.store.set({ theme: 'light' })")
    page.click("#theme-toggle")
    page.wait_for_function("document.documentElement.dataset.theme === 'dark'")
    panel = page.evaluate("getComputedStyle(document.querySelector('.scatter')).backgroundColor")
    assert panel == "rgb(23, 27, 35)"
    shot(page, "dark.png")
    with page.expect_download() as download:
        page.click("#save-png")
    path = tmp_path / "view.png"
    download.value.save_as(path)
    image = Image.open(io.BytesIO(path.read_bytes())).convert("RGB")
    box = canvas_box(page)
    assert abs(image.width - box["width"]) <= 2 or image.width >= box["width"]
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None
    _count, background = max(colours)
    assert background == (23, 27, 35)  # the dark panel, not a transparent or inverted canvas
    assert len(colours) > 50  # and the points drawn on it
    page.click("#theme-toggle")
    page.wait_for_function("document.documentElement.dataset.theme === 'light'")


def test_axis_labels_drawn_for_custom_projections(page: Any) -> None:
    assert page.locator("#axis-x").count() == 0
    page.evaluate("window.embedscope.store.set({ axisLabels: { x: 'small ← → large', y: 'round ← → straight' } })")
    page.locator("#axis-x").wait_for()
    assert page.locator("#axis-x").inner_text() == "small ← → large"
    assert page.locator("#axis-y").inner_text() == "round ← → straight"
    canvas = canvas_box(page)
    x = page.locator("#axis-x").bounding_box()
    y = page.locator("#axis-y").bounding_box()
    assert x is not None and y is not None
    assert x["y"] > canvas["y"] + canvas["height"] * 0.85  # along the bottom
    assert y["x"] < canvas["x"] + canvas["width"] * 0.1 and y["height"] > y["width"]  # up the left side, rotated
    shot(page, "axes.png")
    page.evaluate("window.embedscope.store.set({ axisLabels: null })")
    page.locator("#axis-x").wait_for(state="detached")
