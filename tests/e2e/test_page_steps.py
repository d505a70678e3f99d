"""Training steps in headless Chromium: a log dir of 3 steps written with `embedscope.log_embedding`, served. The
step slider projects each step (the page's coordinates equal the API's projection of that step, in the latest
step's frame), play steps through them, the step lives in the URL, the keys move it, and the clicked point's
neighbours compared between two steps equal the API's answer. The served words have a second metadata column, so
the inspector's column picker is tested here too. Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from page_helpers import Served, api, serving, shot, store, wait_done

import embedscope

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

N, D = 150, 12
STEPS = [0, 5, 10]
EMB = "api/runs/r0/embeddings/e0"


def write_log(folder: Path) -> Path:
    """Three steps of a table drifting away from where it started, so layouts and neighbourhoods change."""
    rng = np.random.default_rng(3)
    start = rng.standard_normal((N, D)).astype(np.float32)
    drift = rng.standard_normal((N, D)).astype(np.float32)
    meta = {"word": [f"w{i}" for i in range(N)], "group": [f"g{i % 5}" for i in range(N)]}
    for k, step in enumerate(STEPS):
        table = start + 0.6 * k * drift
        embedscope.log_embedding(folder, table, name="words", metadata=meta if k == 0 else None, step=step)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`embedscope serve` on the 3-step log dir (overrides conftest's digits server for this module)."""
    with serving(lambda root: write_log(root / "logs"), tmp_path_factory.mktemp("steps")) as url:
        yield url


def api_coords(url: str, step: int, dims: int = 2) -> np.ndarray:
    """The API's PCA of `step` (drawn in the latest step's frame, the default), as the page asks for it."""
    body = {"method": "pca", "n_components": dims, "params": {"axes": list(range(dims))}, "step": step, "align": True}
    job = api(url, f"{EMB}/projections", body)
    for _ in range(300):
        if job["state"] in ("done", "failed", "cancelled"):
            break
        time.sleep(0.1)
        job = api(url, f"api/projections/{job['id']}")
    assert job["state"] == "done", job
    frame = None if step == STEPS[-1] else STEPS[-1]  # the latest step is its own frame
    assert job["step"] == step and job["align_to"] == frame
    assert job["summary"]["aligned_to"] == frame
    out = api(url, f"api/projections/{job['id']}/coords?format=json")
    return np.asarray(out["coords"], dtype=np.float32)


def page_coords(page: Any) -> np.ndarray:
    n, dims, data = page.evaluate(
        "(() => { const c = window.embedscope.store.get().coords; return [c.n, c.dims, Array.from(c.data)]; })()"
    )
    return np.asarray(data, dtype=np.float32).reshape(n, dims)


def wait_step(page: Any, step: int) -> None:
    """Wait until the page shows `step`'s finished projection."""
    page.wait_for_function(
        "(step) => { const s = window.embedscope?.store.get(); if (!s) return false;"
        " return s.job?.step === step && s.job.state === 'done' && s.busy === null && s.coords !== null; }",
        arg=step,
        timeout=60_000,
    )


def test_the_slider_projects_each_step_in_one_frame(page: Any, server: str) -> None:
    slider = page.locator("#step-slider")
    assert slider.get_attribute("max") == str(len(STEPS) - 1)
    assert slider.input_value() == "2"  # the latest step first
    assert page.locator("#step-value").inner_text() == "10"
    assert "latest" in page.locator(".step-bar").inner_text()
    latest = page_coords(page)
    np.testing.assert_allclose(latest, api_coords(server, 10), rtol=1e-5, atol=1e-5)

    page.fill("#step-slider", "0")
    assert page.locator("#step-value").inner_text() == "0"
    wait_step(page, 0)
    first = page_coords(page)
    np.testing.assert_allclose(first, api_coords(server, 0), rtol=1e-5, atol=1e-5)
    assert not np.allclose(first, latest, atol=1e-3)  # the points moved
    assert store(page, "s.coords.morph") is True  # and glide there (deck.gl transitions)
    page.wait_for_function("window.embedscope.view.labelled.length > 0")  # labels back once they arrived
    shot(page, "steps-slider-step0.png")

    page.fill("#step-slider", "1")
    wait_step(page, 5)
    np.testing.assert_allclose(page_coords(page), api_coords(server, 5), rtol=1e-5, atol=1e-5)
    page.wait_for_function("window.location.hash.includes('step=5')")


