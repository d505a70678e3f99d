"""Precomputed coordinates in headless Chromium: the digits served with `--coords` (a UMAP exported by
`embedscope project -o`, read back) offer a "Precomputed" tab; it draws exactly the exported coordinates, a click
still lists the neighbours of the original space, the choice of columns lives in the URL, and rows without
coordinates are left out. Screenshot: /tmp/e2e/precomputed.png.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.csv as pacsv
import pytest
from page_helpers import Served, api, missing, screen_positions, shot, store, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    reason = missing()
    if reason:
        pytest.skip(reason)
    from embedscope.demo import digits

    root = tmp_path_factory.mktemp("precomputed")
    logdir = digits().save(root / "logdir")
    coords = root / "umap.csv"
    command = [sys.executable, "-m", "embedscope", "project", str(logdir), "--method", "umap", "-o", str(coords)]
    subprocess.run(command, check=True, capture_output=True, env={"EMBEDSCOPE_CACHE_DIR": str(root / "cache")})
    app = Served(logdir, root, extra=("--coords", str(coords)))
    try:
        yield app.start(), coords
    finally:
        app.stop()


@pytest.fixture(scope="module")
def server(served: tuple[str, Path]) -> str:
    return served[0]


def test_the_exported_map_is_drawn_as_it_was(page: Any, served: tuple[str, Path]) -> None:
    url, coords = served
    exported = pacsv.read_csv(coords)
    page.click("#tab-precomputed")
    page.wait_for_function("window.embedscope.store.get().job?.method === 'precomputed'")
    wait_done(page)
    assert page.locator("#coords-x").input_value() == "x" and page.locator("#coords-y").input_value() == "y"
    drawn = np.array(store(page, "Array.from(s.coords.data.slice(0, 40))"), dtype=np.float32).reshape(-1, 2)
    want = np.column_stack([exported.column("x").to_numpy(), exported.column("y").to_numpy()])[:20]
    np.testing.assert_allclose(drawn, want.astype(np.float32), rtol=1e-6)
    assert store(page, "s.axisLabels") == {"x": "x", "y": "y"}
    assert page.locator("#quality").count() == 1  # neighbours kept, measured against the original space
    shot(page, "precomputed.png")

    # a click lists the neighbours of the original 64-dimensional space, not of the picture
    x, y = screen_positions(page, [7])[0]
    box = page.locator("#scatter canvas").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_function("window.embedscope.store.get().neighbors?.length > 0", timeout=15_000)
    focus = store(page, "s.focus")
    expected = api(url, "api/runs/r0/embeddings/e0/neighbors", {"query": focus, "k": store(page, "s.k")})
    assert store(page, "s.neighbors.map((n) => n.index)") == [n["index"] for n in expected["neighbors"]]


def test_other_columns_and_the_link(page: Any, browser: Any, served: tuple[str, Path]) -> None:
    page.click("#tab-precomputed")
    wait_done(page)
    page.select_option("#coords-x", "y")  # the two axes swap
    page.wait_for_function("window.embedscope.store.get().job?.params.columns === 'y,x'")
    wait_done(page)
    assert page.locator("#coords-y").input_value() == "x"
    page.wait_for_function("location.hash.includes('pc=y%2Cx') || location.hash.includes('pc=y,x')")
    again = browser.new_page(viewport={"width": 1400, "height": 860})
    try:
        again.goto(page.url)
        again.wait_for_function("window.embedscope?.store.get().job?.params?.columns === 'y,x'", timeout=30_000)
        assert again.locator("#tab-precomputed").get_attribute("aria-selected") == "true"
    finally:
        again.close()
