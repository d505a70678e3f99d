"""The page state lives in the URL's hash: a link reopens the same view (embedding, projection and its parameters,
colour and label choices, selection, camera); a large selection is left out; `?token=` keeps working.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from page_helpers import Served, canvas_box, screen_positions, shot, store, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SAMPLE = list(range(0, 1797, 97))


def _hash(page: Any) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).fragment, keep_blank_values=True))


def _wait_hash(page: Any, **expected: str) -> dict[str, str]:
    page.wait_for_function(
        """(want) => { const q = new URLSearchParams(location.hash.slice(1));
           return Object.entries(want).every(([k, v]) => q.get(k) === v); }""",
        arg=expected,
        timeout=15_000,
    )
    return _hash(page)


def _open(browser: Any, url: str) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("window.embedscope !== undefined", timeout=30_000)
    return page


def test_a_link_reopens_the_same_view(page: Any, browser: Any) -> None:
    assert _wait_hash(page, run="r0", tensor="e0", method="pca", dims="2")["axes"] == "0,1"
    # a view worth sharing: 3-D PCA on PC1, PC2, PC4; colour on a continuous scale; a search's matches; rotated
    page.click("#dims-3")
    page.wait_for_function("window.embedscope.store.get().coords?.dims === 3")
    page.select_option("#pca-z", "3")
    page.wait_for_function("window.embedscope.store.get().job?.params?.axes?.[2] === 3")
    wait_done(page)
    page.select_option("#color-by", "num:label")  # a continuous scale (the digits have one metadata column)
    page.fill("#search", "4")
    page.press("#search", "Enter")
    page.wait_for_function("window.embedscope.store.get().selectionSource === 'search'")
    box = canvas_box(page)
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx - 90, cy + 40, steps=6)
    page.mouse.up()
    page.mouse.wheel(0, -300)
    page.wait_for_timeout(400)
    camera = page.evaluate("window.embedscope.view.camera()")
    query = _wait_hash(page, dims="3", axes="0,1,3", label="label", color="label", cmode="numeric")
    assert query["sel"] and "cam" in query
    cam = [float(v) for v in query["cam"].split(",")]
    expected = [*camera["target"], camera["zoom"], camera["rotationX"], camera["rotationOrbit"]]
    assert cam == pytest.approx(expected, abs=1e-3)
    selection = store(page, "s.selection")
    before = screen_positions(page, SAMPLE)
    link = page.url
    shot(page, "url-state-before.png")

    # open the link in a fresh page: the same view, the same points in the same places
    other_page = _open(browser, link)
    try:
        other_page.wait_for_function(
            "(() => { const s = window.embedscope.store.get(); return s.coords?.dims === 3 && s.busy === null"
            " && s.job?.state === 'done' && s.selection.length > 0; })()",
            timeout=60_000,
        )
        state = store(
            other_page,
            "{ p: s.projection, labelBy: s.labelBy, colorBy: s.colorBy, mode: s.colorMode, sel: s.selection }",
        )
        assert state["p"]["method"] == "pca" and state["p"]["dims"] == 3 and state["p"]["axes"] == [0, 1, 3]
        assert state["labelBy"] == "label" and state["colorBy"] == "label" and state["mode"] == "numeric"
        other_page.locator("#numeric-legend").wait_for()
        assert sorted(state["sel"]) == sorted(selection)
        reopened = other_page.evaluate("window.embedscope.view.camera()")
        assert reopened["dims"] == 3 and reopened["target"] == pytest.approx(camera["target"], abs=1e-4)
        for key in ("zoom", "rotationX", "rotationOrbit"):
            assert reopened[key] == pytest.approx(camera[key], abs=1e-3)
        after = screen_positions(other_page, SAMPLE)
        for a, b in zip(before, after, strict=True):
            assert a == pytest.approx(b, abs=1.0)
        assert other_page.input_value("#pca-z") == "3"
        shot(other_page, "url-state-reopened.png")
    finally:
        other_page.context.close()


def test_tsne_parameters_and_a_large_selection(page: Any, browser: Any) -> None:
    page.click("#tab-tsne")
    page.fill("#tsne-perplexity", "12")
    page.press("#tsne-perplexity", "Tab")
    page.fill("#tsne-iterations", "250")
    page.press("#tsne-iterations", "Tab")
    page.fill("#tsne-seed", "3")
    page.press("#tsne-seed", "Tab")
    page.click("#tsne-run")
    page.wait_for_function("window.embedscope.store.get().job?.method === 'tsne'")
    wait_done(page, timeout=180_000)
    query = _wait_hash(page, method="tsne", perplexity="12", iter="250", seed="3")
    assert "sel" not in query
    # every other point: too long a list for a URL, so it is left out (the rest of the state stays)
    page.evaluate("window.embedscope.store.set({ selection: Array.from({ length: 899 }, (_, i) => 2 * i) })")
    page.wait_for_timeout(700)
    assert "sel" not in _hash(page) and _hash(page)["method"] == "tsne"
    # a contiguous run of points is short as a range
    page.evaluate("window.embedscope.store.set({ selection: Array.from({ length: 500 }, (_, i) => i + 100) })")
    assert _wait_hash(page, sel="100-599")["method"] == "tsne"
    other_page = _open(browser, page.url)
    try:
        other_page.wait_for_function(
            "(() => { const s = window.embedscope.store.get();"
            " return s.job?.method === 'tsne' && s.job.state === 'done' && s.selection.length === 500; })()",
            timeout=180_000,
        )
        job = store(other_page, "s.job")
        assert job["params"]["perplexity"] == 12 and job["random_state"] == 3
        assert other_page.input_value("#tsne-perplexity") == "12"
    finally:
        other_page.context.close()


@pytest.fixture(scope="module")
def with_token(tmp_path_factory: pytest.TempPathFactory, server: str) -> Iterator[str]:
    from embedscope.demo import digits

    root = tmp_path_factory.mktemp("token")
    served = Served(digits().save(root / "logdir"), root, extra=("--token", "s3cret-token"))
    try:
        yield served.start()
    finally:
        served.stop()


def test_the_token_stays_in_the_link(browser: Any, with_token: str, tmp_path: Path) -> None:
    assert "token=s3cret-token" in with_token
    page = _open(browser, with_token)
    try:
        wait_done(page)
        page.click("#dims-3")
        query = _wait_hash(page, dims="3")
        parts = urllib.parse.urlsplit(page.url)
        assert urllib.parse.parse_qs(parts.query) == {"token": ["s3cret-token"]}
        assert query["run"] == "r0"
        link = page.url
    finally:
        page.context.close()
    # a fresh browser context (no cookie) opens the link: the token in it still lets the page in
    page = _open(browser, link)
    try:
        page.wait_for_function("window.embedscope.store.get().coords?.dims === 3", timeout=60_000)
        wait_done(page)
        assert page.locator("#error").count() == 0
    finally:
        page.context.close()
