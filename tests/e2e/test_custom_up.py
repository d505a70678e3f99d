"""The 2-D view's orientation with custom axes: "Up" is drawn upward (positive y toward the top of the canvas), checked
on the pixels of the exported canvas; and a server error (a bad regular expression) shows as a readable message.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from page_helpers import pixel_script, screen_positions, shot, store, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Opaque pixels near each of some colours, counted in the upper and the lower half of the canvas.
HALVES = pixel_script(
    """
  const { data, width, height } = await pixels();
  return colours.map(([r, g, b]) => {
    let upper = 0;
    let lower = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 4;
        if (data[o + 3] < 200) continue;
        if (Math.abs(data[o] - r) + Math.abs(data[o + 1] - g) + Math.abs(data[o + 2] - b) > 24) continue;
        if (y < height / 2) upper += 1;
        else lower += 1;
      }
    }
    return { upper, lower };
  });""",
    "colours",
)


def _swatch(page: Any, label: str) -> list[int]:
    style = page.evaluate(
        """(label) => [...document.querySelectorAll('#legend li')]
          .find((li) => li.querySelector('.legend-label').textContent === label)
          .querySelector('.swatch').style.background""",
        label,
    )
    match = re.search(r"rgb\((\d+),\s*(\d+),\s*(\d+)\)", style or "")
    assert match, style
    return [int(v) for v in match.groups()]


def _custom(page: Any, **sides: str) -> None:
    page.click("#tab-custom")
    page.select_option("#custom-column", "label")
    for side, pattern in sides.items():
        page.fill(f"#custom-{side}", pattern)
    page.click("#custom-run")


def test_up_pattern_is_drawn_in_the_upper_half(page: Any) -> None:
    seven, one = _swatch(page, "7"), _swatch(page, "1")
    _custom(page, up="7", down="1")
    page.wait_for_function("window.embedscope.store.get().job?.method === 'custom'")
    wait_done(page)
    page.locator("#axis-y").wait_for()
    [sevens, ones] = page.evaluate(HALVES, [seven, one])
    assert sevens["upper"] > 200 and sevens["upper"] > 4 * sevens["lower"], sevens
    assert ones["lower"] > 200 and ones["lower"] > 4 * ones["upper"], ones
    # the page agrees: the 7s' points are drawn above the canvas's middle, the 1s' below
    labels = store(page, "s.columns.label")
    height = page.locator("#scatter canvas").bounding_box()["height"]
    ys7 = [p[1] for p in screen_positions(page, [i for i, v in enumerate(labels) if str(v) == "7"])]
    ys1 = [p[1] for p in screen_positions(page, [i for i, v in enumerate(labels) if str(v) == "1"])]
    assert sum(ys7) / len(ys7) < height * 0.4 < height * 0.6 < sum(ys1) / len(ys1)
    shot(page, "custom-up.png")


def test_a_server_error_shows_as_a_readable_message(page: Any) -> None:
    page.click("#tab-custom")
    page.check("#custom-regex")
    _custom(page, up="(unclosed")
    error = page.locator("#error")
    error.wait_for(timeout=15_000)
    text = error.inner_text()
    assert "not a valid regular expression" in text and "(unclosed" in text, text
    assert "match the pattern as plain text" in text  # the server's fix travels with the message
    # the live match count under the pattern says so too, rather than a number
    assert "regular expression" in page.locator("#custom-up-count").inner_text()
    shot(page, "server-error.png")
    page.click("#error button")
    error.wait_for(state="detached")


def test_a_pattern_that_matches_nothing_is_said_as_a_sentence(page: Any) -> None:
    _custom(page, left="worstzz", right="1")
    error = page.locator("#error")
    error.wait_for(timeout=15_000)
    # the server's "field `left`: `left` pattern 'worstzz' matches no value; check ..." in the page's words
    assert (
        error.inner_text()
        .strip()
        .startswith("No label matches 'worstzz' (the Left pattern). Check the pattern and the column.")
    ), error.inner_text()
    assert "`" not in error.inner_text() and "field" not in error.inner_text()
    page.click("#error button")
