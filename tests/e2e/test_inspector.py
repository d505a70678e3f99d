"""The inspector in headless Chromium: the k slider and the metric of the neighbours list, isolating the
selection (re-projected alone) and showing all data again, exports of the selection and the coordinates.

Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from page_helpers import ARTIFACTS, api, listed_label

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def store(page: Any, key: str) -> Any:
    return page.evaluate(f"window.embedscope.store.get().{key}")


def search(page: Any, text: str) -> int:
    page.fill("#search", text)
    page.press("#search", "Enter")
    page.wait_for_function("window.embedscope.store.get().selectionSource === 'search'")
    return len(store(page, "selection"))


def neighbour_labels(page: Any) -> list[str]:
    return [listed_label(t) for t in page.locator("#neighbor-list li").all_inner_texts()]


def test_k_slider_and_metric_change_the_neighbours(page: Any, server: str) -> None:
    search(page, "3")
    page.locator("#match-list li button").first.click()
    page.locator("#neighbor-list li").first.wait_for(timeout=15_000)
    focus = store(page, "focus")

    page.fill("#k-slider", "5")
    page.wait_for_function("document.querySelectorAll('#neighbor-list li').length === 5", timeout=15_000)
    assert page.locator("#k-value").input_value() == "5"
    expected = api(server, "api/runs/r0/embeddings/e0/neighbors", {"query": focus, "k": 5})["neighbors"]
    assert neighbour_labels(page) == [n["label"] for n in expected]
    assert page.locator("#selection-count").inner_text() == "6 points selected"

    page.click("#metric-euclidean")
    body = {"query": focus, "k": 5, "metric": "euclidean"}
    expected = api(server, "api/runs/r0/embeddings/e0/neighbors", body)["neighbors"]
    page.wait_for_function(
        "(ix) => JSON.stringify(window.embedscope.store.get().neighbors?.map((n) => n.index)) === JSON.stringify(ix)",
        arg=[n["index"] for n in expected],
        timeout=15_000,
    )
    assert "Euclidean" in page.locator(".inspector").inner_text()
    texts = page.locator("#neighbor-list li").all_inner_texts()
    assert all("°" not in t for t in texts)  # no angles for euclidean
    assert f"{expected[0]['distance']:.3f}" in texts[0]

    page.fill("#k-slider", "1000")
    page.wait_for_function("document.querySelectorAll('#neighbor-list li').length === 1000", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "inspector-k1000-euclidean.png"))


def test_isolate_reprojects_the_selection_and_show_all_restores(page: Any) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    n = search(page, "7")
    assert n > 3
    button = page.locator("#isolate")
    assert button.inner_text() == f"Isolate {n} points"
    button.click()
    page.wait_for_function(
        "(n) => { const s = window.embedscope.store.get();"
        " return s.job?.subset_size === n && s.job.state === 'done' && s.busy === null && s.isolated?.length === n; }",
        arg=n,
        timeout=60_000,
    )
    page.wait_for_function("window.embedscope.store.get().coords.n === 1797")
    finite = page.evaluate(
        "() => { const s = window.embedscope.store.get(); const c = s.coords; const inside = new Set(s.isolated);"
        " let ok = 0, hidden = 0;"
        " for (let i = 0; i < c.n; i++) { const f = Number.isFinite(c.data[i * c.dims]);"
        "   if (inside.has(i) && f) ok++; if (!inside.has(i) && !f) hidden++; }"
        " return [ok, hidden]; }"
    )
    assert finite == [n, 1797 - n]
    assert f"{n} isolated points" in page.locator("#isolated-note").inner_text()
    page.screenshot(path=str(ARTIFACTS / "isolated.png"))
    page.click("#clear-selection")  # labels are placed again over points that are not drawn (NaN): no error
    page.wait_for_function("() => window.embedscope.store.get().selection.length === 0")
    page.wait_for_timeout(300)
    assert errors == []

    page.click("#show-all")
    page.wait_for_function(
        "() => { const s = window.embedscope.store.get();"
        " return s.isolated === null && s.job?.subset_size === null && s.job.state === 'done' && s.busy === null; }",
        timeout=60_000,
    )
    page.wait_for_function("() => window.embedscope.store.get().coords.data.every((v) => Number.isFinite(v))")
    assert page.locator("#isolated-note").count() == 0


def test_export_the_selection_and_the_coordinates(page: Any, tmp_path: Path) -> None:
    n = search(page, "4")
    page.select_option("#export-format", "csv")
    with page.expect_download() as info:
        page.click("#export-selection")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".csv"
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == n
    assert {row["label"] for row in rows} == {"4"}
    assert "x" in rows[0] and "y" in rows[0]  # the finished projection's coordinates come along
    assert sorted(int(r["index"]) for r in rows) == sorted(store(page, "selection"))

    page.select_option("#export-format", "tsv")
    with page.expect_download() as info:
        page.click("#export-selection")
    tsv = tmp_path / info.value.suggested_filename
    info.value.save_as(tsv)
    assert tsv.suffix == ".tsv"
    assert len(tsv.read_text().splitlines()) == n + 1

    page.select_option("#export-format", "parquet")
    with page.expect_download() as info:
        page.click("#export-coords")
    parquet = tmp_path / info.value.suggested_filename
    info.value.save_as(parquet)
    table = pq.read_table(parquet)
    assert table.num_rows == 1797
    assert {"index", "x", "y"} <= set(table.column_names)
    assert all(math.isfinite(v) for v in table.column("x").to_pylist())
    assert store(page, "error") is None
