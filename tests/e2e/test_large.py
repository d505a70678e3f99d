"""The page on 100,000 points (100,000 x 50, 10 Gaussian clusters, a `label` and a `cluster` column) in headless
Chromium: it loads and says so, PCA draws (pixels of the exported canvas), hover shows the tooltip, search selects
the server's matches, and a click lists the server's neighbours. One page serves the module's tests (a page load
of 100,000 points costs seconds on SwiftShader). Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from page_helpers import ALPHAS, INK, READ_CANVAS, api, canvas_box, screen_positions, serving, shot, store, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

N, D = 100_000, 50
EMB = "api/runs/r0/embeddings/e0"


def make_data(folder: Path) -> Path:
    rng = np.random.default_rng(5)
    centres = rng.standard_normal((10, D)).astype(np.float32) * 4
    cluster = rng.integers(0, 10, N)
    path = folder / "large.npy"
    np.save(path, centres[cluster] + rng.standard_normal((N, D), dtype=np.float32))
    rows = "".join(f"w{i}\tc{c}\n" for i, c in enumerate(cluster.tolist()))
    (folder / "large_metadata.tsv").write_text("label\tcluster\n" + rows, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`embedscope serve` on the 100,000-point data (overrides conftest's digits server for this module)."""
    with serving(make_data, tmp_path_factory.mktemp("large")) as url:
        yield url


@pytest.fixture(scope="module")
def big(browser: Any, server: str) -> Iterator[Any]:
    """One page on the served 100,000 points, its first PCA drawn; page errors fail the module's last test."""
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server)
    wait_done(page, timeout=120_000)
    page.errors = errors
    yield page
    context.close()


def test_loads_and_pca_draws_every_point(big: Any) -> None:
    page = big
    assert "100,000 points" in page.locator("#point-count").inner_text()
    assert store(page, "[s.coords.n, s.coords.dims, s.job.method]") == [N, 2, "pca"]
    assert store(page, "s.coords.data.every((v) => Number.isFinite(v))")
    sample = list(range(0, N, 2_000))
    census = page.evaluate(INK, screen_positions(page, sample))
    assert census["total"] > 20_000, census["total"]
    assert census["corner"] == 0
    drawn = sum(1 for ink in census["at"] if ink > 0)
    assert drawn == len(sample), f"only {drawn} of {len(sample)} sampled points have ink where they are drawn"
    assert page.locator("#legend li").count() == 10  # coloured by the cluster column
    assert page.is_checked("#density") and page.evaluate("window.embedscope.view.densityShown")  # on from 100,000
    low, high = page.evaluate(ALPHAS)
    assert low < 0.2 * high  # where 10,000 points pile up they fade, and the shade shows the mass
    shot(page, "large-pca.png")


def test_hover_shows_the_points_label(big: Any) -> None:
    page = big
    box = canvas_box(page)
    [(x, y)] = screen_positions(page, [4_321])
    page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = page.locator("#tooltip")
    tooltip.wait_for(state="visible", timeout=30_000)
    found = re.match(r"^w(\d+)\s*#(\d+)", tooltip.inner_text())
    assert found, tooltip.inner_text()
    assert found.group(1) == found.group(2)  # the label shown is the hovered row's (w<i> is row i's label)
    page.mouse.move(box["x"] + 5, box["y"] + 5)  # leave the points


def test_search_selects_the_servers_matches(big: Any, server: str) -> None:
    page = big
    expected = api(server, f"{EMB}/search?q=w1234&column=label")
    assert expected["count"] == 11  # w1234 and w12340 ... w12349
    page.fill("#search", "w1234")
    page.press("#search", "Enter")
    page.wait_for_function("document.querySelector('#selection-count').textContent === '11 points selected'")
    assert sorted(store(page, "s.selection")) == sorted(expected["indices"])
    assert page.locator("#match-list li").count() == 11
    shot(page, "large-search.png")