def test_the_step_survives_a_reload_and_the_keys_move_it(page: Any, server: str) -> None:
    page.fill("#step-slider", "0")
    wait_step(page, 0)
    page.wait_for_function("window.location.hash.includes('step=0')")
    page.reload()
    wait_step(page, 0)
    assert page.locator("#step-slider").input_value() == "0"
    np.testing.assert_allclose(page_coords(page), api_coords(server, 0), rtol=1e-5, atol=1e-5)

    page.locator("#scatter").focus()
    page.keyboard.press("]")
    wait_step(page, 5)
    assert page.locator("#step-value").inner_text() == "5"
    page.locator("#step-slider").focus()  # the slider itself: arrow keys, as any range input
    page.keyboard.press("ArrowRight")
    wait_step(page, 10)
    assert store(page, "s.step") is None  # the latest
    page.wait_for_function("!window.location.hash.includes('step=')")


def test_play_steps_through_every_step(page: Any) -> None:
    page.fill("#step-slider", "0")
    wait_step(page, 0)
    page.evaluate(
        """() => {
      window.__shown = [];
      window.embedscope.store.subscribe((s) => {
        const last = window.__shown[window.__shown.length - 1];
        const drawn = s.job?.state === 'done' && s.coords && s.busy === null;
        if (drawn && s.job.step !== last) window.__shown.push(s.job.step);
      });
    }"""
    )
    page.click("#step-play")
    assert page.locator("#step-play").get_attribute("aria-pressed") == "true"
    page.wait_for_function("window.embedscope.store.get().playing === false", timeout=60_000)
    assert page.evaluate("window.__shown") == [0, 5, 10]  # from the shown step on
    assert page.locator("#step-slider").input_value() == "2"
    assert page.locator("#step-play").get_attribute("aria-pressed") == "false"


def compared(page: Any) -> dict[str, list[int]]:
    return {
        kind: [
            int(i) for i in page.locator(f"#compare-{kind} li").evaluate_all("(els) => els.map((e) => e.dataset.index)")
        ]
        for kind in ("appeared", "left", "stayed")
    }


def expected(answer: dict[str, Any]) -> dict[str, list[int]]:
    return {kind: [n["index"] for n in answer[kind]] for kind in ("appeared", "left", "stayed")}


