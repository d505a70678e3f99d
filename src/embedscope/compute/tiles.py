"""A map's points as a tile pyramid, for maps too large to send whole (deepscatter's scheme, as Nomic Atlas uses it):
a quadtree over the map's square bounds, each point in exactly one tile. Every point gets a seeded random priority;
level 0's one tile holds the `capacity` points of highest priority, and each tile of level z+1 holds the
`capacity` points of highest priority in its quarter that no tile above took. A page that loads the tiles of its
view down to the level of its zoom so draws a uniform sample of what it looks at, denser as it zooms, and every
point once zoomed in far enough; a tile that dropped points also carries the density of all the points in its
square (a `grid` x `grid` count), so the coarse levels show where the crowd is.

The pyramid is a folder: `pyramid.json` (bounds, levels, each tile's points, and the points of its square that
no tile above holds: what the tile and those under it hold together) and one Arrow IPC file per
tile, `{z}/{x}-{y}.arrow` (`row` uint32/uint64: the point's row in the table, `x`, `y` float32; the density as the
schema's metadata `density`: base64 of grid x grid little-endian uint32 counts, rows of y). It is written under a
temporary name and moved into place whole.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..errors import FormatError, NotFoundError, ParameterError

CAPACITY = 16_384  # points a tile holds
GRID = 64  # density cells a side
MAX_LEVEL = 24  # past this, a tile takes every point left (points on top of one another)
VERSION = 2  # 2: the density as base64 text (Arrow JS reads schema metadata as UTF-8)


@dataclass(frozen=True)
class Pyramid:
    folder: Path
    rows: int
    origin: tuple[float, float]  # the square's lower corner
    size: float  # its side
    capacity: int
    grid: int
    levels: int
    tiles: dict[str, dict[str, int]]  # "z/x/y" -> {"points": held, "total": in its square, less those above}
    bounds: tuple[float, float, float, float]  # the points' x0, y0, x1, y1 (the page frames them)

    def tile_path(self, z: int, x: int, y: int) -> Path:
        return self.folder / str(z) / f"{x}-{y}.arrow"


def _bounds(xy: np.ndarray) -> tuple[tuple[float, float], float]:
    low, high = xy.min(axis=0).astype(np.float64), xy.max(axis=0).astype(np.float64)
    size = float(max(high - low)) or 1.0
    size *= 1 + 1e-6  # the highest point falls inside the last tile
    return (float(low[0]), float(low[1])), size


def _cells(xy: np.ndarray, origin: tuple[float, float], size: float, per_side: int) -> tuple[np.ndarray, np.ndarray]:
    """Each point's cell (column, row) in a per_side x per_side grid over the square."""
    scaled = (xy.astype(np.float64) - np.asarray(origin)) / size * per_side
    cells = np.clip(np.floor(scaled), 0, per_side - 1).astype(np.int64)
    return cells[:, 0], cells[:, 1]


