"""The page on a map too large to send whole (issue 18): 10,000,000 points drawn from tiles in headless Chromium,
beside the whole-map page on the same data where it can still draw it, in one run.

Data: a 2-D map of N points (bench_tiles.py's 50 clusters, generated block by block, never committed) saved as a
.npy with a `<stem>_metadata.tsv` (`label`, `block`); `embedscope serve` shows its PCA (2 dimensions: the map
itself, turned). Measured per size and page:

- server start (spawn -> URL) and page load: navigation -> the map in the store (whole: its coordinates; tiled:
  its pyramid, which the server builds on the first request), -> the first frame with points on the canvas,
  -> (tiled) every tile of the first view loaded;
- pan/zoom: a mouse drag and wheel steps one frame apart: JavaScript per redrawn frame and the frame interval
  (bench_browser.py's measure; SwiftShader rasterises on the CPU);
- tile latency (tiled): zoomed in, the view moved a whole width at a time, seconds until its tiles are all in;
- hover (tiled): onto a drawn point until the tooltip shows;
- memory: the page's JS heap (CDP), all Chromium processes' RSS, the server's RSS.

The whole-map page (--tiles-from above N) runs for sizes up to --whole-max (2,000,000 by default: at 10,000,000
it holds 10,000,000 coordinates, colours and a pick grid, and a SwiftShader frame takes minutes).

    .venv/bin/python benchmarks/bench_tile_page.py [--sizes 2000000,10000000] [--whole-max 2000000]
        [--screenshots DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).parent))
from bench_browser import CHROMIUM, CHROMIUM_ARGS, PROBE, Served, _metrics, load, pan_zoom
from bench_tiles import clusters_map

CHUNK = 1_000_000
TILES_FROM = 1_000_000  # the tiled page: every size measured here is drawn from tiles
MOVES = [(1, 0), (-1, 0), (-1, 0), (1, 0), (0, 1), (0, -1)]  # views, a width or height at a time, from the centre


def make_map(folder: Path, n: int) -> Path:
    """N x 2 float32 (bench_tiles.py's clusters) and its metadata (label, and the block: two columns, so the TSV has
    a header line), written block by block."""
    path = folder / f"map_{n}.npy"
    xy = clusters_map(n)
    np.save(path, xy)
    with path.with_name(f"{path.stem}_metadata.tsv").open("w", encoding="utf-8") as meta:
        meta.write("label\tblock\n")
        for start in range(0, n, CHUNK):
            meta.write("".join(f"p{i}\tb{start // CHUNK}\n" for i in range(start, min(n, start + CHUNK))))
    return path


def rss_mb(pid: int) -> float:
    """A process's and its children's resident memory, MB."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return float("nan")
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total / 2**20


def chromium_mb() -> dict[str, float]:
    """Chromium's resident memory by process type, MB: the page's renderer (one page is open) and the GPU process
    (SwiftShader keeps the WebGL buffers there). The JS heap alone leaves out typed arrays' memory."""
    out = {"renderer": 0.0, "gpu-process": 0.0}
    for p in psutil.process_iter(["name", "cmdline", "memory_info"]):
        if not (p.info["name"] or "").startswith("chrom") or p.info["memory_info"] is None:
            continue
        kind = next((a.split("=", 1)[1] for a in p.info["cmdline"] or [] if a.startswith("--type=")), "browser")
        if kind in out:
            out[kind] += p.info["memory_info"].rss / 2**20
    return out


SETTLED = """(() => { const e = document.querySelector('#tile-status');
  return e !== null && e.dataset.loading === '0' && Number(e.dataset.drawn) > 0; })()"""


def tile_latency(page: Any) -> dict[str, Any]:
    """Zoomed in 4x, the view moved a width (or height) at a time about the centre: seconds until each new view's
    tiles are in."""
    page.evaluate("window.embedscope.tileView.resetView(); window.embedscope.tileView.zoomBy(4)")
    page.wait_for_function(SETTLED, timeout=300_000, polling=50)
    width, height = page.evaluate(
        "[window.embedscope.tileView.canvas.clientWidth, window.embedscope.tileView.canvas.clientHeight]"
    )
    waits, loaded = [], []
    for dx, dy in MOVES:
        t0 = time.perf_counter()
        page.evaluate(f"window.embedscope.tileView.pan({dx * width}, {dy * height})")
        page.wait_for_function(SETTLED, timeout=300_000, polling=20)
        waits.append(time.perf_counter() - t0)
        loaded.append(int(page.locator("#tile-status").get_attribute("data-drawn") or 0))
    level = int(page.locator("#tile-status").get_attribute("data-level") or 0)
    return {"latency_median": statistics.median(waits), "latency_max": max(waits), "level": level, "loaded": loaded}


def tile_hover(page: Any) -> float:
    """Seconds from moving onto a drawn point (one of the top tile's, in the view) until the tooltip shows."""
    box = page.locator("#scatter canvas").bounding_box()
    assert box is not None
    spot = page.evaluate(
        """([w, h]) => { const v = window.embedscope.tileView; const vp = v.deck.getViewports()[0];
        for (const d of v['loaded'].values()) { const t = d.tile;
          for (let i = 0; i < t.rows.length; i += 97) { const p = vp.project([t.xyz[3 * i], t.xyz[3 * i + 1]]);
            if (p[0] > 40 && p[1] > 60 && p[0] < w - 40 && p[1] < h - 40) return p; } }
        return [w / 2, h / 2]; }""",
        [box["width"], box["height"]],
    )
    page.mouse.move(box["x"] + 3, box["y"] + 3)
    page.locator("#tooltip").wait_for(state="hidden", timeout=60_000)
    t0 = time.perf_counter()
    page.mouse.move(box["x"] + spot[0], box["y"] + spot[1])
    page.locator("#tooltip").wait_for(state="visible", timeout=60_000)
    return time.perf_counter() - t0


