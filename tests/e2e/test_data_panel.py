"""The data panel in real headless Chromium: "Spherize data" re-projects, "Load" uploads a metadata TSV.

Each test checks the page against the served API (the jobs' parameters and coordinates, the embedding's columns)
and the drawing against the exported canvas's pixels. Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from page_helpers import ARTIFACTS, api, pixel_script

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

N = 1797  # rows of the digits demo (64 dimensions: spherized by default)
EMB = "api/runs/r0/embeddings/e0"

# Where the canvas has ink: the ink pixels' count and their mean position (changes when the points move).
INK_CENTRE = pixel_script(
    """
  const { width, height, ink } = await pixels();
  let count = 0, sx = 0, sy = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (ink(x, y)) { count++; sx += x; sy += y; }
  return { count, x: sx / Math.max(count, 1), y: sy / Math.max(count, 1) };"""
)

SHOWN = "window.embedscope.store.get()"


def _shown(page: Any) -> dict[str, Any]:
    """The job the page shows and its coordinates (n x dims)."""
    state = page.evaluate(f"(s => ({{ job: s.job, coords: Array.from(s.coords.data), dims: s.coords.dims }}))({SHOWN})")
    return {"job": state["job"], "coords": np.array(state["coords"], dtype=np.float32).reshape(-1, state["dims"])}


def _api_coords(server: str, job_id: str) -> np.ndarray:
    answer = api(server, f"api/projections/{job_id}/coords?format=json")
    return np.array(answer["coords"], dtype=np.float32)


def _wait_for_pca(page: Any, *, spherize: bool) -> None:
    page.wait_for_function(
        f"(on => (s => s.busy === null && s.job?.state === 'done' && s.job.method === 'pca' && s.job.spherize === on)"
        f"({SHOWN}))",
        arg=spherize,
        timeout=60_000,
    )


def test_spherize_toggle_reprojects_pca(page: Any, server: str) -> None:
    box = page.locator("#spherize")
    assert box.is_checked()  # the server's default for 64 dimensions
    on = _shown(page)
    assert on["job"]["spherize"] is True
    ink_on = page.evaluate(INK_CENTRE)

    box.uncheck()
    _wait_for_pca(page, spherize=False)
    off = _shown(page)
    assert off["job"]["id"] != on["job"]["id"]
    assert not box.is_checked()
    # the page shows the server's coordinates of the unspherized PCA, which differ from the spherized ones
    np.testing.assert_allclose(off["coords"], _api_coords(server, off["job"]["id"]), rtol=1e-5, atol=1e-5)
    assert off["coords"].shape == on["coords"].shape == (N, 2)
    assert not np.allclose(off["coords"], on["coords"], atol=1e-3)
    jobs = {job["id"]: job for job in api(server, "api/projections")}
    assert jobs[off["job"]["id"]]["spherize"] is False
    assert jobs[off["job"]["id"]]["method"] == "pca"
    assert jobs[on["job"]["id"]]["spherize"] is True
    ink_off = page.evaluate(INK_CENTRE)
    assert ink_off["count"] > N * 3
    assert (ink_off["x"], ink_off["y"], ink_off["count"]) != (ink_on["x"], ink_on["y"], ink_on["count"])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "spherize-off.png"))

    box.check()
    _wait_for_pca(page, spherize=True)
    again = _shown(page)
    assert again["job"]["id"] == on["job"]["id"]  # the same projection as at first (attached, not recomputed)
    np.testing.assert_allclose(again["coords"], on["coords"], rtol=1e-5, atol=1e-5)


def test_spherize_choice_applies_to_other_methods(page: Any, server: str) -> None:
    page.locator("#spherize").uncheck()
    _wait_for_pca(page, spherize=False)
    page.click("#tab-umap")
    page.click("#umap-run")
    page.wait_for_function(
        f"(s => s.job?.method === 'umap' && s.job.state === 'done' && s.busy === null)({SHOWN})", timeout=180_000
    )
    job = page.evaluate(f"{SHOWN}.job")
    assert job["spherize"] is False
    assert api(server, f"api/projections/{job['id']}")["spherize"] is False


def _write_tsv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_bad_metadata_file_shows_the_servers_error(page: Any, server: str, tmp_path: Path) -> None:
    before = api(server, "api/runs")["runs"][0]["embeddings"][0]["columns"]
    bad = _write_tsv(tmp_path / "short.tsv", ["word\tparity", "a\teven", "b\todd"])
    page.set_input_files("#metadata-file", str(bad))
    status = page.locator("#metadata-status[role=alert]")
    status.wait_for(timeout=15_000)
    text = status.inner_text()
    assert "short.tsv" in text
    assert "2 rows after the header row for 1,797 vectors" in text
    assert "Give one line per vector" in text  # the fix, as a sentence of its own
    assert text.lower().count("give one line per vector") == 1  # once
    assert api(server, "api/runs")["runs"][0]["embeddings"][0]["columns"] == before  # nothing replaced
    assert page.locator("#label-by option").all_inner_texts() == [c["name"] for c in before]
    page.screenshot(path=str(ARTIFACTS / "metadata-error.png"))


def test_load_metadata_tsv_refreshes_columns_and_choices(page: Any, server: str, tmp_path: Path) -> None:
    rows = ["word\tparity\tvalue"] + [f"w{i}\t{'even' if i % 2 == 0 else 'odd'}\t{i / 10}" for i in range(N)]
    good = _write_tsv(tmp_path / "words.tsv", rows)
    page.set_input_files("#metadata-file", str(good))
    status = page.locator("#metadata-status[role=status]")
    page.wait_for_function("/^Loaded/.test(document.querySelector('#metadata-status')?.textContent ?? '')")
    assert "words.tsv" in status.inner_text()

    columns = [c["name"] for c in api(server, "api/runs")["runs"][0]["embeddings"][0]["columns"]]
    assert columns == ["word", "parity", "value"]
    assert page.locator("#label-by option").all_inner_texts() == columns
    colour_choices = page.locator("#color-by option").all_inner_texts()
    assert "parity" in colour_choices
    assert "value (continuous)" in colour_choices
    # the label column's values are the new file's
    label_by = page.evaluate(f"{SHOWN}.labelBy")
    assert label_by in columns
    values = page.evaluate(f"(s => s.columns[s.labelBy].slice(0, 3))({SHOWN})")
    expected = {"word": ["w0", "w1", "w2"], "parity": ["even", "odd", "even"], "value": [0, 0.1, 0.2]}[label_by]
    assert values == expected

    page.select_option("#color-by", label="parity")
    legend = page.locator("#legend li")
    page.wait_for_function("document.querySelectorAll('#legend li').length === 2")
    texts = [" ".join(t.split()) for t in legend.all_inner_texts()]
    assert texts == ["even 899", "odd 898"]
    legend.first.locator("button").click()
    page.wait_for_function("document.querySelector('#selection-count')?.textContent === '899 points selected'")

    # searching the new labels: w179 and w1790..w1796
    page.select_option("#label-by", "word")
    assert api(server, f"{EMB}/search?q=w179&column=word")["count"] == 8
    page.fill("#search", "w179")
    page.press("#search", "Enter")
    page.wait_for_function("document.querySelector('#selection-count')?.textContent === '8 points selected'")
    page.screenshot(path=str(ARTIFACTS / "metadata-loaded.png"))
