"""Keyboard use: Tab reaches every control, each with a visible focus ring and a name for screen readers; shortcuts
(`/` search, Esc clear, arrows pan, + and - zoom, `r` reset, `?` help) do what the help says.
"""

from __future__ import annotations

from typing import Any

import pytest
from page_helpers import screen_positions, shot, store

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# The focused element: a key naming it, its focus ring, and its accessible name (aria-label, labelledby, label, text).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const byId = (ids) => ids.split(/\\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
  const labelledBy = el.getAttribute('aria-labelledby');
  const name = (el.getAttribute('aria-label') || (labelledBy && byId(labelledBy))
    || (el.labels && el.labels[0] && el.labels[0].textContent) || el.textContent || el.getAttribute('title') || '');
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
  return { key: el.id || el.outerHTML.slice(0, 80), ring, name: name.trim() };
}"""

# Every control a keyboard user should reach: visible, enabled, in the tab order.
CONTROLS = """() => [...document.querySelectorAll('button, select, input, textarea, a[href], [tabindex]')]
  .filter((el) => el.tabIndex >= 0 && !el.disabled && !el.hidden && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden')
  .map((el) => el.id || el.outerHTML.slice(0, 80))"""


def test_tab_reaches_every_control_with_a_ring_and_a_name(page: Any) -> None:
    expected = set(page.evaluate(CONTROLS))
    assert {"search", "embedding-select", "help-button", "scatter", "tab-pca", "bookmark-upload-button"} <= expected
    page.locator("body").click(position={"x": 5, "y": 5})
    seen: dict[str, dict[str, Any]] = {}
    for _ in range(len(expected) + 20):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        if focused["key"] in seen:
            break
        seen[focused["key"]] = focused
    assert expected <= set(seen), f"never reached by Tab: {expected - set(seen)}"
    no_ring = [k for k, f in seen.items() if not f["ring"]]
    assert not no_ring, f"no visible focus ring: {no_ring}"
    unnamed = [k for k, f in seen.items() if not f["name"]]
    assert not unnamed, f"no accessible name: {unnamed}"


def test_shortcuts(page: Any) -> None:
    page.locator("#scatter").focus()
    # `/` focuses the search box; Esc clears the selection and leaves the box
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search"
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.wait_for_function("window.embedscope.store.get().selection.length > 0")
    page.keyboard.press("Escape")
    page.wait_for_function("window.embedscope.store.get().selection.length === 0")
    assert page.evaluate("document.activeElement.id") != "search"
    assert page.locator("#selection-count").inner_text() == "Nothing selected"

    home = screen_positions(page, [0, 1])
    page.keyboard.press("ArrowRight")  # the view moves right: the points move left
    moved = screen_positions(page, [0, 1])
    assert moved[0][0] == pytest.approx(home[0][0] - 60, abs=1) and moved[0][1] == pytest.approx(home[0][1], abs=1)
    page.keyboard.press("ArrowDown")
    moved = screen_positions(page, [0, 1])
    assert moved[0][1] == pytest.approx(home[0][1] - 60, abs=1)
    span = abs(moved[0][0] - moved[1][0]) + abs(moved[0][1] - moved[1][1])
    page.keyboard.press("+")
    zoomed = screen_positions(page, [0, 1])
    assert abs(zoomed[0][0] - zoomed[1][0]) + abs(zoomed[0][1] - zoomed[1][1]) == pytest.approx(span * 2**0.5, rel=0.01)
    page.keyboard.press("-")
    page.keyboard.press("-")
    out = screen_positions(page, [0, 1])
    assert abs(out[0][0] - out[1][0]) + abs(out[0][1] - out[1][1]) == pytest.approx(span / 2**0.5, rel=0.01)
    page.keyboard.press("r")
    for now, then in zip(screen_positions(page, [0, 1]), home, strict=True):
        assert now == pytest.approx(then, abs=0.5)

    # `?` shows the help (focus on its Close button); Esc closes it and gives focus back; the button opens it too
    page.locator("#scatter").focus()
    page.keyboard.press("?")
    help_dialog = page.locator("#help")
    help_dialog.wait_for()
    assert page.evaluate("document.activeElement.id") == "help-close"
    text = help_dialog.inner_text()
    for shortcut in ("/", "Esc", "r", "?", "Search", "Reset the view", "Pan", "Zoom"):
        assert shortcut in text
    shot(page, "keyboard-help.png")
    page.keyboard.press("Escape")
    help_dialog.wait_for(state="detached")
    assert page.evaluate("document.activeElement.id") == "scatter"
    page.click("#help-button")
    help_dialog.wait_for()
    page.keyboard.press("Enter")  # on Close
    help_dialog.wait_for(state="detached")
    # keys typed into a field stay the field's
    page.focus("#bookmark-name")
    page.keyboard.type("r/?")
    assert page.input_value("#bookmark-name") == "r/?"
    assert page.locator("#help").count() == 0 and store(page, "s.searchText") == ""
