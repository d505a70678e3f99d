"""The density layer in headless Chromium, on the digits: off below the size it is on from, on when that size is
lowered or the box is ticked; it shades the map with contour lines, leaves the points that do not crowd as they
are, and gives way to the points when zoomed in (test_large.py: on by default at 100,000 points, where the crowded
points fade). Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

from typing import Any

import pytest
from page_helpers import ALPHAS, INK, shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LAYERS = "window.embedscope.view.deck.props.layers.filter((l) => l).map((l) => l.id)"


def shown(page: Any) -> bool:
    return page.evaluate("window.embedscope.view.densityShown")


def test_the_density_layer_shades_the_map_and_gives_way_when_zoomed_in(page: Any) -> None:
    assert not page.is_checked("#density") and not shown(page)  # 1,797 points: below the 100,000 it is on from
    assert page.input_value("#density-from") == "100000"
    before = page.evaluate(INK, [])["total"]
    base = page.evaluate(ALPHAS)
    assert base[0] == base[1] > 0  # every point as opaque as the palette draws it
    page.fill("#density-from", "1000")
    page.press("#density-from", "Tab")
    page.wait_for_function("window.embedscope.view.densityShown === true")
    assert page.is_checked("#density")
    assert page.evaluate(LAYERS)[:3] == ["density", "points", "density-lines"]  # shade under, lines over the points
    after = page.evaluate(INK, [])["total"]
    assert after > 1.5 * before, (before, after)  # the shade covers the map between the points
    assert page.evaluate(ALPHAS) == base  # 1,797 points barely overlap: none fades (test_large.py: 100,000 do)
    shot(page, "density-digits.png")
    for _ in range(5):  # zoomed in (half a step a key): every point at full strength, no shade
        page.locator("#scatter").press("+")
    page.wait_for_function("window.embedscope.view.densityShown === false")
    assert page.evaluate(ALPHAS) == base and "density" not in page.evaluate(LAYERS)
    page.click("#reset-view")
    page.wait_for_function("window.embedscope.view.densityShown === true")
    page.uncheck("#density")  # off whatever the size
    page.wait_for_function("window.embedscope.view.densityShown === false")
    assert not page.is_checked("#density") and page.evaluate(ALPHAS) == base
