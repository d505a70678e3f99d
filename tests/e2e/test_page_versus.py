"""Comparing two embeddings of the same items in headless Chromium: the digits (64 pixels) and the same images on
their first 16 principal components, served together. The digits' labels repeat, so matching by label is refused
with the server's message; by row, the page colours by the neighbour overlap, shows the summary, and lists a clicked
point's neighbours in both side by side, as many in common as its overlap says. Screenshot: /tmp/e2e/versus.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from page_helpers import Served, api, missing, screen_positions, shot, store, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = missing()
    if reason:
        pytest.skip(reason)
    from sklearn.decomposition import PCA

    from embedscope import Embedding
    from embedscope.demo import digits

    root = tmp_path_factory.mktemp("versus")
    emb = digits()
    logdir = emb.save(root / "logdir")
    reduced = PCA(16, random_state=0).fit_transform(np.asarray(emb.vectors)).astype(np.float32)
    other = Embedding(reduced, name="pca16", metadata={"label": emb.labels}).save(root / "pca16.npy")
    app = Served(logdir, root, extra=(str(other),))
    try:
        yield app.start()
    finally:
        app.stop()


def test_two_embeddings_compared_by_their_neighbourhoods(page: Any, server: str) -> None:
    wait_done(page)
    page.locator(".versus summary").click()
    assert "pca16" in page.locator("#versus-with").inner_text()
    page.click("#versus-run")  # by label: the digits' labels repeat
    page.wait_for_function("window.embedscope.store.get().error !== null", timeout=30_000)
    assert "more than once" in store(page, "s.error")
    page.check("#versus-by-row")
    page.click("#versus-run")
    page.wait_for_function("window.embedscope.store.get().versus !== null", timeout=60_000)
    versus = store(page, "s.versus")
    assert versus["by"] == "row" and versus["shared"] == 1797 and versus["k"] == 10
    assert 3 * versus["chance"] < versus["mean_overlap"] < 1  # 16 components keep much of the neighbourhoods
    page.wait_for_function("window.embedscope.store.get().colorBy === 'neighbour_overlap'")
    assert store(page, "s.colorMode") == "numeric"
    assert "mean overlap" in page.locator("#versus-summary").inner_text()
    assert page.locator(".versus-histogram i").count() == 11  # 0 to 10 neighbours in common

    x, y = screen_positions(page, [5])[0]
    box = page.locator("#scatter canvas").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_function("window.embedscope.store.get().versusNeighbors?.there.length === 10", timeout=30_000)
    focus = store(page, "s.focus")
    assert page.locator("#versus-here li").count() == 10 and page.locator("#versus-there li").count() == 10
    shared = page.locator("#versus-here li.shared").count()
    assert page.locator("#versus-there li.shared").count() == shared
    table = api(server, f"api/runs/r0/embeddings/e0/metadata?format=json&offset={focus}&limit=1")
    overlap = table["data"]["neighbour_overlap"][0]
    assert abs(shared - round(overlap * 10)) <= 1  # ties aside, the lists show the overlap the column holds
    shot(page, "versus.png")

    page.click("#versus-stop")
    page.wait_for_function("window.embedscope.store.get().versus === null")
    page.locator("#neighbor-list li").first.wait_for(timeout=15_000)
