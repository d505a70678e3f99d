"""The server under load, its start-up, and what HTTP adds to a neighbour query (issue 4).

Three parts, each against `embedscope serve` run as a subprocess on 127.0.0.1 with `--port 0` (the URL it prints
is parsed), with a fresh projection cache:

1. load: 50 concurrent async httpx clients for 30 s mix metadata (JSON, 100 rows), neighbour (k = 10, cosine)
   and search (substring) requests on a 20,000 x 100 .npy with labels while a t-SNE job of it runs. Reports
   the median and p99 latency of each kind. Target: zero errors, and the t-SNE still running at the end.
2. start-up: `embedscope serve` on a 100,000 x 300 .npy with labels, from spawning the process to the first
   PCA coordinates received by a client (POST the projection, then the first binary frame of its WebSocket
   stream). Target: under 3 s (median of --rounds runs).
3. neighbours: one neighbour query on 1,000,000 x 300 over HTTP against the same query computed in-process
   (embedscope.compute.neighbors on the same memory-mapped file), in turns, after a warm-up, for --queries
   random rows. Checks that both give the same rows. Target: HTTP adds under 20 ms (the median of the paired
   differences). The server runs with --no-warm-up here: the UMAP compile it otherwise starts in the
   background would share the two cores with the queries measured.

The data is generated once into benchmarks/data/ (1.2 GB for part 3).

    .venv/bin/python benchmarks/bench_server.py [--part all|load|startup|neighbors] [--seconds 30] [--rounds 3]
        [--queries 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

DATA = Path(__file__).parent / "data"
EMBEDSCOPE = Path(sys.executable).parent / "embedscope"
EMB = "/api/runs/r0/embeddings/e0"
URL = re.compile(r"(http://127\.0\.0\.1:\d+)/")
CHUNK_ROWS = 100_000


def matrix(n: int, d: int, *, labels: bool, seed: int = 0) -> Path:
    """A seeded float32 n x d .npy (20 Gaussian clusters) and, with labels, its `<stem>_metadata.tsv` beside."""
    path = DATA / f"server_{n}x{d}_seed{seed}.npy"
    meta = path.with_name(f"{path.stem}_metadata.tsv")
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(seed)
        centres = rng.standard_normal((20, d)).astype(np.float32) * 3
        tmp = path.with_suffix(".tmp.npy")
        out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(n, d))
        for start in range(0, n, CHUNK_ROWS):
            rows = min(CHUNK_ROWS, n - start)
            noise = rng.standard_normal((rows, d), dtype=np.float32)
            out[start : start + rows] = centres[rng.integers(0, 20, rows)] + noise
        out.flush()
        del out
        os.replace(tmp, path)
    if labels and not meta.exists():
        meta.write_text("".join(f"word{i}\n" for i in range(n)), encoding="utf-8")  # one column: no header
    return path


class Served:
    """`embedscope serve PATH --port 0` in a subprocess; `.url` once it prints where it listens."""

    def __init__(self, path: Path, *extra: str, timeout: float = 300) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="embedscope-bench-")
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "EMBEDSCOPE_CACHE_DIR": self.folder.name}
        self.stderr = open(Path(self.folder.name) / "stderr.txt", "w+b")  # noqa: SIM115 (closed in close())
        self.started = time.perf_counter()
        args = [str(EMBEDSCOPE), "serve", str(path), "--port", "0", "--state-dir", self.folder.name, *extra]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, env=env, text=True)
        self.url = self._wait_for_url(timeout)
        self.listening = time.perf_counter()

    def _wait_for_url(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
                    break
                line = self.proc.stdout.readline()
                if not line:
                    break
                found = URL.search(line)
                if found:
                    return found.group(1)
        self.close()
        raise RuntimeError(f"embedscope serve printed no URL: {self.error_text()}")

    def error_text(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")[-2000:]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.stderr.close()
        self.folder.cleanup()

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- 1. load ---------------------------------------------------------------------------------------------------
def _request(kind: str, i: int, n: int) -> tuple[str, str, dict[str, Any]]:
    if kind == "metadata":
        return "GET", f"{EMB}/metadata", {"params": {"format": "json", "offset": (i * 7919) % n, "limit": 100}}
    if kind == "neighbors":
        return "POST", f"{EMB}/neighbors", {"json": {"query": (i * 104729) % n, "k": 10}}
    return "GET", f"{EMB}/search", {"params": {"q": f"word{(i * 31) % 1000}"}}


async def _client(base: str, k: int, n: int, deadline: float, times: dict[str, list[float]], errors: list[str]) -> None:
    kinds = tuple(times)
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        i = k
        while time.monotonic() < deadline:
            kind = kinds[i % len(kinds)]
            method, url, extra = _request(kind, i, n)
            t0 = time.perf_counter()
            try:
                response = await http.request(method, url, **extra)
            except httpx.HTTPError as exc:
                errors.append(f"{kind}: {type(exc).__name__} {exc}")
            else:
                times[kind].append(time.perf_counter() - t0)
                if response.status_code != 200:
                    errors.append(f"{kind}: {response.status_code} {response.text[:200]}")
            i += 1


async def _load(base: str, clients: int, n: int, seconds: float) -> tuple[dict[str, list[float]], list[str]]:
    times: dict[str, list[float]] = {"metadata": [], "neighbors": [], "search": []}
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(_client(base, k, n, deadline, times, errors) for k in range(clients)))
    return times, errors


def part_load(seconds: float, clients: int) -> bool:
    n, d = 20_000, 100
    path = matrix(n, d, labels=True, seed=1)
    print(f"\n1. load: {clients} clients for {seconds:g} s on {n:,} x {d} while a t-SNE job runs")
    with Served(path) as served, httpx.Client(base_url=served.url, timeout=60) as http:
        job = http.post(f"{EMB}/projections", json={"method": "tsne", "params": {"n_iter": 10000}}).json()
        time.sleep(1.0)  # let it start
        times, errors = asyncio.run(_load(served.url, clients, n, seconds))
        state = http.get(f"/api/projections/{job['id']}").json()
        http.post(f"/api/projections/{job['id']}/cancel")
    print(f"   {'request':<10} {'count':>7} {'req/s':>7} {'median ms':>10} {'p99 ms':>8}")
    for kind, values in times.items():
        ms = np.asarray(values) * 1000
        med, p99 = (float(np.median(ms)), float(np.percentile(ms, 99))) if len(ms) else (float("nan"),) * 2
        print(f"   {kind:<10} {len(ms):>7,} {len(ms) / seconds:>7.1f} {med:>10.1f} {p99:>8.1f}")
    print(f"   errors: {len(errors)}; t-SNE at the end: {state['state']}, {state['stage']} {state['iteration']}")
    for line in errors[:5]:
        print(f"     {line}")
    ok = not errors and state["state"] == "running" and all(times.values())
    print(f"   {'PASS' if ok else 'FAIL'}: zero errors with the t-SNE job running throughout")
    return ok


# -- 2. start-up -----------------------------------------------------------------------------------------------
def _first_pca_frame(served: Served) -> tuple[float, float, tuple[int, ...]]:
    """(time of the POST answer, time of the first binary frame, its header) for a PCA job."""
    from websockets.sync.client import connect

    with httpx.Client(base_url=served.url, timeout=60) as http:
        job = http.post(f"{EMB}/projections", json={"method": "pca"}).json()
    posted = time.perf_counter()
    stream = served.url.replace("http://", "ws://") + f"/api/projections/{job['id']}/stream"
    with connect(stream, open_timeout=60, max_size=None) as ws:
        for _ in range(10_000):
            message = ws.recv(timeout=60)
            if isinstance(message, bytes):
                header = tuple(int(v) for v in np.frombuffer(message[:16], dtype="<u4"))
                return posted, time.perf_counter(), header
            if json.loads(message)["job"]["state"] in ("failed", "cancelled"):
                raise RuntimeError(f"the PCA job stopped: {message}")
    raise RuntimeError("no coordinates came")


def part_startup(rounds: int) -> bool:
    n, d = 100_000, 300
    path = matrix(n, d, labels=True)
    print(f"\n2. start-up: `embedscope serve` on {n:,} x {d} .npy with labels -> first PCA coordinates at a client")
    totals = []
    print(f"   {'round':<6} {'URL printed s':>14} {'POST answered s':>16} {'first coords s':>15}")
    for r in range(rounds):
        with Served(path) as served:
            posted, framed, header = _first_pca_frame(served)
            start = served.started
            totals.append(framed - start)
            print(f"   {r + 1:<6} {served.listening - start:>14.2f} {posted - start:>16.2f} {framed - start:>15.2f}")
            assert header[1:3] == (n, 2), header
    median = statistics.median(totals)
    ok = median < 3.0
    print(f"   median {median:.2f} s; {'PASS' if ok else 'FAIL'}: under 3 s")
    return ok


# -- 3. neighbours over HTTP -----------------------------------------------------------------------------------
def part_neighbors(count: int) -> bool:
    from embedscope.compute.neighbors import neighbors
    from embedscope.formats.registry import load

    n, d = 1_000_000, 300
    path = matrix(n, d, labels=False, seed=2)
    print(f"\n3. neighbours: k = 10, cosine, on {n:,} x {d}: HTTP against the same compute in-process")
    emb = load(path)
    warm = 3  # the first queries warm both sides (row norms, labels, page cache)
    queries = [int(q) for q in np.random.default_rng(3).integers(0, n, count + warm)]
    http_times, local_times = [], []
    with Served(path, "--no-warm-up") as served, httpx.Client(base_url=served.url, timeout=120) as http:
        for i, q in enumerate(queries):
            t0 = time.perf_counter()
            answer = http.post(f"{EMB}/neighbors", json={"query": q, "k": 10, "metric": "cosine"})
            t1 = time.perf_counter()
            local = neighbors(emb, q, k=10, metric="cosine")
            t2 = time.perf_counter()
            assert answer.status_code == 200, answer.text
            assert [hit["index"] for hit in answer.json()["neighbors"]] == [hit.index for hit in local]
            if i >= warm:
                http_times.append(t1 - t0)
                local_times.append(t2 - t1)
    h, c = statistics.median(http_times) * 1000, statistics.median(local_times) * 1000
    added = statistics.median(a - b for a, b in zip(http_times, local_times, strict=True)) * 1000
    print(f"   {count} queries       {'median ms':>10} {'min ms':>8}")
    print(f"   {'HTTP (server)':<22} {h:>10.1f} {min(http_times) * 1000:>8.1f}")
    print(f"   {'in-process compute':<22} {c:>10.1f} {min(local_times) * 1000:>8.1f}")
    print(f"   added by HTTP: {added:.1f} ms (median of paired differences; ratio of medians {h / c:.2f})")
    print("   same neighbours: yes")
    ok = added < 20.0
    print(f"   {'PASS' if ok else 'FAIL'}: HTTP adds under 20 ms")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("all", "load", "startup", "neighbors"), default="all")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the load (part 1)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="start-ups (part 2)")
    parser.add_argument("--queries", type=int, default=30, help="neighbour queries measured (part 3)")
    args = parser.parse_args()
    print(f"embedscope server benchmark; {os.cpu_count()} cores")
    results = {}
    if args.part in ("all", "load"):
        results["load"] = part_load(args.seconds, args.clients)
    if args.part in ("all", "startup"):
        results["startup"] = part_startup(args.rounds)
    if args.part in ("all", "neighbors"):
        results["neighbors"] = part_neighbors(args.queries)
    ok = all(results.values())
    print(f"\n{'PASS' if ok else 'FAIL'}: " + ", ".join(f"{k} {'PASS' if v else 'FAIL'}" for k, v in results.items()))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
