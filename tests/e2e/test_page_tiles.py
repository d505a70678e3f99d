"""A map drawn from tiles (issue 18), in headless Chromium: MiniLM's 30,522 word vectors served with
`--tiles-from 10000 --tile-points 2048`, so their PCA map is too large to send whole. The page draws it from its
tile pyramid (no coordinates come whole), loads deeper tiles as it zooms in, shows a hovered point's label from its
tile and its row from the server, and answers click (neighbours), search and box selection over every row, loaded
or not. Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from page_helpers import api, canvas_box, fresh_page, serving, shot, store

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROWS = 30522


def _minilm(root: Path) -> Path:
    try:
        from embedscope.demo import minilm_path

        return minilm_path() / "model.safetensors"
    except Exception as exc:  # the demo package is missing: say how to get it
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`embedscope serve` on MiniLM's model, maps of over 10,000 points drawn from tiles of 2,048."""
    with serving(_minilm, tmp_path_factory.mktemp("tiles"), "--tiles-from", "10000", "--tile-points", "2048") as url:
        yield url


@pytest.fixture
def tiled(browser: Any, server: str) -> Iterator[Any]:
    """The page, its word vectors' PCA map drawn from tiles, every tile of the first view loaded."""
    with fresh_page(browser, server, wait=False) as (page, errors):
        page.wait_for_function("window.embedscope.store.get().tiles !== null", timeout=120_000)
        settled(page)
        yield page
    assert not errors, f"errors in the page: {errors}"


def settled(page: Any) -> dict[str, int]:
    """Wait until the view's tiles are all loaded; the status line's numbers."""
    page.wait_for_function(
        "(() => { const e = document.querySelector('#tile-status');"
        " return e !== null && e.dataset.loading === '0' && Number(e.dataset.drawn) > 0; })()",
        timeout=60_000,
    )
    status = page.locator("#tile-status")
    return {k: int(status.get_attribute(f"data-{k}") or -1) for k in ("drawn", "level", "loading")}


def tile_layers(page: Any) -> list[str]:
    return page.evaluate("window.embedscope.tileView.deck.props.layers.map((l) => l.id)")


def deepest(layers: list[str]) -> int:
    return max(int(name.split("-")[1].split("/")[0]) for name in layers if name.startswith("tile-"))


def to_screen(page: Any, x: float, y: float) -> list[float]:
    return page.evaluate(f"window.embedscope.tileView.deck.getViewports()[0].project([{x}, {y}])")


def test_a_large_map_is_drawn_from_its_tiles(tiled: Any, server: str) -> None:
    page = tiled
    assert store(page, "[s.coords, s.job.method, s.job.state, s.tiles.pyramid.rows]") == [None, "pca", "done", ROWS]
    pyramid = store(page, "s.tiles.pyramid")
    assert pyramid["capacity"] == 2048 and pyramid["levels"] >= 3
    first = settled(page)
    layers = tile_layers(page)
    assert "tile-0/0/0" in layers and any(name.startswith("density-") for name in layers)
    assert 2048 <= first["drawn"] < ROWS  # a sample of the map, not all of it
    assert f"of {ROWS:,} points loaded" in page.locator("#tile-status").inner_text()
    assert page.locator("#filters-large").is_visible()  # filters hold their column: not for such a table
    assert page.locator("#density").is_checked()  # the density of what is not loaded
    shot(page, "tiles-whole.png")
    page.uncheck("#density")
    page.wait_for_function(
        "!window.embedscope.tileView.deck.props.layers.some((l) => l.id.startsWith('density-'))", timeout=10_000
    )
    page.check("#density")
    # zooming in on the crowd draws deeper levels: more of the points in view
    page.locator("#scatter").focus()
    for _ in range(6):
        page.keyboard.press("+")
    deeper = settled(page)
    assert deeper["level"] > first["level"]
    assert deepest(tile_layers(page)) > first["level"]  # tiles of a level the first view did not load
    shot(page, "tiles-zoomed.png")
    page.keyboard.press("r")
    assert settled(page)["level"] == first["level"]