def test_compare_the_clicked_points_neighbours_between_steps(page: Any, server: str) -> None:
    page.fill("#step-slider", "1")
    wait_step(page, 5)
    page.fill("#search", "w7")
    page.press("#search", "Enter")
    page.wait_for_function("window.embedscope.store.get().selectionSource === 'search'")
    page.locator("#match-list li[data-index='7'] button").click()
    page.locator("#neighbor-list li").first.wait_for(timeout=15_000)
    assert "at step 5" in page.locator(".inspector").inner_text()  # the neighbours of the step on the plot
    k = store(page, "s.k")  # the server's default
    at5 = api(server, f"{EMB}/neighbors", {"query": 7, "k": k, "step": 5})["neighbors"]
    at10 = api(server, f"{EMB}/neighbors", {"query": 7, "k": k})["neighbors"]
    assert [n["index"] for n in at5] != [n["index"] for n in at10]
    listed = "(els) => els.map((e) => Number(e.dataset.index))"
    page.wait_for_function("(n) => document.querySelectorAll('#neighbor-list li').length === n", arg=len(at5))
    assert page.locator("#neighbor-list li").evaluate_all(listed) == [n["index"] for n in at5]

    page.click("#compare-toggle")  # with the step before the shown one: 0 -> 5
    assert page.locator("#compare-step").input_value() == "0"
    page.locator("#compare").wait_for(timeout=15_000)
    answer = api(server, f"{EMB}/neighbors/compare", {"query": 7, "k": k, "from_step": 0, "to_step": 5})
    assert answer["appeared"] and answer["left"], "the fixture's neighbourhoods should change"
    page.wait_for_function(
        "(n) => document.querySelectorAll('#compare-appeared li').length === n", arg=len(answer["appeared"])
    )
    assert compared(page) == expected(answer)
    assert "step 0" in page.locator("#compare-summary").inner_text()
    shot(page, "steps-compare.png")

    page.select_option("#compare-step", "10")  # in training order: 5 -> 10
    answer = api(server, f"{EMB}/neighbors/compare", {"query": 7, "k": k, "from_step": 5, "to_step": 10})
    page.wait_for_function(
        "() => { const c = window.embedscope.store.get().compare; return c && c.from_step === 5 && c.to_step === 10; }"
    )
    assert compared(page) == expected(answer)

    page.fill("#k-slider", "5")  # k changes: compared again
    answer = api(server, f"{EMB}/neighbors/compare", {"query": 7, "k": 5, "from_step": 5, "to_step": 10})
    page.wait_for_function("window.embedscope.store.get().compare?.k === 5", timeout=15_000)
    assert compared(page) == expected(answer)

    page.click("#compare-toggle")  # back to the neighbours list
    page.locator("#neighbor-list li").first.wait_for()
    assert page.locator("#compare").count() == 0

    page.fill("#k-slider", str(k))
    page.fill("#step-slider", "2")  # the latest step: its neighbours are listed
    wait_step(page, 10)
    page.wait_for_function(
        "(want) => JSON.stringify(Array.from(document.querySelectorAll('#neighbor-list li'),"
        " (e) => Number(e.dataset.index))) === JSON.stringify(want)",
        arg=[n["index"] for n in at10],
        timeout=15_000,
    )
    assert "at the latest step (10)" in page.locator(".inspector").inner_text()


def test_search_in_another_column_lists_its_values(page: Any, server: str) -> None:
    page.select_option("#search-column", "group")
    page.fill("#search", "g3")
    page.press("#search", "Enter")
    want = api(server, f"{EMB}/search?q=g3&column=group")["indices"]
    page.wait_for_function(
        "(n) => window.embedscope.store.get().searchCount === n && document.querySelector('#match-list li .meta')"
        "?.textContent.startsWith('g3')",
        arg=len(want),
    )
    assert store(page, "s.selection") == want
    first = page.locator("#match-list li").first.inner_text()
    assert first.split()[0] == f"w{want[0]}"  # labelled by word, with the group beside it
    assert "g3" in first
    wait_done(page)


def test_steps_logged_while_the_page_is_open_join_the_slider(browser: Any, tmp_path: Path) -> None:
    """Training goes on while the page is open: a new step appears on the slider, and a page on the latest step
    moves to it (the page asks every 10 s)."""
    logs = write_log(tmp_path / "logs")
    served = Served(logs, tmp_path)
    url = served.start()
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    try:
        page = context.new_page()
        page.goto(url)
        wait_step(page, STEPS[-1])
        assert page.locator("#step-slider").get_attribute("max") == "2"
        table = np.asarray(embedscope.load(logs).vectors) * 1.5
        embedscope.log_embedding(logs, table, name="words", step=15)
        page.wait_for_function("document.querySelector('#step-slider')?.getAttribute('max') === '3'", timeout=30_000)
        wait_step(page, 15)
        assert page.locator("#step-value").inner_text() == "15"
        assert store(page, "s.step") is None  # still following the latest
    finally:
        context.close()
        served.stop()
