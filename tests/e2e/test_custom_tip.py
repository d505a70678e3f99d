"""The Embeddings guide's advanced tip, end to end on MiniLM's 30,522 token embeddings in headless Chromium: search
"politics", click it, 100 neighbours, isolate the 101 points, then custom axes from `worst` (left) to `best` (right).

The server projects the isolated rows on axes made from every row (the centroids of `worst` and `best` over all
30,522 tokens, not just the 101) and counts each pattern's matches over every row; the page draws the 101 points
alone, says "101 of 30,522 points", shows the server's counts under the patterns, and leaves "Isolate" off until the
selection changes. One page serves the module (the MiniLM model loads in seconds); screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from page_helpers import api, serving, shot, store, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TOKENS = "embeddings.word_embeddings.weight"


def _minilm(root: Path) -> Path:
    minilm = pytest.importorskip("embedscope.demo")
    try:
        return minilm.minilm_path() / "model.safetensors"
    except Exception as exc:  # the demo package is missing: say how to get it
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`embedscope serve` on MiniLM's model.safetensors (40 tensors; overrides conftest's digits server)."""
    with serving(_minilm, tmp_path_factory.mktemp("minilm")) as url:
        yield url


def tokens_id(server: str) -> str:
    [run] = api(server, "api/runs")["runs"]
    return next(e["id"] for e in run["embeddings"] if e["name"] == TOKENS)


@pytest.fixture(scope="module")
def tip(browser: Any, server: str) -> Iterator[Any]:
    """The tip's steps done on one page; page errors fail the module's last test."""
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server)  # it opens on the loader's default: the word embeddings, not the first of the 40 tensors
    wait_done(page, timeout=120_000)
    page.fill("#search", "politics")
    page.press("#search", "Enter")
    page.locator("#match-list li button", has_text="politics").first.wait_for()
    page.locator("#match-list li button").filter(has_text="politics").first.click()
    page.locator("#neighbor-list li").first.wait_for(timeout=30_000)
    page.fill("#k-value", "100")
    page.press("#k-value", "Enter")
    page.wait_for_function("window.embedscope.store.get().selection.length === 101", timeout=30_000)
    assert page.locator("#isolate").inner_text() == "Isolate 101 points"
    page.click("#isolate")
    page.wait_for_function("window.embedscope.store.get().isolated?.length === 101")
    wait_done(page, timeout=120_000)
    page.click("#tab-custom")
    page.fill("#custom-left", "worst")
    page.fill("#custom-right", "best")
    page.locator("#custom-right-count").wait_for()
    page.click("#custom-run")
    page.wait_for_function("window.embedscope.store.get().job?.method === 'custom'")
    wait_done(page, timeout=120_000)
    page.locator("#axis-x").wait_for()
    page.errors = errors
    yield page
    context.close()


def test_the_page_draws_the_101_isolated_points_only(tip: Any, server: str) -> None:
    page = tip
    assert store(page, "s.embedding.id") == tokens_id(server)
    assert store(page, "s.focus") is not None and store(page, "s.labelBy") == "label"
    assert store(page, "s.columns.label[s.focus]") == "politics"
    assert store(page, "s.job.subset_size") == 101
    assert store(page, "[s.coords.n, s.coords.dims]") == [30_522, 2]  # spread over every row, NaN for the others
    assert store(page, "s.coords.data.filter(Number.isFinite).length") == 101 * 2
    assert page.evaluate("window.embedscope.view.drawn") == 101
    assert "101 of 30,522 points" in page.locator("#point-count").inner_text()
    assert page.locator("#isolated-note").inner_text() == "Showing 101 isolated points."
    # the selection is what is isolated: isolating it again would change nothing
    assert page.locator("#isolate").is_disabled()


def test_the_pattern_counts_are_the_servers_over_every_row(tip: Any, server: str) -> None:
    page = tip
    counts = store(page, "s.job.summary.counts")
    assert counts["left"] >= 1 and counts["right"] >= 1, counts
    for side in ("left", "right"):
        shown = page.locator(f"#custom-{side}-count").inner_text()
        n = counts[side]
        assert shown == f"{n:,} match{'es' if n != 1 else ''}", (side, shown, counts)
    # over every row: the server's search of the whole column agrees
    emb = f"api/runs/r0/embeddings/{tokens_id(server)}"
    assert api(server, f"{emb}/search?q=worst&column=label")["count"] == counts["left"]
    assert api(server, f"{emb}/search?q=best&column=label")["count"] == counts["right"]
    assert page.locator("#axis-x").inner_text() == "worst → best"


def test_the_isolated_points_lie_on_both_sides_of_the_worst_best_axis(tip: Any) -> None:
    page = tip
    xs = store(page, "s.isolated.map((i) => s.coords.data[i * 2])")
    assert min(xs) < 0 < max(xs), (min(xs), max(xs))  # relative to the mean of all rows: some lean each way
    # drawn in that order: the most "worst"-ward point left of the most "best"-ward one
    rows = store(page, "s.isolated")
    lo, hi = rows[xs.index(min(xs))], rows[xs.index(max(xs))]
    [(x_lo, _), (x_hi, _)] = page.evaluate("(ix) => ix.map((i) => window.embedscope.view.screenPosition(i))", [lo, hi])
    assert x_lo < x_hi
    # every selected point is labelled (the neighbour count is 100: all 101 of them)
    labelled = page.evaluate("window.embedscope.view.labelled")
    assert set(store(page, "s.selection")) <= set(labelled)
    shot(page, "custom-tip.png")
    assert page.errors == []


def test_a_changed_selection_can_be_isolated_again(tip: Any) -> None:
    page = tip
    page.fill("#search", "polit")
    page.press("#search", "Enter")
    page.wait_for_function("window.embedscope.store.get().searchCount > 3")
    assert page.locator("#isolate").is_enabled()


def test_the_picker_shows_whole_names_and_shapes_and_filters_them(tip: Any, server: str) -> None:
    page = tip
    name = page.locator("#embedding-name")
    assert name.inner_text() == TOKENS
    assert name.evaluate("(e) => e.scrollWidth <= e.clientWidth")  # wrapped, not cut off
    page.click("#embedding-select")
    options = page.locator("#embedding-list [role=option]")
    assert options.count() == 40
    texts = options.all_inner_texts()
    assert any(TOKENS in t and "30,522 × 384" in t for t in texts), texts[:3]
    assert any("embeddings.position_embeddings.weight" in t and "512 × 384" in t for t in texts)
    shot(page, "embedding-picker.png")
    page.fill("#embedding-filter", "position")
    assert options.count() == 1
    page.press("#embedding-filter", "Enter")
    page.wait_for_function("window.embedscope.store.get().embedding?.name === 'embeddings.position_embeddings.weight'")
    wait_done(page)
    assert "512 points" in page.locator("#point-count").inner_text()
    assert page.locator("#embedding-menu").count() == 0
    # Escape closes the list without choosing
    page.click("#embedding-select")
    page.fill("#embedding-filter", "word")
    page.press("#embedding-filter", "Escape")
    assert page.locator("#embedding-menu").count() == 0
    assert store(page, "s.embedding.name") == "embeddings.position_embeddings.weight"