def test_hover_shows_the_points_label_and_row(tiled: Any) -> None:
    page = tiled
    # a point of the top tile, where it is drawn on screen
    point = page.evaluate(
        "(() => { const v = window.embedscope.tileView; const i = 100;"
        " const t = [...v['loaded'].values()].find((d) => d.tile.key === '0/0/0').tile;"
        " return { row: t.rows[i], x: t.xyz[3 * i], y: t.xyz[3 * i + 1], label: t.labels[i] }; })()"
    )
    sx, sy = to_screen(page, point["x"], point["y"])
    box = canvas_box(page)
    page.mouse.move(box["x"] + sx, box["y"] + sy)
    tooltip = page.locator("#tooltip")
    tooltip.wait_for(timeout=10_000)
    row = int(tooltip.get_attribute("data-index") or -1)
    assert row >= 0
    label = tooltip.locator("strong").inner_text()
    # the tile's label is the row's label as the server has it (its metadata row, fetched for the tooltip)
    page.wait_for_function(
        "document.querySelector('#tooltip-meta [data-column=label] dd')?.textContent !== '…'", timeout=10_000
    )
    assert tooltip.locator("#tooltip-meta [data-column=label] dd").inner_text() == label
    if row == point["row"]:
        assert label == point["label"]


def test_click_search_and_box_select_answer_over_every_row(tiled: Any, server: str) -> None:
    page = tiled
    emb = store(page, "[s.embedding.run, s.embedding.id]")
    base = f"api/runs/{emb[0]}/embeddings/{emb[1]}"
    # search: every matching row of the vocabulary, loaded or not
    page.fill("#search", "##ing")
    page.wait_for_function("window.embedscope.store.get().searchCount !== null", timeout=20_000)
    expected = api(server, f"{base}/search?q=%23%23ing")
    assert store(page, "s.searchCount") == expected["count"] > 0
    assert store(page, "s.selection.length") == expected["count"]
    page.fill("#search", "")
    page.wait_for_function("window.embedscope.store.get().selection.length === 0")

    # box select: the server's rows in the dragged rectangle of the map, more than the page has loaded there
    box = canvas_box(page)
    left, top = box["x"] + box["width"] * 0.35, box["y"] + box["height"] * 0.35
    right, bottom = box["x"] + box["width"] * 0.65, box["y"] + box["height"] * 0.65
    corners = page.evaluate(
        "(r) => { const vp = window.embedscope.tileView.deck.getViewports()[0];"
        " return [vp.unproject([r[0], r[3]]), vp.unproject([r[2], r[1]])]; }",
        [left - box["x"], top - box["y"], right - box["x"], bottom - box["y"]],
    )
    page.keyboard.down("Shift")
    page.mouse.move(left, top)
    page.mouse.down()
    page.mouse.move(right, bottom, steps=6)
    page.mouse.up()
    page.keyboard.up("Shift")
    page.wait_for_function("window.embedscope.store.get().selection.length > 0", timeout=20_000)
    (x0, y0), (x1, y1) = corners
    within = api(server, f"api/projections/{store(page, 's.tiles.job')}/within?x0={x0}&y0={y0}&x1={x1}&y1={y1}")
    selection = store(page, "s.selection")
    assert abs(len(selection) - within["count"]) <= within["count"] * 0.01 + 2  # the same box, to a pixel
    loaded_inside = page.evaluate(
        "(c) => { let n = 0; const v = window.embedscope.tileView;"
        " for (const d of v['loaded'].values()) { const t = d.tile; for (let i = 0; i < t.rows.length; i++) {"
        "  const x = t.xyz[3 * i], y = t.xyz[3 * i + 1];"
        "  if (x >= c[0] && x <= c[2] && y >= c[1] && y <= c[3]) n++; } } return n; }",
        [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)],
    )
    assert len(selection) > loaded_inside > 0
    shot(page, "tiles-box.png")

    # click: the point and its neighbours, from the server
    point = page.evaluate(
        "(() => { const v = window.embedscope.tileView;"
        " const t = [...v['loaded'].values()].find((d) => d.tile.key === '0/0/0').tile;"
        " return { x: t.xyz[0], y: t.xyz[1] }; })()"
    )
    sx, sy = to_screen(page, point["x"], point["y"])
    page.mouse.click(box["x"] + sx, box["y"] + sy)
    page.wait_for_function("(window.embedscope.store.get().neighbors ?? []).length > 0", timeout=20_000)
    focus = store(page, "s.focus")
    k = store(page, "s.k")
    expected = api(server, f"{base}/neighbors", {"query": focus, "k": k})
    assert [n["index"] for n in store(page, "s.neighbors")] == [n["index"] for n in expected["neighbors"]]
    # the inspector lists them by label, though the page holds no column of the table
    assert page.locator("#neighbor-list li .label").first.inner_text() == expected["neighbors"][0]["label"]
    [focus_label] = api(server, f"{base}/labels?rows={focus}")["labels"]
    page.wait_for_function(f"document.querySelector('.focus-label')?.textContent === {focus_label!r}", timeout=10_000)
    shot(page, "tiles-neighbors.png")
