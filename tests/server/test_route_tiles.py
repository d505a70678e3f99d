"""GET /api/projections/{job_id}/tiles and .../tiles/{z}/{x}/{y} (routes/tiles.py): MiniLM's 30,522 tokens mapped
by PCA come back as a pyramid of Arrow tiles holding every row once at its coordinates; a map of some rows names
the table's rows; 3-D maps, unknown tiles and unknown jobs get the one error shape."""

from __future__ import annotations

import time

import numpy as np
import pyarrow as pa
import pytest

from embedscope.compute.tiles import tile_density
from embedscope.demo import minilm_tokens
from embedscope.embedding import Collection

BASE = "/api/runs/r0/embeddings/e0"


@pytest.fixture(scope="module")
def tokens() -> Collection:
    out = Collection(source="test-data")
    out.add(".", minilm_tokens())
    return out


def done(api, **body) -> str:
    job_id = api.post(f"{BASE}/projections", json={"method": "pca", **body}).json()["id"]
    for _ in range(1200):
        if api.get(f"/api/projections/{job_id}").json()["state"] == "done":
            return job_id
        time.sleep(0.05)
    raise AssertionError("the projection did not finish")


def read(api, job_id: str, key: str) -> pa.Table:
    answer = api.get(f"/api/projections/{job_id}/tiles/{key}")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/vnd.apache.arrow.file"
    return pa.ipc.open_file(pa.BufferReader(answer.content)).read_all()


def test_a_map_as_tiles(make_client, tokens) -> None:
    api = make_client(tokens)
    job_id = done(api)
    pyramid = api.get(f"/api/projections/{job_id}/tiles").json()
    assert pyramid["rows"] == 30522 and pyramid["levels"] >= 2 and pyramid["capacity"] == 16384
    coords = np.frombuffer(api.get(f"/api/projections/{job_id}/coords").content, dtype="<f4").reshape(-1, 2)
    rows = []
    for key in pyramid["tiles"]:
        table = read(api, job_id, key)
        r = table.column("row").to_numpy()
        np.testing.assert_array_equal(table.column("x").to_numpy(), coords[r, 0])
        rows.append(r)
    assert sorted(np.concatenate(rows).tolist()) == list(range(30522))  # every row once
    top = read(api, job_id, "0/0/0")
    assert top.num_rows == 16384 and tile_density(top, pyramid["grid"]).sum() == 30522
    assert api.get(f"/api/projections/{job_id}/tiles").json() == pyramid  # built once, kept


def test_a_map_of_some_rows_names_the_tables_rows(make_client, tokens) -> None:
    api = make_client(tokens)
    job_id = done(api, subset=list(range(1000, 3000)))
    pyramid = api.get(f"/api/projections/{job_id}/tiles").json()
    assert pyramid["rows"] == 2000 and list(pyramid["tiles"]) == ["0/0/0"]
    assert sorted(read(api, job_id, "0/0/0").column("row").to_pylist()) == list(range(1000, 3000))


def test_what_has_no_tiles_is_refused(make_client, tokens, expect_error) -> None:
    api = make_client(tokens)
    flat = done(api, subset=list(range(500)))
    expect_error(api.get(f"/api/projections/{flat}/tiles/1/0/0"), 404, "not_found", match="no tile 1/0/0")
    expect_error(api.get(f"/api/projections/{flat}/tiles/99/0/0"), 422, "parameter")
    expect_error(api.get("/api/projections/nope/tiles"), 404, "not_found", match="no projection job")
    cube = done(api, subset=list(range(500)), n_components=3)
    expect_error(api.get(f"/api/projections/{cube}/tiles"), 422, "parameter", match="tiles are for 2-D maps")


