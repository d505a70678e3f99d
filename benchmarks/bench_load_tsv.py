"""Does a 100,000 x 300 projector TSV load at least as fast as pandas.read_csv(engine="pyarrow")?

Generates benchmarks/data/tsv_100000x300.tsv (+ its single-column metadata) once, then times, best of 3,
interleaved: the peer `pandas.read_csv(path, sep="\\t", header=None, engine="pyarrow")` and embedscope's
`tsv.read_vectors(path)`. Checks both give the same float32 values, prints the ratio, and ends with PASS when
embedscope is no slower than the peer. Also shows `embedscope.load` (vectors + metadata) for reference.

    .venv/bin/python benchmarks/bench_load_tsv.py [--rows 100000] [--dim 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

import embedscope
from embedscope.formats import tsv

DATA = Path(__file__).parent / "data"


def make_data(rows: int, dim: int) -> Path:
    path = DATA / f"tsv_{rows}x{dim}.tsv"
    if path.exists() and path.with_name(f"{path.stem}_metadata.tsv").exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    print(f"generating {path} ...", flush=True)
    vectors = np.random.default_rng(0).standard_normal((rows, dim)).astype(np.float32)
    metadata = pa.table({"label": [f"word{i}" for i in range(rows)]})
    tsv.write(embedscope.Embedding(vectors, metadata=metadata), path)
    return path


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = make_data(args.rows, args.dim)
    size_mb = path.stat().st_size / 1e6

    runs: dict[str, list[float]] = {"pandas (peer)": [], "embedscope read_vectors": [], "embedscope.load": []}
    peer = ours = None
    for _ in range(args.repeat):
        t, peer = timed(lambda: pd.read_csv(path, sep="\t", header=None, engine="pyarrow"))
        runs["pandas (peer)"].append(t)
        t, ours = timed(lambda: tsv.read_vectors(path)[0])
        runs["embedscope read_vectors"].append(t)
        t, emb = timed(lambda: embedscope.load(path))
        runs["embedscope.load"].append(t)
        del emb

    assert peer is not None and ours is not None
    same = ours.shape == peer.shape and np.array_equal(ours, peer.to_numpy(dtype=np.float32))
    best = {name: min(times) for name, times in runs.items()}
    print(f"\n{args.rows:,} x {args.dim} projector TSV, {size_mb:,.0f} MB, best of {args.repeat}\n")
    print(f"{'reader':<26}{'seconds':>9}{'MB/s':>9}")
    for name, seconds in best.items():
        print(f"{name:<26}{seconds:>9.3f}{size_mb / seconds:>9.0f}")
    ratio = best["embedscope read_vectors"] / best["pandas (peer)"]
    print(f"\nsame float32 values: {same}")
    print(f"ratio embedscope / pandas: {ratio:.2f} (target <= 1.00)")
    ok = same and ratio <= 1.0
    print("PASS" if ok else "FAIL", "- 100k x 300 TSV loads at least as fast as pandas.read_csv(engine='pyarrow')")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
