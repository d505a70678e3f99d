"""The page's finish in real headless Chromium: label glyphs drawn whole, text fields that fit their panel, banners
that leave the plot's buttons free, selected thumbnails left visible, the tooltip's thumbnail and metadata, and the
bookmarks that come with a log dir. Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from page_helpers import api, canvas_box, fresh_page, pixel_script, screen_positions, serving, shot, store, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

N = 1797

# Dark pixels (label ink, not the light dimmed points) in a box right of a point at (x, y), CSS pixels.
LABEL_INK = pixel_script(
    """
  const { data, width, scale } = await pixels();
  const [x, y] = at;
  let dark = 0;
  for (let py = Math.round((y - 8) * scale); py <= Math.round((y + 8) * scale); py++) {
    for (let px = Math.round((x + 7) * scale); px <= Math.round((x + 90) * scale); px++) {
      const o = (py * width + px) * 4;
      if (data[o + 3] > 150 && data[o] + data[o + 1] + data[o + 2] < 3 * 110) dark += 1;
    }
  }
  return dark;""",
    "at",
)

# Pixels in a square of half-side r around (x, y) that are strongly coloured (max - min channel > 60), and the count
# of pixels in it, for a thumbnail (grey digits on white) and the frame around it (the point's colour).
COLOURED = pixel_script(
    """
  const { data, width, scale } = await pixels();
  const [x, y, r] = arg;
  let coloured = 0;
  let all = 0;
  for (let py = Math.round((y - r) * scale); py <= Math.round((y + r) * scale); py++) {
    for (let px = Math.round((x - r) * scale); px <= Math.round((x + r) * scale); px++) {
      const o = (py * width + px) * 4;
      all += 1;
      const c = [data[o], data[o + 1], data[o + 2]];
      if (data[o + 3] > 150 && Math.max(...c) - Math.min(...c) > 60) coloured += 1;
    }
  }
  return { coloured, all };"""
)


def settle(page: Any) -> None:
    page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))")


def _middle_point(page: Any) -> tuple[int, float, float]:
    """A point drawn near the middle of the canvas: its index and position."""
    box = canvas_box(page)
    positions = screen_positions(page, list(range(N)))
    cx, cy = box["width"] / 2, box["height"] / 2
    i = min(range(N), key=lambda j: (positions[j][0] - cx) ** 2 + (positions[j][1] - cy) ** 2)
    return i, positions[i][0], positions[i][1]


def test_thin_letters_of_labels_are_drawn(page: Any) -> None:
    """Labels of thin letters only ("illil") draw ink: the glyphs' stems are not lost when the font atlas is scaled."""
    i, x, y = _middle_point(page)
    page.evaluate(f"window.embedscope.store.set({{ selection: [{i}], selectionSource: null }})")
    settle(page)
    counts = {}
    for text in ("", "illil lilli"):
        page.evaluate(f"window.embedscope.view.setLabelText((j) => (j === {i} ? {json.dumps(text)} : ''))")
        settle(page)
        page.wait_for_function(f"window.embedscope.view.labelled.includes({i})")
        counts[text] = page.evaluate(LABEL_INK, [x, y])
    assert counts["illil lilli"] - counts[""] >= 40, counts
    shot(page, "polish-thin-label.png")


def test_custom_axes_fields_fit_the_left_panel(page: Any) -> None:
    page.click("text=Custom")
    page.locator("#custom-left").wait_for()
    page.fill("#custom-left", "a long pattern that should not push the panel wider than it is")
    fits = page.evaluate(
        "(() => { const l = document.querySelector('.left'); return [l.scrollWidth, l.clientWidth]; })()"
    )
    assert fits[0] <= fits[1], fits
    panel = page.locator(".left").bounding_box()
    for side in ("left", "right", "up", "down"):
        field = page.locator(f"#custom-{side}").bounding_box()
        assert field is not None and panel is not None
        assert field["x"] + field["width"] <= panel["x"] + panel["width"], side
        # styled as the other fields: the shared height and rounded border
        style = page.eval_on_selector(
            f"#custom-{side}", "(e) => [getComputedStyle(e).height, getComputedStyle(e).borderRadius]"
        )
        assert style == ["32px", "7px"], style
    shot(page, "polish-custom-fields.png")


