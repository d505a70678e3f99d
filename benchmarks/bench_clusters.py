"""Clusters of a map at 1,000 to 1,000,000 points: embedscope's clusters (scikit-learn's HDBSCAN on at most 20,000
sampled points, the others joining their nearest sampled point; then the levels and the names) against
scikit-learn's HDBSCAN on every point, on the same 2-D map, in one run.

The map: N points of a 2-D mixture of 50 Gaussians of different widths (a UMAP/t-SNE map's shape: dense islands
and a sparse sea), each point with a 32-D vector (its component's mean plus noise) and a one-word label, so the names
are the members nearest each cluster's mean (the vocabulary case, the costliest). The peer runs up to --peer-max
points (it grows faster than linearly: ~38 s at 100,000 on 2 cores; hours at 1,000,000).

Targets: at every size the clusters agree with the peer's (adjusted Rand index >= 0.7, noise as a cluster) and at
100,000 come >= 5x faster; at 1,000,000 everything (clusters, levels, names) within 60 s.

    python benchmarks/bench_clusters.py --sizes 1000 100000 1000000
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def mixture(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(2-D coords, 32-D vectors, component) of n points of a 50-component mixture."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-30, 30, size=(50, 2))
    widths = rng.uniform(0.4, 2.0, size=50)
    weights = rng.dirichlet(np.full(50, 2.0))
    part = rng.choice(50, size=n, p=weights)
    coords = centres[part] + rng.standard_normal((n, 2)) * widths[part, None]
    means = rng.standard_normal((50, 32)) * 3
    vectors = means[part] + rng.standard_normal((n, 32))
    return coords.astype(np.float32), vectors.astype(np.float32), part


def main() -> int:
    from sklearn.cluster import HDBSCAN
    from sklearn.metrics import adjusted_rand_score

    from embedscope import Embedding
    from embedscope.compute.clusters import MIN_SAMPLES, clusters, default_min_cluster_size

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    parser.add_argument("--peer-max", type=int, default=100_000, help="largest size the peer runs at")
    args = parser.parse_args()
    ok = True
    head = (
        ("points", 10),
        ("ours s", 8),
        ("peer s", 8),
        ("speed-up", 9),
        ("ARI vs peer", 12),
        ("clusters", 9),
        ("levels", 7),
    )
    print(" ".join(f"{name:>{width}}" for name, width in head))
    for n in args.sizes:
        coords, vectors, _ = mixture(n)
        emb = Embedding(vectors, metadata={"word": [f"w{i}" for i in range(n)]})
        start = time.perf_counter()
        found = clusters(emb, coords, column="word")
        ours = time.perf_counter() - start
        peer = agree = None
        if n <= args.peer_max:
            size = default_min_cluster_size(n)
            start = time.perf_counter()
            labels = HDBSCAN(min_cluster_size=size, min_samples=min(MIN_SAMPLES, size), copy=True).fit_predict(coords)
            peer = time.perf_counter() - start
            agree = adjusted_rand_score(labels, found.assignment)
            ok &= agree >= 0.7
            if n >= 100_000:
                ok &= peer / ours >= 5
        if n >= 1_000_000:
            ok &= ours <= 60
        shown = [f"{peer:8.1f}" if peer else f"{'-':>8}", f"{peer / ours:8.1f}x" if peer else f"{'-':>9}"]
        print(
            f"{n:>10,} {ours:8.1f} {shown[0]} {shown[1]} {agree if agree is not None else float('nan'):12.3f} "
            f"{len(found.base_clusters):>9} {found.levels:>7}"
        )
    print("PASS" if ok else "FAIL", "(targets: ARI vs peer >= 0.7; >= 5x faster at 100,000; <= 60 s at 1,000,000)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