def run_page(browser: Any, path: Path, folder: Path, n: int, tiled: bool, shots: Path | None) -> dict[str, Any]:
    extra = ("--tiles-from", str(min(TILES_FROM, n - 1) if tiled else 10 * n))
    own = folder / ("tiled" if tiled else "whole")  # a cold cache and state folder each
    own.mkdir()
    served = Served(path, own, timeout=600, extra=extra)
    result: dict[str, Any] = {"start_s": served.start_s, "server_idle_mb": rss_mb(served.proc.pid)}
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 860})
        context.add_init_script(path=str(PROBE))
        try:
            loaded = load(context, served.url, n)
            page, cdp = loaded.pop("page"), loaded.pop("cdp")
            result.update(loaded)
            result["tiled"] = page.evaluate("window.embedscope.store.get().tiles !== null")
            if result["tiled"]:
                page.wait_for_function(SETTLED, timeout=300_000, polling=50)
                result["view_s"] = page.evaluate("performance.now()") / 1000
                result["first_loaded"] = int(page.locator("#tile-status").get_attribute("data-drawn") or 0)
            if shots:
                page.screenshot(path=str(shots / f"tile-page-{n}-{'tiled' if tiled else 'whole'}.png"))
            result.update(pan_zoom(page, cdp, 6, 3))
            if result["tiled"]:
                result.update(tile_latency(page))
                result["hover_s"] = tile_hover(page)
                if shots:
                    page.screenshot(path=str(shots / f"tile-page-{n}-zoomed.png"))
            result["heap_mb"] = _metrics(cdp).get("JSHeapUsedSize", 0) / 2**20
            result["chromium_mb"] = chromium_mb()
            result["server_mb"] = rss_mb(served.proc.pid)
        finally:
            context.close()
    finally:
        served.close()
    return result


def report(n: int, name: str, r: dict[str, Any]) -> None:
    print(f"   {name} page ({'tiles' if r['tiled'] else 'every coordinate'}):")
    print(f"     server start {r['start_s']:.1f} s ({r['server_idle_mb']:.0f} MB)")
    print(
        f"     navigation -> map in the store {r['coords_s']:.1f} s -> first points drawn {r['draw_s']:.1f} s", end=""
    )
    print(f" -> first view complete {r['view_s']:.1f} s ({r['first_loaded']:,} points)" if r["tiled"] else "")
    calls = [(name, start, end) for name, start, end, _ in r["stages"] if name.startswith("projections")]
    print(
        "     on the way (ms from navigation, start -> end): " + "; ".join(f"{n[:60]} {a} -> {b}" for n, a, b in calls)
    )
    print(
        f"     pan/zoom: {r['frames']} frames, JS per frame median {r['js_median']:.1f} ms (p95 {r['js_p95']:.1f}),"
        f" frame interval median {r['interval_median']:.0f} ms (p95 {r['interval_p95']:.0f})"
    )
    if r["tiled"]:
        print(
            f"     tile latency, a new view a width away at level {r['level'] + 1}: median {r['latency_median']:.2f} s,"
            f" max {r['latency_max']:.2f} s (points loaded per view {r['loaded']});"
            f" hover -> tooltip {r['hover_s']:.2f} s"
        )
    c = r["chromium_mb"]
    print(
        f"     memory: page JS heap {r['heap_mb']:.0f} MB, renderer {c['renderer']:.0f} MB, GPU process"
        f" {c['gpu-process']:.0f} MB; server {r['server_mb']:.0f} MB"
    )
    if r["errors"]:
        print(f"     page errors: {r['errors']}")


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000000,10000000", help="comma-separated point counts")
    parser.add_argument("--whole-max", type=int, default=2_000_000, help="the whole-map page up to this size")
    parser.add_argument("--screenshots", type=Path, default=None)
    args = parser.parse_args()
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for n in [int(s) for s in args.sizes.split(",")]:
                with tempfile.TemporaryDirectory(prefix="embedscope-bench-tile-page-") as tmp:
                    folder = Path(tmp)
                    t0 = time.perf_counter()
                    path = make_map(folder, n)
                    print(
                        f"\n== {n:,} points (2-D map and labels made in {time.perf_counter() - t0:.1f} s)", flush=True
                    )
                    tiled = run_page(browser, path, folder, n, True, args.screenshots)
                    report(n, "tiled", tiled)
                    if n <= args.whole_max:
                        whole = run_page(browser, path, folder, n, False, args.screenshots)
                        report(n, "whole-map", whole)
                        memory = whole["chromium_mb"]["renderer"] / tiled["chromium_mb"]["renderer"]
                        print(
                            f"   ratio whole / tiled: first points {whole['draw_s'] / tiled['draw_s']:.2f}x, "
                            f"frame interval {whole['interval_median'] / tiled['interval_median']:.2f}x, "
                            f"renderer memory {memory:.2f}x"
                        )
                    else:
                        print(f"   whole-map page: not run above --whole-max {args.whole_max:,}")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
