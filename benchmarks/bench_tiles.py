"""Tiles for 10 million points (issue 18): the pyramid's build (compute/tiles.py) and the tiles' reads, in one run.

Data: a 2-D map of --n points (10,000,000 by default), generated block by block (50 Gaussian clusters of different
sizes and spreads, as a UMAP of real data looks; never committed). Reported: the build's wall seconds and peak RSS
growth, the pyramid (levels, tiles, bytes on disk), and the latency of reading the tiles a page needs: the first
view (level 0), and a pan across the map at a deeper zoom (every tile of the view, levels 0..z, read and decoded as
the server sends them). The page's frame times are bench_browser.py's; this is the server's side.

    .venv/bin/python benchmarks/bench_tiles.py [--n 10000000] [--capacity 16384]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa


def clusters_map(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-30, 30, (50, 2))
    spreads = rng.uniform(0.3, 3.0, 50)
    weights = rng.dirichlet(np.ones(50))
    xy = np.empty((n, 2), dtype=np.float32)
    for start in range(0, n, 1_000_000):
        m = min(1_000_000, n - start)
        c = rng.choice(50, m, p=weights)
        xy[start : start + m] = centres[c] + rng.standard_normal((m, 2)) * spreads[c, None]
    return xy


def view_tiles(pyramid, z: int, cx: float, cy: float, span: float) -> list[tuple[int, int, int]]:
    """The tiles (levels 0..z) of a view centred at (cx, cy), `span` wide, that exist."""
    out = []
    for level in range(z + 1):
        side = pyramid.size / (1 << level)
        ox, oy = pyramid.origin
        x0, x1 = int((cx - span / 2 - ox) // side), int((cx + span / 2 - ox) // side)
        y0, y1 = int((cy - span / 2 - oy) // side), int((cy + span / 2 - oy) // side)
        for x in range(max(0, x0), min((1 << level) - 1, x1) + 1):
            for y in range(max(0, y0), min((1 << level) - 1, y1) + 1):
                if f"{level}/{x}/{y}" in pyramid.tiles:
                    out.append((level, x, y))
    return out


def read_all(pyramid, keys) -> tuple[float, int]:
    started = time.perf_counter()
    points = 0
    for z, x, y in keys:
        data = pyramid.tile_path(z, x, y).read_bytes()  # what the route sends
        points += pa.ipc.open_file(pa.BufferReader(data)).read_all().num_rows  # what the page decodes
    return time.perf_counter() - started, points


def main() -> None:
    from embedscope.compute.tiles import build_pyramid

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--capacity", type=int, default=16_384)
    args = ap.parse_args()
    xy = clusters_map(args.n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        pyramid = build_pyramid(xy, Path(tmp) / "p", capacity=args.capacity)
        build = time.perf_counter() - started
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
        first, first_points = read_all(pyramid, [(0, 0, 0)])
        centre = np.asarray(pyramid.origin) + pyramid.size / 2
        z = min(pyramid.levels - 1, 4)
        span = pyramid.size / (1 << z) * 2  # a view two deepest tiles wide
        pans = []
        for step in range(10):  # across the map, left to right
            cx = pyramid.origin[0] + pyramid.size * (0.2 + 0.06 * step)
            seconds, points = read_all(pyramid, view_tiles(pyramid, z, cx, centre[1], span))
            pans.append({"seconds": seconds, "points": points})
    result = {
        "n": args.n,
        "build_s": build,
        "build_rss_growth_mb": grown,
        "levels": pyramid.levels,
        "tiles": len(pyramid.tiles),
        "bytes": size,
        "first_view": {"seconds": first, "points": first_points},
        "pan_level": z,
        "pan_median_s": float(np.median([p["seconds"] for p in pans])),
        "pan_max_s": float(max(p["seconds"] for p in pans)),
        "pan_points_median": int(np.median([p["points"] for p in pans])),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
