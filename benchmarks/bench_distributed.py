"""Past one machine (issue 18): the same job on a LocalCluster of 1 and of 2 workers, its speed-up, and its quality
against the single-machine path, in one run.

Data: bench_scale's low-rank mixture (50 clusters, each a Gaussian in its own 5-dimensional subspace, plus noise),
--n rows (2,000,000 by default) x --dim (64) float32, written once to benchmarks/data/ as .npy shards of --shard
rows (never committed). For each cluster size (--workers, "1,2") each method (--methods, "pca,umap,tsne,index")
runs on the whole table through embedscope.distributed (the code `project --scheduler` and `embedscope index` run):
wall seconds, rows per second, and the seconds of each stage (what the extrapolation in docs/scaling.md scales
from). Each method first runs once, untimed, on a small table on the same workers (imports, numba's compiling).

Quality, on a --sample-row (200,000) seeded sample of the table:
- PCA: the cluster's coordinates against the single-machine PCA (`project(emb, "pca")`, scikit-learn's) of the whole
  table: the largest difference relative to the coordinates' spread (exact: float32 rounding);
- UMAP and t-SNE: the cluster's coordinates of the sample's rows against embedscope's single-machine map of the
  sample alone (`project(emb, "umap")` / `"tsne"`), both scored on the sample: the share of each point's 10 nearest
  neighbours kept (10,000 points) and trustworthiness (scikit-learn's, 10 neighbours, 5,000 points); the ratio is
  cluster / single machine;
- the index: its recall@10 as measured by the build (200 sampled rows, exact search on the workers).

    .venv/bin/python benchmarks/bench_distributed.py [--n 2000000] [--workers 1,2] [--methods pca,umap,tsne,index]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import CLUSTERS, lowrank_block, lowrank_model

DATA = Path(__file__).resolve().parent / "data"


def shards(n: int, dim: int, rows: int) -> Path:
    """The table as .npy shards of `rows` rows, written once (block by block: never the whole table in memory)."""
    folder = DATA / f"dist_lowrank_{n}x{dim}_{rows}"
    done = folder / ".complete"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        model = lowrank_model(dim)
        for i, start in enumerate(range(0, n, rows)):
            rng = np.random.default_rng(1000 + i)
            label = rng.integers(0, CLUSTERS, min(rows, n - start))
            np.save(folder / f"part-{i:05d}.npy", lowrank_block(model, label, rng))
        done.touch()
    return folder


def whole(folder: Path) -> np.ndarray:
    return np.concatenate([np.load(p) for p in sorted(folder.glob("part-*.npy"))])


def coords_of(out: Path) -> np.ndarray:
    import pyarrow.parquet as pq

    parts = [pq.read_table(p) for p in sorted(out.glob("part-*.parquet"))]
    axes = ("x", "y", "z")
    return np.concatenate([np.column_stack([t[c].to_numpy() for c in t.column_names if c in axes]) for t in parts])


def score(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from sklearn.manifold import trustworthiness

    from embedscope.compute.quality import neighbor_preservation

    kept = neighbor_preservation(x, y, k=10, sample=10_000, random_state=1)
    rows = np.sort(np.random.default_rng(2).choice(len(x), min(5_000, len(x)), replace=False))
    return float(kept), float(trustworthiness(x[rows], y[rows], n_neighbors=10))


def run_method(method: str, table: object, client: object, out: Path) -> dict:
    from embedscope.distributed.index import build_index
    from embedscope.distributed.pca import distributed_pca
    from embedscope.distributed.tsne import distributed_tsne
    from embedscope.distributed.umap import distributed_umap

    stages: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        stages[stage] = stages.get(stage, 0.0) + now - last[0]
        last[0] = now

    started = time.perf_counter()
    info: dict = {}
    if method == "pca":
        distributed_pca(table, client, out=out, progress=progress)
    elif method == "umap":
        info["sample"] = distributed_umap(table, client, out=out, progress=progress).sample
    elif method == "tsne":
        info["sample"] = distributed_tsne(table, client, out=out, progress=progress).sample
    else:
        built = build_index(table, client, out=out)
        info.update(recall=built.recall, codes=built.codes, nlist=built.nlist)
    info["wall_s"] = time.perf_counter() - started
    info["stages_s"] = stages
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2_000_000)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--shard", type=int, default=125_000)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--methods", default="pca,umap,tsne,index")
    ap.add_argument("--sample", type=int, default=200_000)
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--dim-cost", action="store_true", help="only measure how placing's cost grows with dimension")
    args = ap.parse_args()
    if args.dim_cost:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):  # as a dask worker runs (OMP_NUM_THREADS=1)
            print(json.dumps(dim_cost(), indent=1))
        return

    from embedscope.distributed import cluster_client
    from embedscope.formats.tables.shards import open_shards

    folder = shards(args.n, args.dim, args.shard)
    table = open_shards(folder)
    methods = args.methods.split(",")
    print(f"data: {table.rows:,} x {table.dim} in {len(table.shards)} shards ({folder})", flush=True)
    results: dict = {"n": table.rows, "dim": table.dim, "shards": len(table.shards), "runs": {}}
    keep = np.sort(np.random.default_rng(3).choice(table.rows, min(args.sample, table.rows), replace=False))
    with tempfile.TemporaryDirectory() as tmp:
        maps: dict[str, np.ndarray] = {}
        for workers in [int(w) for w in args.workers.split(",")]:
            with cluster_client(f"local:{workers}") as client:
                warm = open_shards(shards(12_000, args.dim, 6_000))  # past 4,096 rows: NN-descent, compiled too
                for method in methods:  # once untimed on a small table: each worker's imports and numba compiling
                    run_method(method, warm, client, Path(tmp) / f"warm-{method}")
                for method in methods:
                    out = Path(tmp) / f"{method}-{workers}"
                    info = run_method(method, table, client, out)
                    info["rows_per_s"] = table.rows / info["wall_s"]
                    results["runs"][f"{method}@{workers}"] = info
                    if method != "index":
                        maps[method] = coords_of(out)  # the last cluster's map is scored
                    print(f"{method} on {workers} worker(s): {info['wall_s']:.1f} s {json.dumps(info)}", flush=True)
        results["quality"] = quality(folder, maps, keep)
    for method in methods:
        runs = [results["runs"].get(f"{method}@{w}") for w in (1, 2)]
        if all(runs):
            results["runs"][f"{method}_speedup"] = runs[0]["wall_s"] / runs[1]["wall_s"]
    print(json.dumps(results, indent=1, default=float))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=float))


def quality(folder: Path, maps: dict[str, np.ndarray], keep: np.ndarray) -> dict:
    import embedscope

    out: dict = {}
    x = whole(folder)
    if "pca" in maps:  # the whole table on this machine (spherized from 50 dimensions, as the cluster's)
        ref = np.asarray(embedscope.project(embedscope.Embedding(x), "pca").coords)
        diff = np.abs(ref - maps["pca"]).max() / float(ref.std())
        out["pca_max_relative_difference"] = float(diff)
        print(f"pca: largest difference from the single-machine PCA {diff:.2e} of the spread", flush=True)
    sample = x[keep]
    del x
    for method in ("umap", "tsne"):
        if method not in maps:
            continue
        started = time.perf_counter()
        single = embedscope.project(embedscope.Embedding(sample), method).coords
        seconds = time.perf_counter() - started
        cluster_kept, cluster_trust = score(sample, maps[method][keep])
        single_kept, single_trust = score(sample, np.asarray(single))
        out[method] = {
            "cluster": {"kept": cluster_kept, "trust": cluster_trust},
            "single_machine": {"kept": single_kept, "trust": single_trust, "wall_s": seconds},
            "kept_ratio": cluster_kept / single_kept,
            "trust_ratio": cluster_trust / single_trust,
        }
        print(f"{method} quality: {json.dumps(out[method])}", flush=True)
    return out


def dim_cost(fit_rows: int = 20_000, placed: int = 10_000) -> dict:
    """Rows placed per second (one process, one thread) by umap-learn's and openTSNE's transform at 64 and at 768
    dimensions: a model fitted on `fit_rows` rows of the low-rank mixture, `placed` other rows placed. What
    docs/scaling.md scales the measured 64-dimension rates by."""
    import os

    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    from openTSNE import TSNE
    from umap import UMAP

    out: dict = {}
    for dim in (64, 768):
        model = lowrank_model(dim)
        rng = np.random.default_rng(5)
        x = lowrank_block(model, rng.integers(0, CLUSTERS, fit_rows + placed), rng)
        fitted = UMAP(random_state=0).fit(x[:fit_rows])
        fitted.transform(x[fit_rows : fit_rows + 500])  # compiled once
        started = time.perf_counter()
        fitted.transform(x[fit_rows:])
        out[f"umap_{dim}_rows_per_s"] = placed / (time.perf_counter() - started)
        tsne = TSNE(n_jobs=1, random_state=0, verbose=False).fit(x[:fit_rows])
        started = time.perf_counter()
        tsne.transform(x[fit_rows:])
        out[f"tsne_{dim}_rows_per_s"] = placed / (time.perf_counter() - started)
        gram = np.asarray(x[:fit_rows], dtype=np.float64)
        started = time.perf_counter()
        for _ in range(5):
            gram.T @ gram  # PCA's sums: a Gram matrix of each block
        out[f"pca_sums_{dim}_rows_per_s"] = 5 * fit_rows / (time.perf_counter() - started)
        print(json.dumps(out), flush=True)
    return out


if __name__ == "__main__":
    main()