def _overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and (b["y"] < a["y"] + a["height"])
    )


def test_banners_leave_the_plot_buttons_free(page: Any) -> None:
    message = "field `right`: `right` pattern 'babylonn' matches no value; check the pattern and the column " * 2
    page.evaluate(
        "(m) => window.embedscope.store.set({ error: m, offline: { attempt: 1, retryAt: Date.now() + 60000 } })",
        message,
    )
    page.locator("#error").wait_for()
    page.locator("#connection-banner").wait_for()
    banners = [page.locator(sel).bounding_box() for sel in ("#error", "#connection-banner")]
    for button in ("#box-select", "#reset-view", "#save-png", "#theme-toggle"):
        box = page.locator(button).bounding_box()
        assert box is not None
        for banner in banners:
            assert banner is not None and not _overlaps(box, banner), (button, box, banner)
    # the buttons still take clicks while the banners show
    page.click("#box-select")
    assert page.get_attribute("#box-select", "aria-pressed") == "true"
    shot(page, "polish-banners.png")
    page.click("#error button")
    page.evaluate("window.embedscope.store.set({ offline: null })")
    page.click("#box-select")


def test_selected_thumbnails_stay_visible_inside_a_frame(page: Any) -> None:
    page.check("#show-sprites")
    page.wait_for_function("window.embedscope.store.get().showSprites === true")
    i, x, y = _middle_point(page)
    page.evaluate(f"window.embedscope.store.set({{ selection: [{i}], selectionSource: null }})")
    size = 22.4  # the thumbnails' size for the digits' 1,797 points (render/layers.ts: spriteSize)
    inside = outside = None
    for _ in range(50):  # the sprite sheet loads asynchronously
        inside = page.evaluate(COLOURED, [x, y, size / 2 - 2])
        frame = page.evaluate(COLOURED, [x, y, size / 2 + 3])
        outside = frame["coloured"] - inside["coloured"]
        if outside > 30:
            break
        page.wait_for_timeout(200)
    assert inside is not None and outside is not None
    # the thumbnail (grey ink on white) shows inside, not a disc of the point's colour; its frame is coloured
    assert inside["coloured"] <= 0.05 * inside["all"], inside
    assert outside > 30, outside
    shot(page, "polish-sprite-selection.png")
    page.uncheck("#show-sprites")


def test_the_digits_open_with_their_thumbnails_framed_in_their_colour(browser: Any, server: str) -> None:
    with fresh_page(browser, server) as (page, errors):
        assert page.locator("#show-sprites").is_checked()
        assert page.evaluate("window.embedscope.store.get().showSprites") is True
        _, x, y = _middle_point(page)
        size = 22.4  # render/layers.ts: spriteSize for 1,797 points
        for _ in range(50):  # the sprite sheet loads asynchronously
            inside = page.evaluate(COLOURED, [x, y, size / 2 - 2])
            frame = page.evaluate(COLOURED, [x, y, size / 2 + 2])["coloured"] - inside["coloured"]
            if frame > 20 and inside["all"] > 0:
                break
            page.wait_for_timeout(200)
        # unselected thumbnails too: a frame of the point's colour (coloured by digit), the image inside it grey
        assert frame > 20, frame
        shot(page, "polish-sprites-framed.png")
        assert errors == []


