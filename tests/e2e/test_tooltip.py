"""The hover tooltip follows the view: after a wheel zoom moves the hovered point away from a still pointer, the
tooltip goes (or shows the point now under the pointer); it never stays on a point that is no longer there.
"""

from __future__ import annotations

from typing import Any

import pytest
from page_helpers import canvas_box, screen_positions, shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

N = 1797


def _lonely_point(page: Any) -> tuple[int, float, float]:
    """A point near the middle of the plot with no other point within 14 px: its index and position."""
    box = canvas_box(page)
    positions = screen_positions(page, list(range(N)))
    cx, cy = box["width"] / 2, box["height"] / 2

    def alone(i: int) -> bool:
        x, y = positions[i]
        return all((x - p[0]) ** 2 + (y - p[1]) ** 2 > 14**2 for j, p in enumerate(positions) if j != i)

    for i in sorted(range(N), key=lambda j: (positions[j][0] - cx) ** 2 + (positions[j][1] - cy) ** 2):
        if alone(i):
            return i, positions[i][0], positions[i][1]
    raise AssertionError("no point stands alone")


def test_the_tooltip_goes_when_a_wheel_zoom_moves_its_point_away(page: Any) -> None:
    i, x, y = _lonely_point(page)
    box = canvas_box(page)
    # the pointer rests 4 px right of the point: still on it (the pick has a few pixels' slack)
    page.mouse.move(box["x"] + x + 4, box["y"] + y)
    tooltip = page.locator("#tooltip")
    tooltip.wait_for(timeout=10_000)
    assert tooltip.get_attribute("data-index") == str(i)
    # zoom in around the pointer: the point moves away from it (4 px become 16 and more); the pointer stays still
    for _ in range(3):
        page.mouse.wheel(0, -240)
        page.wait_for_timeout(150)
    page.wait_for_timeout(500)
    [(nx, _ny)] = screen_positions(page, [i])
    assert (x + 4) - nx > 12  # the point is well left of the pointer now
    under = page.evaluate("([x, y]) => window.embedscope.view.pickAt(x, y)", [x + 4, y])
    if under is None:
        tooltip.wait_for(state="detached", timeout=5_000)
    else:
        assert tooltip.get_attribute("data-index") == str(under)
    shot(page, "tooltip-after-zoom.png")