def neighbours_match_the_api(page: Any, server: str) -> None:
    page.locator("#neighbor-list li").first.wait_for(timeout=15_000)
    focus = store(page, "s.focus")
    k = store(page, "s.k")
    assert focus is not None
    expected = api(server, f"{EMB}/neighbors", {"query": focus, "k": k})["neighbors"]
    page.wait_for_function("(k) => document.querySelectorAll('#neighbor-list li').length === k", arg=k)
    items = page.locator("#neighbor-list li").all_inner_texts()
    assert [t.split()[0] for t in items] == [n["label"] for n in expected]
    assert store(page, "s.selection") == [focus, *(n["index"] for n in expected)]


def test_a_search_match_lists_the_servers_neighbours(big: Any, server: str) -> None:
    page = big
    page.fill("#search", "w77777")
    page.press("#search", "Enter")
    page.wait_for_function("document.querySelector('#selection-count').textContent === '1 point selected'")
    page.locator("#match-list li button").first.click()
    neighbours_match_the_api(page, server)
    assert store(page, "s.focus") == 77_777
    shot(page, "large-neighbours.png")
    assert page.errors == []


def test_a_click_on_a_point_lists_the_servers_neighbours(big: Any, server: str) -> None:
    page = big
    if page.locator("#clear-selection").count():  # the search test's selection, when it is still there
        page.click("#clear-selection")
    page.wait_for_function("document.querySelector('#selection-count').textContent === 'Nothing selected'")
    box = canvas_box(page)
    [(x, y)] = screen_positions(page, [12_345])
    page.mouse.click(box["x"] + x, box["y"] + y)
    neighbours_match_the_api(page, server)
    assert page.errors == []


# Synchronously (no timer can settle the view in between): the points layer's row stride, then a redraw and a copy of
# the canvas, and the ink at the given rows' positions and in all (labels included, as in the settled view).
MOVING_CENSUS = (
    "(rows) => {"
    + READ_CANVAS
    + """
  const view = window.embedscope.view;
  const layer = view.deck.props.layers.find((l) => l && l.id === "points");
  const every = layer ? layer.props.keepEvery : null;
  view.deck.redraw("e2e");
  const { width, height, scale, ink, box } = readCanvas(view);
  let total = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) total += ink(x, y);
  const [w, h] = [view.canvas.clientWidth, view.canvas.clientHeight];
  const at = rows.map((i) => {
    const p = view.screenPosition(i);
    if (!p || p[0] < 3 || p[1] < 3 || p[0] > w - 3 || p[1] > h - 3) return -1;
    return box(Math.round(p[0] * scale), Math.round(p[1] * scale), Math.round(2 * scale));
  });
  return { every, total, at };
}"""
)


def test_while_the_view_moves_a_software_renderer_draws_an_even_sample(big: Any) -> None:
    """SwiftShader's cost is per vertex: while a drag pans the map, one row in a prime stride is drawn (every kept row
    where it is), and every point again once the view is still (benchmarks/bench_browser.py times the frames)."""
    page = big
    page.uncheck("#density")  # the census counts the points' ink, not the shade's
    if page.locator("#clear-selection").count():  # faded points are too pale to count as ink
        page.click("#clear-selection")
    page.wait_for_function("document.querySelector('#selection-count').textContent === 'Nothing selected'")
    box = canvas_box(page)
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    moving = None
    for step in range(1, 6):  # each step restarts the settle wait; the census runs right after one
        page.mouse.move(cx - 12 * step, cy - 6 * step)
        rows = list(range(0, N, 11 * 97))  # multiples of the stride expected at 100,000 points (10,000 drawn: 11)
        census = page.evaluate(MOVING_CENSUS, rows)
        if census["every"] and census["every"] > 1:
            moving = census
            break
    page.mouse.up()
    assert moving is not None, "the points layer never drew a sample while the view moved"
    assert moving["every"] == 11  # the prime from ceil(100,000 / 10,000) up
    inside = [ink for ink in moving["at"] if ink >= 0]
    assert len(inside) > 0.5 * len(rows) and all(ink > 0 for ink in inside), moving["at"]
    page.wait_for_function(
        "() => window.embedscope.view.deck.props.layers.find((l) => l && l.id === 'points').props.keepEvery === 1",
        timeout=30_000,
    )
    settled = page.evaluate(MOVING_CENSUS, rows)
    assert moving["total"] < 0.8 * settled["total"], (moving["total"], settled["total"])
    page.click("#reset-view")
    page.check("#density")
    assert page.errors == []
