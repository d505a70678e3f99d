"""A map made on a cluster, in headless Chromium: the digits as 3 Parquet shards, mapped (`project --scheduler
local:2`) and indexed (`embedscope index --scheduler local:2`) by the CLI on a LocalCluster, then served with
`serve SHARDS --coords COORDS --index INDEX --tiles-from 1000`: the page opens on the map as it is, from its tiles,
and a click lists the neighbours the server finds through the index."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from page_helpers import api, canvas_box, fresh_page, serving, shot, store

pytest.importorskip("distributed", reason="the distributed extra: pip install 'embedscope[distributed]'")
pytest.importorskip("faiss", reason="the distributed extra: pip install 'embedscope[distributed]'")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _mapped(root: Path) -> Path:
    """The digits' shards, their PCA map and their index, made on a LocalCluster of 2 workers by the CLI."""
    from sklearn.datasets import load_digits

    from embedscope import Embedding
    from shard_helpers import write_shards

    d = load_digits()
    emb = Embedding(d.data.astype(np.float32), metadata={"digit": [str(t) for t in d.target]})
    shards = write_shards(emb, root / "shards", 600)
    cli = [sys.executable, "-m", "embedscope"]
    subprocess.run([*cli, "project", str(shards), "--scheduler", "local:2", "-o", str(root / "coords")], check=True)
    subprocess.run([*cli, "index", str(shards), "--scheduler", "local:2", "-o", str(root / "index")], check=True)
    return shards


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cluster-map")


@pytest.fixture(scope="module")
def server(root: Path) -> Iterator[str]:
    extra = ("--coords", str(root / "coords"), "--index", str(root / "index"), "--tiles-from", "1000")
    with serving(_mapped, root, *extra, "--tile-points", "256") as url:
        yield url


@pytest.fixture
def mapped(browser: Any, server: str) -> Iterator[Any]:
    with fresh_page(browser, server, wait=False) as (page, errors):
        page.wait_for_function("window.embedscope.store.get().tiles !== null", timeout=120_000)
        page.wait_for_function("document.querySelector('#tile-status')?.dataset.loading === '0'", timeout=60_000)
        yield page
    assert not errors, f"errors in the page: {errors}"


def test_the_page_opens_on_the_clusters_map_and_clicks_go_through_the_index(
    mapped: Any, server: str, root: Path
) -> None:
    page = mapped
    emb = store(page, "s.embedding")
    assert emb["name"] == "shards (map)" and emb["map_columns"] == ["x", "y"] and emb["shape"] == [1797, 2]
    assert store(page, "[s.job.method, s.job.params.columns]") == ["precomputed", "x,y"]
    # the map as it is: the pyramid's bounds are the coordinate shards' own
    tables = [pq.read_table(p) for p in sorted((root / "coords").glob("*.parquet"))]
    xy = np.concatenate([np.column_stack([t.column(a).to_numpy() for a in "xy"]) for t in tables])
    bounds = store(page, "s.tiles.pyramid.bounds")
    np.testing.assert_allclose(bounds, [*xy.min(axis=0), *xy.max(axis=0)], rtol=1e-5)
    assert "1,797 points" in page.locator("body").inner_text()
    # coloured by digit, the legend's colours: the tiles brought each point's digit
    assert store(page, "s.colorBy") == "digit"
    hues = page.evaluate(
        "(() => { const seen = new Set(); for (const d of window.embedscope.tileView['loaded'].values())"
        " for (let i = 0; i < d.colors.length; i += 4) seen.add(d.colors.slice(i, i + 3).join());"
        " return seen.size; })()"
    )
    assert hues == 10
    shot(page, "cluster-map.png")

    point = page.evaluate(
        "(() => { const v = window.embedscope.tileView;"
        " const t = [...v['loaded'].values()].find((d) => d.tile.key === '0/0/0').tile;"
        " return { x: t.xyz[0], y: t.xyz[1] }; })()"
    )
    sx, sy = page.evaluate(f"window.embedscope.tileView.deck.getViewports()[0].project([{point['x']}, {point['y']}])")
    box = canvas_box(page)
    page.mouse.click(box["x"] + sx, box["y"] + sy)
    page.wait_for_function("(window.embedscope.store.get().neighbors ?? []).length > 0", timeout=20_000)
    focus, k = store(page, "[s.focus, s.k]")
    base = f"api/runs/{emb['run']}/embeddings/{emb['id']}"
    expected = api(server, f"{base}/neighbors", {"query": focus, "k": k})
    assert [n["index"] for n in store(page, "s.neighbors")] == [n["index"] for n in expected["neighbors"]]
    clicked = page.evaluate(
        f"""(() => {{ for (const d of window.embedscope.tileView['loaded'].values()) {{
          const i = Array.from(d.tile.rows).indexOf({focus});
          if (i >= 0) return Array.from(d.colors.slice(4 * i, 4 * i + 4)); }}
          return null; }})()"""
    )
    assert clicked == [220, 38, 38, 255]  # drawn red
    # the neighbours of a digit are, mostly, the same digit: the table's 64-D vectors, not the map's 2-D
    labels = [n["label"] for n in expected["neighbors"][:10]]
    [own] = api(server, f"{base}/labels?rows={focus}")["labels"]
    assert sum(label == own for label in labels) >= 7
    shot(page, "cluster-map-neighbors.png")