def build_pyramid(
    xy: np.ndarray,
    out: Path,
    *,
    capacity: int = CAPACITY,
    grid: int = GRID,
    random_state: int = 0,
    ids: np.ndarray | None = None,
) -> Pyramid:
    """Write the pyramid of the map `xy` (N x 2, finite) under `out` (see the module's docstring); a tile's `row` is
    the point's place in `xy`, or `ids[place]` when given (the table's rows of a map of some of them)."""
    xy = np.asarray(xy, dtype=np.float32)
    if ids is not None and np.shape(ids) != (len(xy),):
        raise ParameterError(f"`ids` must give one row a point, got {np.shape(ids)} for {len(xy)}", field="ids")
    if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) == 0:
        raise ParameterError(f"a tile pyramid needs N x 2 coordinates (N >= 1), got {xy.shape}", field="coords")
    if not np.isfinite(xy).all():
        raise ParameterError("a tile pyramid's coordinates must all be finite", field="coords")
    if not 1 <= capacity <= 1 << 22 or not 1 <= grid <= 1024:
        raise ParameterError(f"capacity {capacity} / grid {grid}: give 1..4,194,304 and 1..1,024", field="capacity")
    out = Path(out)
    origin, size = _bounds(xy)
    low, high = xy.min(axis=0), xy.max(axis=0)
    bounds = (float(low[0]), float(low[1]), float(high[0]), float(high[1]))
    top = len(xy) if ids is None or len(ids) == 0 else int(np.max(ids)) + 1
    rows_type = pa.uint32() if top < 2**32 else pa.uint64()
    left = np.random.default_rng(random_state).permutation(len(xy))  # the rows not yet in a tile, by priority
    tiles: dict[str, dict[str, int]] = {}
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        z = 0
        while len(left):
            per_side = 1 << z
            cx, cy = _cells(xy[left], origin, size, per_side)
            order = np.argsort(cy * per_side + cx, kind="stable")  # by tile, by priority within each
            tile_ids = (cy * per_side + cx)[order]
            starts = np.flatnonzero(np.r_[True, tile_ids[1:] != tile_ids[:-1]])
            ends = np.r_[starts[1:], len(tile_ids)]
            crowded = tile_ids[starts[(ends - starts) > capacity]] if z < MAX_LEVEL else tile_ids[:0]
            dense = _density(xy, origin, size, z, grid, crowded)
            taken = np.zeros(len(tile_ids), dtype=bool)
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                keep = end - start if z == MAX_LEVEL else min(capacity, end - start)
                taken[start : start + keep] = True
                tile = int(tile_ids[start])
                tx, ty = tile % per_side, tile // per_side
                rows = left[order[start : start + keep]]
                density = dense.get(tile) if end - start > keep else None
                _write_tile(work / str(z) / f"{tx}-{ty}.arrow", xy, rows, ids, rows_type, density)
                tiles[f"{z}/{tx}/{ty}"] = {"points": keep, "total": end - start}
            left = left[order[~taken]]
            z += 1
        levels = z
        manifest = {
            "version": VERSION,
            "rows": len(xy),
            "origin": list(origin),
            "size": size,
            "bounds": list(bounds),
            "capacity": capacity,
            "grid": grid,
            "levels": levels,
            "tiles": tiles,
        }
        (work / "pyramid.json").write_text(json.dumps(manifest))
        if out.exists():
            shutil.rmtree(out)
        os.replace(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Pyramid(out, len(xy), origin, size, capacity, grid, levels, tiles, bounds)


def _density(
    xy: np.ndarray, origin: tuple[float, float], size: float, z: int, grid: int, wanted: np.ndarray
) -> dict[int, np.ndarray]:
    """Level z's tiles `wanted` (sorted ids) -> the grid x grid count of every point in each."""
    if len(wanted) == 0 or (1 << z) * grid > 1 << 30:
        return {}
    fine = (1 << z) * grid
    cx, cy = _cells(xy, origin, size, fine)
    tile = (cy // grid) * (1 << z) + cx // grid
    inside = np.isin(tile, wanted)
    slot = np.searchsorted(wanted, tile[inside])  # the wanted tile's place
    cell = (cy[inside] % grid) * grid + cx[inside] % grid
    counts = np.bincount(slot * grid * grid + cell, minlength=len(wanted) * grid * grid).astype(np.uint32)
    counts = counts.reshape(len(wanted), grid * grid)
    return {int(t): counts[i] for i, t in enumerate(wanted.tolist())}


def _write_tile(
    path: Path,
    xy: np.ndarray,
    rows: np.ndarray,
    ids: np.ndarray | None,
    rows_type: pa.DataType,
    density: np.ndarray | None,
) -> None:
    rows = np.sort(rows)
    table = pa.table(
        {"row": pa.array(rows if ids is None else ids[rows], type=rows_type), "x": xy[rows, 0], "y": xy[rows, 1]},
        metadata={"density": base64.b64encode(density.astype("<u4").tobytes())} if density is not None else None,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def open_pyramid(folder: Path) -> Pyramid:
    """A pyramid written by build_pyramid, from its pyramid.json."""
    folder = Path(folder)
    path = folder / "pyramid.json"
    if not path.is_file():
        raise NotFoundError("no pyramid.json: not a tile pyramid", path=folder, fix="build it again")
    try:
        m = json.loads(path.read_text())
        if m.get("version") != VERSION:
            raise FormatError(f"pyramid version {m.get('version')!r}, not {VERSION}", path=path, fix="build it again")
        return Pyramid(
            folder,
            int(m["rows"]),
            (float(m["origin"][0]), float(m["origin"][1])),
            float(m["size"]),
            int(m["capacity"]),
            int(m["grid"]),
            int(m["levels"]),
            {str(k): {"points": int(v["points"]), "total": int(v["total"])} for k, v in m["tiles"].items()},
            (float(m["bounds"][0]), float(m["bounds"][1]), float(m["bounds"][2]), float(m["bounds"][3])),
        )
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise FormatError(f"a malformed pyramid.json ({exc})", path=path, fix="build the pyramid again") from None


def read_tile(pyramid: Pyramid, z: int, x: int, y: int) -> pa.Table | None:
    """Tile (z, x, y) as a table (row, x, y; the density in its schema's metadata), None where there is none."""
    if f"{z}/{x}/{y}" not in pyramid.tiles:
        return None
    with pa.memory_map(str(pyramid.tile_path(z, x, y))) as source:
        return pa.ipc.open_file(source).read_all()


def tile_density(table: pa.Table, grid: int) -> np.ndarray | None:
    """A tile's density (grid x grid counts, rows of y), None for a tile that holds every point of its square."""
    raw = (table.schema.metadata or {}).get(b"density")
    if raw is None:
        return None
    try:
        return np.frombuffer(base64.b64decode(raw, validate=True), dtype="<u4").reshape(grid, grid)
    except (binascii.Error, ValueError) as exc:
        raise FormatError(
            f"a tile's density is damaged ({exc})", field="density", fix="build the pyramid again"
        ) from None
