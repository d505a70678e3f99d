"""The projections panel in headless Chromium: UMAP with its parameters and progress, custom axes with live
match counts and axis labels, and the t-SNE controls (learning rate, seed, pause/resume, stop, re-run).

Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

from typing import Any

import pytest
from page_helpers import ARTIFACTS, api, pixel_script

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# How many of the given rows have drawn (non-background) pixels around their screen position.
INKED = pixel_script(
    """
  const { view, scale, box } = await pixels();
  let inked = 0;
  for (const i of indices) {
    const [px, py] = view.screenPosition(i);
    if (box(Math.round(px * scale), Math.round(py * scale), Math.round(3 * scale)) > 0) inked += 1;
  }
  return inked;""",
    "indices",
)


def job(page: Any) -> Any:
    return page.evaluate("window.embedscope.store.get().job")


def set_number(page: Any, selector: str, value: str) -> None:
    page.fill(selector, value)
    page.press(selector, "Tab")


def test_the_parameter_inputs_take_the_servers_bounds_defaults_and_help(page: Any, server: str) -> None:
    options = api(server, "api/options")
    params = {m: {p["name"]: p for p in ps} for m, ps in options["projection"]["params"].items()}
    number = "(el) => [el.min, el.max, el.value, el.title]"
    page.click("#tab-tsne")
    tsne = params["tsne"]
    for selector, name in (("#tsne-perplexity", "perplexity"), ("#tsne-iterations", "n_iter")):
        low, high, value, _ = page.locator(selector).evaluate(number)
        assert (float(low), float(high), float(value)) == (tsne[name]["min"], tsne[name]["max"], tsne[name]["default"])
    low, high, value, title = page.locator("#tsne-learning-rate").evaluate(number)
    assert (low, high, value) == ("0", "", "")  # no maximum; empty: "auto", the server's default
    assert tsne["learning_rate"]["default"] == "auto"
    assert title == tsne["learning_rate"]["help"]
    page.click("#tab-umap")
    umap = params["umap"]
    low, high, value, _ = page.locator("#umap-neighbors").evaluate(number)
    assert (float(low), float(high), float(value)) == tuple(umap["n_neighbors"][k] for k in ("min", "max", "default"))
    k = options["neighbors"]["k"]
    assert page.locator("#k-slider").evaluate("(el) => [Number(el.min), Number(el.max)]") == [k["min"], k["max"]]
    assert page.evaluate("window.embedscope.store.get().k") == k["default"]


def test_umap_runs_with_its_parameters_and_shows_progress(page: Any) -> None:
    page.click("#tab-umap")
    page.click("#dims-3")
    set_number(page, "#umap-neighbors", "10")
    set_number(page, "#umap-min-dist", "0.25")
    set_number(page, "#umap-seed", "3")
    page.click("#umap-run")
    page.locator("#umap-progress progress").wait_for(timeout=30_000)
    seen = set()
    for _ in range(900):
        text = page.locator("#umap-status").inner_text()
        seen.add(text)
        if text == "done":
            break
        page.wait_for_timeout(200)
    assert text == "done", text
    assert len(seen) >= 2, seen  # progress was reported before the end
    status = job(page)
    assert status["method"] == "umap" and status["n_components"] == 3
    assert status["params"]["n_neighbors"] == 10
    assert status["params"]["min_dist"] == pytest.approx(0.25)
    assert status["random_state"] == 3
    page.wait_for_function("window.embedscope.store.get().coords.dims === 3", timeout=30_000)
    assert page.evaluate("window.embedscope.store.get().busy") is None
    sample = list(range(0, 1797, 60))
    assert page.evaluate(INKED, sample) >= 0.9 * len(sample)
    page.locator("#quality").wait_for()
    summary = job(page)["summary"]
    shown = page.locator("#trust").inner_text()  # the server's trustworthiness and continuity, as measured
    assert f"Trustworthiness {summary['trustworthiness']:.3f}" in shown, shown
    assert f"continuity {summary['continuity']:.3f}" in shown and summary["trustworthiness"] > 0.9, shown
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "umap-3d.png"))


def test_an_approximate_graph_and_a_parallel_layout_are_asked_for_and_reported(page: Any, server: str) -> None:
    umap = {p["name"]: p for p in api(server, "api/options")["projection"]["params"]["umap"]}
    page.click("#tab-umap")
    page.click("#dims-2")
    graph = page.locator("#umap-graph")
    assert graph.evaluate("(el) => [...el.options].map((o) => o.value)") == umap["neighbors"]["choices"]
    assert graph.input_value() == umap["neighbors"]["default"] == "auto"
    assert graph.get_attribute("title") == umap["neighbors"]["help"]
    assert not page.locator("#umap-parallel").is_checked()
    graph.select_option("approximate")
    page.check("#umap-parallel")
    page.wait_for_function("location.hash.includes('graph=approximate') && location.hash.includes('par=1')")
    page.click("#umap-run")
    recall = page.locator("#knn-recall")
    recall.wait_for(timeout=120_000)  # with the finished job's summary
    status = job(page)
    assert status["params"]["neighbors"] == "approximate" and status["params"]["parallel"] is True
    assert status["summary"]["knn_engine"] == "hnsw" and status["summary"]["reproducible"] is False
    shown = f"{100 * status['summary']['knn_recall']:.1f}%"
    assert shown in recall.inner_text() and "a re-run can differ" in recall.inner_text()
    page.click("#tab-tsne")  # the graph choice is shared: t-SNE's select shows it
    assert page.locator("#tsne-graph").input_value() == "approximate"
    page.locator("#tsne-graph").select_option("auto")
    page.click("#tab-umap")
    page.uncheck("#umap-parallel")
    page.wait_for_function("!location.hash.includes('graph=') && !location.hash.includes('par=')")


def test_custom_axes_count_matches_and_report_axis_labels(page: Any, server: str) -> None:
    page.click("#tab-custom")
    page.select_option("#custom-column", "label")
    page.fill("#custom-left", "1")
    page.fill("#custom-right", "7")
    page.fill("#custom-up", "0")
    for side, pattern in (("left", "1"), ("right", "7"), ("up", "0")):
        count = api(server, f"api/runs/r0/embeddings/e0/search?q={pattern}&column=label")["count"]
        assert count > 0
        page.wait_for_function(
            "([s, n]) => document.querySelector(`#custom-${s}-count`)?.textContent === `${n} matches`",
            arg=[side, f"{count:,}"],
            timeout=10_000,
        )
    assert page.locator("#custom-down-count").count() == 0  # no pattern, no count
    page.click("#custom-run")
    page.wait_for_function(
        "window.embedscope.store.get().job?.method === 'custom' && window.embedscope.store.get().job.state === 'done'",
        timeout=60_000,
    )
    labels = page.evaluate("window.embedscope.store.get().axisLabels")
    assert labels == {"x": "1 → 7", "y": "mean → 0"}, labels
    assert "1 → 7" in page.locator("#custom-axes").inner_text()
    summary = job(page)["summary"]
    assert summary["counts"]["left"] == api(server, "api/runs/r0/embeddings/e0/search?q=1&column=label")["count"]
    sample = list(range(0, 1797, 36))
    assert page.evaluate(INKED, sample) == len(sample)
    page.screenshot(path=str(ARTIFACTS / "custom-axes.png"))

    # a regular expression: the counts follow the toggle
    page.check("#custom-regex")
    page.fill("#custom-left", "^[12]$")
    expected = api(server, "api/runs/r0/embeddings/e0/search?q=%5E%5B12%5D%24&column=label&mode=regex")["count"]
    page.wait_for_function(
        "(n) => document.querySelector('#custom-left-count')?.textContent === `${n} matches`",
        arg=f"{expected:,}",
        timeout=10_000,
    )
    page.click("#custom-run")
    page.wait_for_function(
        "window.embedscope.store.get().axisLabels?.x === '^[12]$ → 7' && window.embedscope.store.get().busy === null",
        timeout=60_000,
    )
    assert job(page)["params"]["regex"] is True


def test_tsne_controls_pause_resume_stop_and_rerun(page: Any) -> None:
    page.click("#tab-tsne")
    set_number(page, "#tsne-iterations", "5000")
    set_number(page, "#tsne-learning-rate", "150")
    set_number(page, "#tsne-seed", "5")
    page.click("#tsne-run")
    page.wait_for_function(
        "/Iteration [1-9]/.test(document.querySelector('#tsne-iteration')?.textContent ?? '')", timeout=120_000
    )
    status = job(page)
    assert status["params"]["learning_rate"] == 150 and status["random_state"] == 5

    page.click("#tsne-pause")
    page.wait_for_function("window.embedscope.store.get().job.state === 'paused'", timeout=30_000)
    page.locator("#tsne-resume").wait_for()
    page.wait_for_timeout(500)
    held = job(page)["iteration"]
    page.wait_for_timeout(1000)
    assert job(page)["iteration"] == held  # paused: no progress
    page.screenshot(path=str(ARTIFACTS / "tsne-paused.png"))

    page.click("#tsne-resume")
    page.wait_for_function(
        "(n) => { const j = window.embedscope.store.get().job; return j.state === 'running' && j.iteration > n; }",
        arg=held,
        timeout=60_000,
    )
    first = job(page)["id"]

    page.click("#tsne-stop")
    page.wait_for_function("window.embedscope.store.get().job.state === 'cancelled'", timeout=30_000)
    assert "cancelled" in page.locator("#tsne-iteration").inner_text()
    assert page.locator("#tsne-run").is_enabled()

    page.click("#tsne-rerun")
    page.wait_for_function(
        "(id) => { const j = window.embedscope.store.get().job; return j.id !== id && j.iteration > 0; }",
        arg=first,
        timeout=120_000,
    )
    assert job(page)["random_state"] == 6  # a fresh start with the next seed
    assert page.input_value("#tsne-seed") == "6"
    page.click("#tsne-stop")
    page.wait_for_function("window.embedscope.store.get().job.state === 'cancelled'", timeout=30_000)


def test_bookmarks_save_restore_rename_delete(page: Any, server: str) -> None:
    # a view worth keeping: UMAP in 2-D with its own parameters, a selection, other colour and label columns
    page.click("#tab-umap")
    page.click("#dims-2")
    set_number(page, "#umap-neighbors", "12")
    set_number(page, "#umap-seed", "4")
    page.click("#umap-run")
    page.wait_for_function(
        "window.embedscope.store.get().job?.method === 'umap' && window.embedscope.store.get().job.state === 'done'",
        timeout=180_000,
    )
    page.fill("#search", "2")
    page.press("#search", "Enter")
    page.wait_for_function("window.embedscope.store.get().selectionSource === 'search'")
    selection = page.evaluate("window.embedscope.store.get().selection")
    columns = page.evaluate("window.embedscope.store.get().embedding.columns.map((c) => c.name)")
    other = next((c for c in columns if c != "label"), "label")
    page.select_option("#label-by", other)
    page.fill("#bookmark-name", "umap twos")
    page.click("#bookmark-save")
    page.locator("#bookmark-list li[data-name='umap twos']").wait_for()
    page.locator("#bookmark-list").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "bookmarks.png"))
    saved = api(server, "api/bookmarks/umap%20twos")["state"]
    assert saved["projection"]["method"] == "umap" and saved["params"]["neighbors"] == 12
    assert saved["selection"] == selection and saved["labelBy"] == other

    # a reload starts over (PCA, nothing selected); restoring brings the view back
    page.goto(server)  # the URL's hash would reopen the same view: start from a bare link
    page.wait_for_function("window.embedscope && window.embedscope.store.get().coords !== null", timeout=30_000)
    assert page.evaluate("window.embedscope.store.get().projection.method") == "pca"
    page.locator("#bookmark-list li[data-name='umap twos'] .bookmark-restore").click()
    page.wait_for_function(
        "() => { const s = window.embedscope.store.get();"
        " return s.job?.method === 'umap' && s.job.state === 'done' && s.selection.length > 0 && s.busy === null; }",
        timeout=180_000,
    )
    state = page.evaluate(
        "() => { const s = window.embedscope.store.get();"
        " return { p: s.projection, params: s.params, sel: s.selection, labelBy: s.labelBy, colorBy: s.colorBy,"
        " seed: s.job.random_state, nn: s.job.params.n_neighbors, dims: s.coords.dims }; }"
    )
    assert state["p"]["method"] == "umap" and state["dims"] == 2
    assert state["params"]["neighbors"] == 12 and state["nn"] == 12 and state["seed"] == 4
    assert state["sel"] == selection
    assert state["labelBy"] == other and state["colorBy"] == saved["colorBy"]
    assert page.locator("#tab-umap").get_attribute("aria-selected") == "true"
    assert page.input_value("#umap-neighbors") == "12"
    page.screenshot(path=str(ARTIFACTS / "bookmark-restored.png"))

    # rename, then delete
    page.locator("#bookmark-list li[data-name='umap twos'] .bookmark-rename").click()
    page.fill(".bookmark-rename-input", "digit two")
    page.press(".bookmark-rename-input", "Enter")
    page.locator("#bookmark-list li[data-name='digit two']").wait_for()
    assert page.locator("#bookmark-list li[data-name='umap twos']").count() == 0
    assert [b["name"] for b in api(server, "api/bookmarks")["bookmarks"]] == ["digit two"]
    page.locator("#bookmark-list li[data-name='digit two'] .bookmark-delete").click()
    page.locator("#bookmark-list li[data-name='digit two']").wait_for(state="detached")
    assert api(server, "api/bookmarks")["bookmarks"] == []
