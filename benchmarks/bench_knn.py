"""All-points k-NN graph, k = 15, on 70,000 x 50 (a 20-cluster Gaussian mixture): which engine to use.

embedscope's exact blocked-BLAS search against scikit-learn's brute force (exact, a core dependency), and, when
they are installed, faiss-cpu (IndexFlatL2, exact) and hnswlib (approximate, M=16, ef_construction=200, ef=50),
all on every core, in one run. Recall is measured against embedscope's exact graph (scikit-learn and faiss
must reach 1.0, which checks that the exact engines agree).

Target (issue 3): exact where it is fastest; an approximate engine only where it wins. PASS when embedscope's
exact search is the fastest exact engine (scikit-learn brute, faiss flat); hnswlib's time and recall are
printed beside it, for the choice of an approximate engine. Engines run in turns, best of --rounds.

    .venv/bin/python benchmarks/bench_knn.py [--k 15] [--n 70000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from embedscope.compute.knn_graph import clear_memo, knn_graph

DATA = Path(__file__).parent / "data"
CORES = len(os.sched_getaffinity(0))


def mixture(n: int, d: int = 50, clusters: int = 20, seed: int = 0) -> np.ndarray:
    """A seeded Gaussian mixture: `clusters` centres spread 3 sd apart per axis, unit noise, float32."""
    path = DATA / f"gmm{clusters}_{n}x{d}_seed{seed}.npy"
    if path.exists():
        return np.load(path)
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, d)) * 3.0
    x = (centres[rng.integers(0, clusters, n)] + rng.standard_normal((n, d))).astype(np.float32)
    DATA.mkdir(parents=True, exist_ok=True)
    np.save(path, x)
    return x


def recall(found: np.ndarray, exact: np.ndarray) -> float:
    k = exact.shape[1]
    hits = sum(len(np.intersect1d(a, b, assume_unique=True)) for a, b in zip(found, exact, strict=True))
    return hits / (len(exact) * k)


def timed(fn: Callable[[], np.ndarray]) -> tuple[float, np.ndarray]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def sklearn_brute(x: np.ndarray, k: int) -> np.ndarray:
    from sklearn.neighbors import NearestNeighbors

    return NearestNeighbors(n_neighbors=k, algorithm="brute", n_jobs=CORES).fit(x).kneighbors(return_distance=False)


def faiss_flat(x: np.ndarray, k: int) -> np.ndarray:
    import faiss

    faiss.omp_set_num_threads(CORES)
    index = faiss.IndexFlatL2(x.shape[1])
    index.add(x)
    _, ids = index.search(x, k + 1)
    return _drop_self(ids, k)


def hnsw(x: np.ndarray, k: int) -> np.ndarray:
    import hnswlib

    index = hnswlib.Index(space="l2", dim=x.shape[1])
    index.init_index(max_elements=len(x), M=16, ef_construction=200, random_seed=0)
    index.add_items(x, np.arange(len(x)), num_threads=CORES)
    index.set_ef(50)
    ids, _ = index.knn_query(x, k=k + 1, num_threads=CORES)
    return _drop_self(ids.astype(np.int64), k)


def _drop_self(ids: np.ndarray, k: int) -> np.ndarray:
    """The k first neighbours other than the point itself (wherever the engine put it)."""
    own = ids == np.arange(len(ids))[:, None]
    own[own.sum(axis=1) == 0, -1] = True  # self not found: drop the last one instead
    return ids[~own].reshape(len(ids), k)


def available(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=70_000)
    parser.add_argument("--k", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    x = mixture(args.n)
    k = args.k

    def ours(x: np.ndarray, k: int) -> np.ndarray:
        clear_memo()
        return knn_graph(x, k=k).indices

    engines: list[tuple[str, str, Callable[[np.ndarray, int], np.ndarray]]] = [
        ("embedscope exact (blocked BLAS)", "embedscope", ours),
        ("scikit-learn brute (exact)", "sklearn", sklearn_brute),
        ("faiss-cpu IndexFlatL2 (exact)", "faiss", faiss_flat),
        ("hnswlib M=16 ef=200/50 (approx.)", "hnswlib", hnsw),
    ]
    for name, module, _ in engines:
        if not available(module):
            print(f"  ({name}: not installed, skipped)")
    engines = [e for e in engines if available(e[1])]
    load = os.getloadavg()[0]
    best: dict[str, float] = {}
    found: dict[str, np.ndarray] = {}
    for _ in range(args.rounds):  # in turns, so that load from elsewhere hits every engine alike
        for name, _, fn in engines:
            seconds, ids = timed(lambda fn=fn: fn(x, k))
            best[name] = min(best.get(name, np.inf), seconds)
            found[name] = ids
    graph = found[engines[0][0]]
    rows = [(name, best[name], recall(found[name], graph)) for name, _, _ in engines]
    ours_s = rows[0][1]

    print(
        f"all-points k-NN, k = {k}, {args.n:,} x {x.shape[1]} float32 (20-cluster mixture), {CORES} cores, "
        f"best of {args.rounds} in turns, load average {load:.1f} -> {os.getloadavg()[0]:.1f}"
    )
    print(f"  {'engine':36s} {'time':>8s} {'recall':>7s} {'vs ours':>8s}")
    for name, seconds, rec in rows:
        print(f"  {name:36s} {seconds:7.2f}s {rec:7.4f} {seconds / ours_s:7.2f}x")
    exact = [(name, seconds) for name, seconds, _ in rows[1:] if "exact" in name]
    exact_ok = all(rec > 0.9999 for name, _, rec in rows if "exact" in name)
    fastest_exact = all(ours_s <= seconds for _, seconds in exact)
    ok = exact_ok and fastest_exact
    approx = [(name, seconds, rec) for name, seconds, rec in rows if "approx" in name]
    for name, seconds, rec in approx:
        verdict = "slower than" if seconds >= ours_s else f"{ours_s / seconds:.2f}x faster than"
        print(f"  note: {name.split()[0]} is {verdict} exact, at recall {rec:.3f}")
    print(
        f"{'PASS' if ok else 'FAIL'}: embedscope's exact search ({ours_s:.2f}s) is the fastest exact engine: "
        f"{fastest_exact}; exact engines agree: {exact_ok}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
