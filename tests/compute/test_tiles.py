"""The tile pyramid (compute/tiles.py) of a real map, the digits' PCA and the MiniLM tokens' PCA: every point in
exactly one tile, at its own coordinates, inside its tile's square; a tile holds at most `capacity` points, the
highest-priority ones of its square, so the tiles down to a level are a uniform sample; a tile that dropped points
carries the count of every point of its square on a grid."""

from __future__ import annotations

import numpy as np
import pytest

from embedscope.compute.projection import project
from embedscope.compute.tiles import build_pyramid, open_pyramid, read_tile, tile_density
from embedscope.demo import digits, minilm_tokens
from embedscope.errors import NotFoundError, ParameterError


@pytest.fixture(scope="module")
def tokens_map() -> np.ndarray:
    return np.asarray(project(minilm_tokens(), "pca").coords, dtype=np.float32)


def every_tile(pyramid):
    for key in pyramid.tiles:
        z, x, y = map(int, key.split("/"))
        yield (z, x, y), read_tile(pyramid, z, x, y)


def test_every_point_once_in_its_square(tokens_map, tmp_path) -> None:
    xy = tokens_map
    pyramid = build_pyramid(xy, tmp_path / "p", capacity=1000, grid=16)
    assert pyramid.rows == 30522 and pyramid.levels >= 4
    seen = []
    for (z, x, y), table in every_tile(pyramid):
        rows = table.column("row").to_numpy()
        assert len(rows) == pyramid.tiles[f"{z}/{x}/{y}"]["points"] <= 1000
        np.testing.assert_array_equal(table.column("x").to_numpy(), xy[rows, 0])
        np.testing.assert_array_equal(table.column("y").to_numpy(), xy[rows, 1])
        side = pyramid.size / (1 << z)
        ox, oy = pyramid.origin
        assert (xy[rows, 0] >= ox + x * side - 1e-4).all() and (xy[rows, 0] <= ox + (x + 1) * side + 1e-4).all()
        assert (xy[rows, 1] >= oy + y * side - 1e-4).all() and (xy[rows, 1] <= oy + (y + 1) * side + 1e-4).all()
        seen.append(rows)
    rows = np.concatenate(seen)
    assert len(rows) == 30522 and len(np.unique(rows)) == 30522  # each row once
    assert open_pyramid(tmp_path / "p") == pyramid


def test_a_crowded_tile_holds_a_sample_and_counts_the_rest(tokens_map, tmp_path) -> None:
    xy = tokens_map
    pyramid = build_pyramid(xy, tmp_path / "p", capacity=1000, grid=16)
    top = read_tile(pyramid, 0, 0, 0)
    assert top.num_rows == 1000 and pyramid.tiles["0/0/0"]["total"] == 30522
    density = tile_density(top, 16)
    expected, _, _ = np.histogram2d(
        xy[:, 1],
        xy[:, 0],
        bins=16,
        range=[
            [pyramid.origin[1], pyramid.origin[1] + pyramid.size],
            [pyramid.origin[0], pyramid.origin[0] + pyramid.size],
        ],
    )
    assert density.sum() == 30522 and np.abs(density - expected).sum() <= 4  # a point on a cell's edge may differ
    # the sample is uniform: its spread follows the whole map's (each quarter's share within a few points in 100)
    share = [(np.digitize(v, [np.median(xy[:, 0])]) == 1).mean() for v in (xy[:, 0], top.column("x").to_numpy())]
    assert abs(share[0] - share[1]) < 0.05
    # a tile that holds every point of its square has no density
    for (z, x, y), table in every_tile(pyramid):
        info = pyramid.tiles[f"{z}/{x}/{y}"]
        assert (tile_density(table, 16) is None) == (info["total"] == info["points"])


def test_a_small_map_is_one_tile_and_stacked_points_end(tmp_path) -> None:
    xy = np.asarray(project(digits(), "pca").coords, dtype=np.float32)
    one = build_pyramid(xy, tmp_path / "one")
    assert one.levels == 1 and one.tiles == {"0/0/0": {"points": 1797, "total": 1797}}
    stacked = np.zeros((300, 2), dtype=np.float32)  # every point on one spot: level 24 takes every one left
    pyramid = build_pyramid(stacked, tmp_path / "stacked", capacity=10)
    assert pyramid.levels == 25 and pyramid.tiles["24/0/0"] == {"points": 300 - 24 * 10, "total": 60}
    assert sum(t["points"] for t in pyramid.tiles.values()) == 300


def test_bad_input_is_refused(tmp_path) -> None:
    with pytest.raises(ParameterError, match="N x 2"):
        build_pyramid(np.zeros((3, 3)), tmp_path / "p")
    with pytest.raises(ParameterError, match="finite"):
        build_pyramid(np.array([[0, 1], [np.nan, 2]]), tmp_path / "p")
    with pytest.raises(NotFoundError, match="not a tile pyramid"):
        open_pyramid(tmp_path)
    assert not list(tmp_path.iterdir())  # nothing half written is left
