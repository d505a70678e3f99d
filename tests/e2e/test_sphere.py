"""Sphere selection in the 3-D orbit view: shift-drag adds the points inside a sphere around the point under the
pointer-down (its radius grows with the drag), alt-drag removes, and a translucent outline shows it while dragging.
The page's world positions are read back and the ball is recomputed here. Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from page_helpers import canvas_box, screen_positions, shot, store

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

N = 1797


def _world(page: Any) -> list[list[float]]:
    return page.evaluate(f"Array.from({{ length: {N} }}, (_, i) => window.embedscope.view.worldPosition(i))")


def _to_3d(page: Any) -> None:
    page.click("#dims-3")
    page.wait_for_function(
        "window.embedscope.store.get().coords?.dims === 3 && window.embedscope.store.get().busy === null"
    )
    page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))")


def _central_point(page: Any) -> tuple[int, float, float]:
    """A drawn point near the middle of the canvas (where points are dense)."""
    box = canvas_box(page)
    positions = screen_positions(page, list(range(N)))
    cx, cy = box["width"] * 0.5, box["height"] * 0.5
    i = min(range(N), key=lambda j: math.hypot(positions[j][0] - cx, positions[j][1] - cy))
    return i, positions[i][0], positions[i][1]


def _sphere_drag(page: Any, x: float, y: float, pixels: float, modifier: str, *, during: Any = None) -> None:
    box = canvas_box(page)
    page.keyboard.down(modifier)
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.mouse.down()
    page.mouse.move(box["x"] + x + pixels * 0.6, box["y"] + y + pixels * 0.8, steps=8)
    if during:
        during()
    page.mouse.up()
    page.keyboard.up(modifier)


def _ball(world: list[list[float]], centre: list[float], radius: float) -> tuple[set[int], set[int]]:
    """The points surely inside the ball and those on its edge (within rounding)."""
    inside, edge = set(), set()
    for j, w in enumerate(world):
        d = math.dist(w, centre)
        if abs(d - radius) < 1e-5:
            edge.add(j)
        elif d < radius:
            inside.add(j)
    return inside, edge


def test_shift_drag_selects_a_sphere_and_alt_drag_removes_one(page: Any) -> None:
    _to_3d(page)
    assert page.locator("#box-select").inner_text() == "Sphere select"
    _, x, y = _central_point(page)
    seen: dict[str, Any] = {}

    def outline() -> None:
        el = page.locator(".select-sphere")
        seen["box"] = el.bounding_box()
        seen["radius"] = float(el.get_attribute("data-radius") or 0)
        shot(page, "sphere-drag.png")

    _sphere_drag(page, x, y, 80, "Shift", during=outline)
    page.wait_for_function("window.embedscope.store.get().selection.length > 0")
    assert page.locator(".select-sphere").count() == 0  # the outline goes with the drag
    # the outline was a circle of the drag's radius around the picked point
    box = canvas_box(page)
    circle = seen["box"]
    assert circle is not None and abs(circle["width"] - circle["height"]) < 1.5
    assert abs(seen["radius"] - 80) < 3, seen["radius"]
    sphere = page.evaluate("window.embedscope.view.lastSphere")
    picked = sphere["picked"]
    assert picked is not None
    [(px, py)] = screen_positions(page, [picked])
    assert math.hypot(px - x, py - y) <= 5  # the point under the pointer-down
    assert abs(circle["x"] + circle["width"] / 2 - (box["x"] + px)) < 2
    world = _world(page)
    assert sphere["centre"] == pytest.approx(world[picked], abs=1e-6)

    # the selection is exactly the ball around the picked point
    inside, edge = _ball(world, sphere["centre"], sphere["radius"])
    selection = set(store(page, "s.selection"))
    assert inside <= selection <= inside | edge
    assert 5 < len(selection) < N / 2, len(selection)
    assert page.locator("#selection-count").inner_text() == f"{len(selection)} points selected"
    # a sphere, not a screen disc: some points drawn inside the circle lie outside the ball (in front or behind)
    screen = screen_positions(page, list(range(N)))
    disc = {j for j, (sx, sy) in enumerate(screen) if math.hypot(sx - px, sy - py) < 80 * 0.8}
    assert disc - selection, "every point inside the drawn circle was selected: that is a disc, not a sphere"
    assert len(disc & selection) > 0.3 * len(selection)
    shot(page, "sphere-selected.png")

    # alt-drag a smaller sphere around the same point: its points leave the selection
    [(x2, y2)] = screen_positions(page, [picked])
    _sphere_drag(page, x2, y2, 35, "Alt")
    page.wait_for_function("(n) => window.embedscope.store.get().selection.length < n", arg=len(selection))
    small = page.evaluate("window.embedscope.view.lastSphere")
    assert small["radius"] < sphere["radius"]
    removed, removed_edge = _ball(world, small["centre"], small["radius"])
    assert removed, "the smaller sphere held no points"
    after = set(store(page, "s.selection"))
    assert selection - removed - removed_edge <= after <= selection - removed


def test_sphere_mode_button_replaces_with_a_plain_drag_and_2d_keeps_the_box(page: Any) -> None:
    page.fill("#search", "3")
    page.press("#search", "Enter")
    page.wait_for_function("window.embedscope.store.get().selectionSource === 'search'")
    _to_3d(page)
    page.click("#box-select")
    _, x, y = _central_point(page)
    box = canvas_box(page)
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.mouse.down()
    page.mouse.move(box["x"] + x + 50, box["y"] + y, steps=6)
    page.mouse.up()
    sphere = page.evaluate("window.embedscope.view.lastSphere")
    inside, edge = _ball(_world(page), sphere["centre"], sphere["radius"])
    selection = set(store(page, "s.selection"))
    assert inside <= selection <= inside | edge  # replaced, not added to the search's matches
    page.click("#dims-2")
    # the view itself in 2-D (it takes the store's coordinates in an effect after the next paint)
    page.wait_for_function("window.embedscope.view.camera().dims === 2")
    assert page.locator("#box-select").inner_text() == "Box select"
    page.mouse.move(box["x"] + 100, box["y"] + 100)
    page.mouse.down()
    page.mouse.move(box["x"] + 300, box["y"] + 250, steps=4)
    assert page.locator(".select-box").count() == 1 and page.locator(".select-sphere").count() == 0
    page.mouse.up()