def test_a_cache_missing_a_tile_builds_the_pyramid_again(make_client, tokens) -> None:
    api = make_client(tokens)
    job_id = done(api)
    pyramid = api.get(f"/api/projections/{job_id}/tiles").json()
    folder = api.state.cache.directory / "tiles" / job_id
    (folder / "1" / "0-0.arrow").unlink(missing_ok=True)
    (folder / "0" / "0-0.arrow").unlink()  # removed by hand, or by a cache cleaner
    assert read(api, job_id, "0/0/0").num_rows == 16384
    assert api.get(f"/api/projections/{job_id}/tiles").json() == pyramid  # the same pyramid (seeded)
    (folder / "pyramid.json").write_text("{not json")  # cut
    assert api.get(f"/api/projections/{job_id}/tiles").json() == pyramid


def test_tiles_bring_a_columns_labels_and_the_servers_capacity(make_client, tokens, expect_error) -> None:
    api = make_client(tokens, tile_points=4096)
    assert api.get("/api/options").json()["map"] == {"tiles_from": 2_000_000, "tile_points": 4096}
    job_id = done(api)
    pyramid = api.get(f"/api/projections/{job_id}/tiles").json()
    assert pyramid["capacity"] == 4096 and pyramid["levels"] >= 3
    words = next(iter(tokens.runs["."].values())).labels  # MiniLM's vocabulary, the column "label"
    key = next(k for k in pyramid["tiles"] if k.startswith("2/"))
    answer = api.get(f"/api/projections/{job_id}/tiles/{key}", params={"label": "label"})
    table = pa.ipc.open_file(pa.BufferReader(answer.content)).read_all()
    assert table.column_names == ["row", "x", "y", "label"] and table.num_rows > 0
    assert table.column("label").to_pylist() == [words[r] for r in table.column("row").to_pylist()]
    assert read(api, job_id, "0/0/0").num_rows == 4096 and read(api, job_id, key).column_names == ["row", "x", "y"]
    both = api.get(f"/api/projections/{job_id}/tiles/{key}", params={"label": "label", "color": "label"})
    coloured = pa.ipc.open_file(pa.BufferReader(both.content)).read_all()
    assert coloured.column_names == ["row", "x", "y", "label", "color"]
    assert coloured.column("color").to_pylist() == table.column("label").to_pylist()
    answer = api.get(f"/api/projections/{job_id}/tiles/{key}", params={"label": "nope"})
    expect_error(answer, 404, "not_found", match="no metadata column 'nope'")


def test_within_answers_the_rows_of_the_whole_map_in_a_rectangle(make_client, tokens, expect_error) -> None:
    api = make_client(tokens)
    job_id = done(api)
    coords = np.frombuffer(api.get(f"/api/projections/{job_id}/coords").content, dtype="<f4").reshape(-1, 2)
    box = {"x0": 0.1, "y0": -0.2, "x1": -0.05, "y1": 0.15}  # corners in either order
    inside = np.flatnonzero(
        (coords[:, 0] >= -0.05) & (coords[:, 0] <= 0.1) & (coords[:, 1] >= -0.2) & (coords[:, 1] <= 0.15)
    )
    body = api.get(f"/api/projections/{job_id}/within", params=box).json()
    assert body["count"] == len(inside) > 100 and body["indices"] == inside.tolist()
    raw = api.get(f"/api/projections/{job_id}/within", params={**box, "format": "int32"})
    assert raw.headers["x-count"] == str(len(inside))
    np.testing.assert_array_equal(np.frombuffer(raw.content, dtype="<i4"), inside)
    some = done(api, subset=list(range(1000, 3000)))
    rows = api.get(f"/api/projections/{some}/within", params={"x0": -9, "y0": -9, "x1": 9, "y1": 9}).json()
    assert rows["indices"] == list(range(1000, 3000))  # the table's rows
    expect_error(api.get(f"/api/projections/{job_id}/within", params={**box, "x0": "nan"}), 422, "parameter")
    expect_error(api.get(f"/api/projections/{job_id}/within", params={"x0": 1}), 422, "parameter")
    expect_error(api.get("/api/projections/nope/within", params=box), 404, "not_found")
