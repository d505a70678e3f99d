"""word2vec text, 400,000 x 300: embedscope.load vs gensim's KeyedVectors.load_word2vec_format.

Target: embedscope loads at least 2x faster than gensim, with identical vectors and words.
Run: .venv/bin/python benchmarks/bench_load_word2vec.py [--rows N] [--dim D]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"
TARGET = 2.0


def make_file(path: Path, n: int, d: int, *, seed: int = 0) -> None:
    """Write n random float32 vectors as word2vec text with 6 decimals, as real files are (built in bulk)."""
    rng = np.random.default_rng(seed)
    word_width = 12
    with path.open("wb") as fh:
        fh.write(f"{n} {d}\n".encode())
        for start in range(0, n, 20_000):
            rows = min(20_000, n - start)
            values = rng.standard_normal((rows, d), dtype=np.float32) * np.float32(0.4)
            scaled = np.rint(np.clip(values, -9.999999, 9.999999).astype(np.float64) * 1e6).astype(np.int64)
            k = np.abs(scaled)
            # one row = word slot + d slots of " -I.FFFFFF" + "\n"; zero bytes are padding, removed at the end
            block = np.zeros((rows, word_width + d * 10 + 1), dtype=np.uint8)
            words = np.array([f"w{start + i}".encode() for i in range(rows)], dtype=f"S{word_width}")
            block[:, :word_width] = words.view(np.uint8).reshape(rows, word_width)
            nums = block[:, word_width : word_width + d * 10].reshape(rows, d, 10)
            nums[:, :, 0] = ord(" ")
            nums[:, :, 1] = np.where(scaled < 0, ord("-"), 0)
            nums[:, :, 2] = ord("0") + k // 1_000_000
            nums[:, :, 3] = ord(".")
            for i in range(6):
                nums[:, :, 4 + i] = ord("0") + (k // 10 ** (5 - i)) % 10
            block[:, -1] = ord("\n")
            fh.write(block[block != 0].tobytes())


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None  # let the previous result go before the next run
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    from gensim.models import KeyedVectors

    import embedscope

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"word2vec_{args.rows}x{args.dim}.txt"
    if not path.exists():
        t0 = time.perf_counter()
        make_file(path, args.rows, args.dim)
        print(f"generated {path} ({path.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - t0:.1f} s")

    ours_s, ours = best_of(lambda: embedscope.load(path), args.repeat)
    peer_s, peer = best_of(lambda: KeyedVectors.load_word2vec_format(str(path), binary=False), args.repeat)

    same_vectors = bool(np.array_equal(np.asarray(ours.vectors), peer.vectors))
    same_words = ours.labels == list(peer.index_to_key)
    ratio = peer_s / ours_s
    print(f"\nword2vec text {args.rows:,} x {args.dim} ({path.stat().st_size / 1e9:.2f} GB), best of {args.repeat}")
    print(f"{'loader':<48}{'seconds':>10}")
    print(f"{'gensim KeyedVectors.load_word2vec_format':<48}{peer_s:>10.2f}")
    print(f"{'embedscope.load':<48}{ours_s:>10.2f}")
    print(
        f"speed-up: {ratio:.1f}x (target >= {TARGET:.0f}x); identical vectors: {same_vectors}; same words: {same_words}"
    )
    ok = ratio >= TARGET and same_vectors and same_words
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
