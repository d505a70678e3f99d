"""Embedding raw texts: `embedscope.embed` (batches, progress, the truncation count, the cache) against calling
sentence-transformers' own `encode` directly, on the same King James verses with the same MiniLM, in one run.

Each side runs `--repeats` times, alternating, after one warm-up of each (the model loaded, PyTorch's kernels
chosen); embedscope runs with its cache off (every vector computed). Reported: the best time of each, the ratio
(peer / ours: 1.0 is equal speed, above is faster), and the cosine of the two sides' vectors (row by row, the lowest).

Target: ratio >= 0.95 (the issue's), and every row's cosine >= 0.9999.

    python benchmarks/bench_embed.py --verses 5000
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time

import numpy as np


def king_james(count: int) -> list[str]:
    out = subprocess.run(["bible", "-f", "Gen1:1-Rev22:21"], capture_output=True, text=True, check=True).stdout
    texts = [m.group(1) for m in (re.match(r"^\w+\d+:\d+ (.*)$", line) for line in out.splitlines()) if m]
    return texts[:count]


def main() -> int:
    from embedscope.embed import embed, load_model

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verses", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default=None)
    args = parser.parse_args()
    texts = king_james(args.verses)
    model = load_model(device=args.device)
    print(f"{len(texts):,} King James verses, {model.title} on {model.device}, batch {args.batch_size}")

    def peer() -> np.ndarray:
        return model.st.encode(texts, batch_size=args.batch_size, convert_to_numpy=True, show_progress_bar=False)

    def ours() -> np.ndarray:
        return embed(texts, model=model, batch_size=args.batch_size, cache=False).vectors

    peer(), ours()  # warm-up
    times: dict[str, list[float]] = {"sentence-transformers": [], "embedscope": []}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.repeats):
        for name, run in (("sentence-transformers", peer), ("embedscope", ours)):
            start = time.perf_counter()
            vectors[name] = run()
            times[name].append(time.perf_counter() - start)
    a, b = vectors["embedscope"], vectors["sentence-transformers"]
    cosine = float(((a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)).min())
    best = {name: min(t) for name, t in times.items()}
    ratio = best["sentence-transformers"] / best["embedscope"]
    for name, t in best.items():
        print(f"{name:>22}: {t:6.2f} s  ({len(texts) / t:,.0f} texts/s)")
    ok = ratio >= 0.95 and cosine >= 0.9999
    print(
        f"ratio {ratio:.3f} (target >= 0.95), lowest cosine {cosine:.6f} (target >= 0.9999): {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
