"""GET /api/runs and its parts: ids and names, shapes, column types, distinct values, sprite, config bookmarks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa

from embedscope.embedding import Collection, Embedding
from embedscope.formats.sprite import make_sprite


def test_listing_names_every_run_and_embedding(client) -> None:
    body = client.get("/api/runs").json()
    assert body["source"] == "test-data"
    assert [(r["id"], r["name"]) for r in body["runs"]] == [("r0", "."), ("r1", "other")]
    words, plain = body["runs"][0]["embeddings"]
    assert (words["id"], words["run"], words["name"], words["shape"]) == ("e0", "r0", "words", [8, 3])
    assert (plain["id"], plain["name"], plain["shape"], plain["columns"]) == ("e1", "plain", [8, 3], [])
    assert plain["label_column"] is None
    assert body["runs"][1]["embeddings"][0]["shape"] == [5, 2]


def test_columns_have_types_distinct_values_and_ranges(client) -> None:
    words = client.get("/api/runs/r0/embeddings/e0").json()
    assert words["label_column"] == "label"
    columns = {c["name"]: c for c in words["columns"]}
    assert [c["name"] for c in words["columns"]] == ["label", "kind", "size"]
    assert columns["label"]["type"] == "string"
    assert columns["kind"]["distinct"] == [
        {"value": "fruit", "count": 2},
        {"value": "person", "count": 2},
        {"value": "royal", "count": 2},
        {"value": "none", "count": 1},
        {"value": "place", "count": 1},
    ]
    assert columns["size"]["type"] == "numeric"
    assert (columns["size"]["min"], columns["size"]["max"]) == (0, 7)
    assert len(columns["size"]["distinct"]) == 8


def test_many_distinct_values_are_not_listed(make_client) -> None:
    n = 60
    meta = pa.table({"word": [f"w{i}" for i in range(n)], "x": np.linspace(0, 1, n), "group": ["a", "b"] * (n // 2)})
    data = Collection()
    data.add(".", Embedding(np.ones((n, 2), dtype=np.float32), name="e", metadata=meta))
    columns = {c["name"]: c for c in make_client(data).get("/api/runs/r0/embeddings/e0").json()["columns"]}
    assert columns["word"]["distinct"] is None
    assert columns["x"]["distinct"] is None and columns["x"]["max"] == 1.0
    assert columns["group"]["distinct"] == [{"value": "a", "count": 30}, {"value": "b", "count": 30}]


def test_sprite_and_config_bookmarks_are_described(make_client, tmp_path: Path) -> None:
    bookmarks = tmp_path / "bookmarks.json"
    bookmarks.write_text(json.dumps([{"label": "start", "projection": "pca"}]))
    images = np.random.default_rng(0).random((5, 4, 6)).astype(np.float32)
    emb = Embedding(
        np.ones((5, 2), dtype=np.float32), name="pics", sprite=make_sprite(images), bookmarks_path=str(bookmarks)
    )
    data = Collection()
    data.add("run", emb)
    body = make_client(data).get("/api/runs/r0/embeddings/pics").json()
    assert body["sprite"] == {"single_image_dim": [6, 4], "grid": [3, 3], "image_size": [18, 12]}
    assert body["config_bookmarks"] == [{"label": "start", "projection": "pca"}]


def test_unreadable_config_bookmarks_are_left_out_with_a_warning(make_client, tmp_path: Path, caplog) -> None:
    bad = tmp_path / "bookmarks.json"
    bad.write_text("{not json")
    data = Collection()
    data.add(".", Embedding(np.ones((2, 2), dtype=np.float32), name="e", bookmarks_path=str(bad)))
    body = make_client(data).get("/api/runs/r0/embeddings/e0").json()
    assert body["config_bookmarks"] is None
    assert "bookmarks file not served" in caplog.text


def test_one_run(client, expect_error) -> None:
    run = client.get("/api/runs/r1").json()
    assert (run["id"], run["name"], [e["name"] for e in run["embeddings"]]) == ("r1", "other", ["small"])
    assert client.get("/api/runs/other").json() == run
    expect_error(client.get("/api/runs/r2"), 404, "not_found", match="no run 'r2'")
    expect_error(client.get("/api/runs/r0/embeddings/e7"), 404, "not_found", match="no embedding 'e7'")