def test_tooltip_shows_the_thumbnail_and_metadata(page: Any, server: str) -> None:
    info = api(server, "api/runs/r0/embeddings/e0/sprite")
    _, x, y = _middle_point(page)
    box = canvas_box(page)
    page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = page.locator("#tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    index = int(tooltip.get_attribute("data-index") or -1)
    assert 0 <= index < N
    thumb = page.locator("#tooltip-thumb")
    style = thumb.evaluate(
        "(e) => { const s = getComputedStyle(e); return [s.backgroundImage, s.backgroundPosition, s.width]; }"
    )
    w, h = info["single_image_dim"]
    columns = info["grid"][0]
    scale = 64 / max(w, h)
    col, row = index % columns, index // columns
    assert "sprite.png" in style[0]
    expected = f"{-col * w * scale:g}px {-row * h * scale:g}px".replace("-0px", "0px")
    assert style[1] == expected, (style, index)
    assert style[2] == f"{w * scale:g}px"
    # every metadata column with this row's value, as the API has it
    row_values = api(server, f"api/runs/r0/embeddings/e0/metadata?format=json&offset={index}&limit=1")
    meta = page.locator("#tooltip-meta")
    for name in row_values["columns"]:
        item = meta.locator(f"[data-column='{name}']")
        item.wait_for()
        page.wait_for_function(
            "([n, v]) => document.querySelector(`#tooltip-meta [data-column='${n}'] dd`)?.textContent === v",
            arg=[name, str(row_values["data"][name][0])],
        )
    shot(page, "polish-tooltip.png")


# --- bookmarks that come with a log dir -----------------------------------------------------------------------

# TensorBoard's own bookmark format: a list of saved states (fields we do not use, such as projections, stay in)
MARKS = [
    {
        "label": "Sevens in 3-D",
        "isSelected": False,
        "selectedProjection": "pca",
        "pcaComponentDimensions": [0, 2, 1],
        "dataSetDimensions": [N, 64],
        "selectedPoints": [7, 17, 27],
        "selectedColorOptionName": "label",  # a log dir's one-column metadata.tsv has no header: its column is "label"
        "selectedLabelOption": "label",
        "cameraDef": {"orthographic": False, "position": {"x": 1, "y": 1, "z": 1}, "target": {"x": 0, "y": 0, "z": 0}},
        "projections": [],
    },
    {"label": "One point", "selectedProjection": "pca", "pcaComponentDimensions": [0, 1], "selectedPoints": [5]},
]


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory, server: str) -> Iterator[str]:
    """`embedscope serve` on the digits saved as a log dir whose projector config names a bookmarks file."""
    from embedscope.demo import digits

    root = tmp_path_factory.mktemp("marked")
    marks = root / "marks.json"
    marks.write_text(json.dumps(MARKS))
    emb = digits()
    emb.bookmarks_path = str(marks)
    logdir = emb.save(root / "logdir")
    assert "bookmarks_path" in (Path(logdir) / "projector_config.pbtxt").read_text()
    with serving(lambda _: Path(logdir), root) as url:
        yield url


def test_log_dir_bookmarks_are_listed_and_restore(browser: Any, marked: str) -> None:
    with fresh_page(browser, marked) as (page, errors):
        page.evaluate("window.embedscope.store.set({ colorBy: null })")  # restoring sets it again
        items = page.locator("#config-bookmark-list li")
        items.first.wait_for(timeout=10_000)
        assert items.count() == 2
        assert items.nth(0).get_attribute("data-name") == "Sevens in 3-D"
        assert "PCA 3-D" in items.nth(0).inner_text()
        assert page.locator("#config-bookmark-list button.bookmark-delete").count() == 0  # read-only
        items.nth(0).locator("button").click()
        page.wait_for_function("window.embedscope.store.get().coords?.dims === 3")
        wait_done(page)
        assert store(page, "s.projection.method") == "pca"
        assert store(page, "s.projection.axes") == [0, 2, 1]
        assert store(page, "s.job.params.axes") == [0, 2, 1]
        assert store(page, "s.selection") == [7, 17, 27]
        assert store(page, "s.embedding.columns.map((c) => c.name)") == ["label"]
        assert store(page, "[s.colorBy, s.colorMode, s.labelBy]") == ["label", "category", "label"]
        shot(page, "polish-config-bookmark.png")
        # one selected point is a clicked point: it and its nearest neighbours
        items.nth(1).locator("button").click()
        page.wait_for_function("window.embedscope.store.get().focus === 5 && window.embedscope.store.get().neighbors")
        wait_done(page)
        assert store(page, "s.coords.dims") == 2
        assert store(page, "s.projection.axes.slice(0, 2)") == [0, 1]
    assert not errors, errors
