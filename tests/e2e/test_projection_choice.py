"""Choosing a projection in headless Chromium: PCA never puts one component on two axes (choosing Y's component for X
swaps them), and 3-D chosen while a 2-D t-SNE is shown says that Run is needed, then Run draws it in 3-D.
"""

from __future__ import annotations

from typing import Any

import pytest
from page_helpers import api, shot, store, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_choosing_y_s_component_for_x_swaps_the_two(page: Any) -> None:
    requests: list[Any] = []
    page.on("request", lambda r: r.method == "POST" and "projections" in r.url and requests.append(r.post_data_json))
    x_options = page.locator("#pca-x option").all_inner_texts()
    assert any(t.startswith("PC2") and "(on Y: swap)" in t for t in x_options), x_options
    page.select_option("#pca-x", "1")  # PC2, shown on Y
    page.wait_for_function("window.embedscope.store.get().projection.axes.slice(0, 2).join() === '1,0'")
    wait_done(page)
    assert page.locator("#pca-x").input_value() == "1" and page.locator("#pca-y").input_value() == "0"
    assert page.locator("#error").count() == 0  # no refusal from the server (422 for a component on two axes)
    assert [r["params"]["axes"] for r in requests] == [[1, 0]]
    # in 3-D too: Z's component chosen for Y swaps Y and Z
    page.click("#dims-3")
    wait_done(page)
    page.select_option("#pca-y", "2")
    page.wait_for_function("window.embedscope.store.get().projection.axes.join() === '1,2,0'")
    wait_done(page)
    assert page.locator("#error").count() == 0


def test_a_link_with_one_component_on_two_axes_opens_with_two(browser: Any, server: str) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.goto(f"{server}#run=r0&tensor=e0&method=pca&dims=2&axes=1,1")
    wait_done(page)
    assert store(page, "s.projection.axes.slice(0, 2)") == [1, 0]
    assert page.locator("#error").count() == 0
    context.close()


def test_3d_while_a_2d_tsne_is_shown_says_run_is_needed(page: Any, server: str) -> None:
    iterations = api(server, "api/options")["projection"]["params"]["tsne"]
    fewest = next(p for p in iterations if p["name"] == "n_iter")["min"]
    page.click("#tab-tsne")
    assert "Press Run" in page.locator("#run-needed").inner_text()  # PCA is shown: t-SNE waits for Run
    page.fill("#tsne-iterations", str(max(fewest, 250)))
    page.press("#tsne-iterations", "Tab")
    page.click("#tsne-run")
    page.wait_for_function("window.embedscope.store.get().job?.method === 'tsne'")
    wait_done(page, timeout=120_000)
    assert page.locator("#run-needed").count() == 0
    page.click("#dims-3")
    note = page.locator("#run-needed")
    note.wait_for()
    assert note.inner_text() == "Press Run to compute the 3-D t-SNE. The plot shows 2-D t-SNE until then."
    assert store(page, "s.coords.dims") == 2  # nothing ran by itself
    shot(page, "run-needed.png")
    page.click("#tsne-run")
    page.wait_for_function("window.embedscope.store.get().job?.n_components === 3")
    wait_done(page, timeout=120_000)
    assert store(page, "s.coords.dims") == 3
    assert page.locator("#run-needed").count() == 0
