"""Exact nearest neighbours (cosine angle or euclidean distance) and analogies, over every row.

Scores come from one float32 BLAS product against the vectors as stored (memory-mapped ones included);
only the row norms (N floats, computed block by block) are cached, so a 1,000,000 x 300 table is never copied.
Ties are broken by index, so results are stable.
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..embedding import Embedding
from ..errors import ParameterError

METRICS = ("cosine", "euclidean")
MAX_K = 1000
DEFAULT_K = 100  # TensorBoard's projector shows 100 neighbours; the page, the API and the CLI alike
BLOCK_ROWS = 1 << 16

_BLAS_LOCK = threading.Lock()
_norms: weakref.WeakKeyDictionary[Embedding, np.ndarray] = weakref.WeakKeyDictionary()
_inverse: weakref.WeakKeyDictionary[Embedding, tuple[np.ndarray, np.ndarray]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Neighbor:
    index: int
    label: str
    distance: float  # 1 - cos for cosine, L2 distance for euclidean
    similarity: float | None = None  # cosine similarity (cosine metric and 3CosAdd analogies)
    score: float | None = None  # the 3CosMul objective (higher is better); `distance` is then -score

    @property
    def angle(self) -> float | None:
        """Angle in degrees between the query and this point (cosine metric only)."""
        if self.similarity is None:
            return None
        return math.degrees(math.acos(max(-1.0, min(1.0, self.similarity))))

    def to_dict(self) -> dict[str, object]:
        return {
            "index": self.index,
            "label": self.label,
            "distance": self.distance,
            "similarity": self.similarity,
            "angle": self.angle,
            "score": self.score,
        }


def row_norms(emb: Embedding) -> np.ndarray:
    """L2 norm of every row, computed block by block once per Embedding."""
    cached = _norms.get(emb)
    if cached is None:
        x = emb.vectors
        cached = np.empty(len(emb), dtype=np.float32)
        for start in range(0, len(emb), BLOCK_ROWS):
            block = np.asarray(x[start : start + BLOCK_ROWS], dtype=np.float32)
            cached[start : start + len(block)] = np.sqrt(np.einsum("ij,ij->i", block, block))
        _norms[emb] = cached
    return cached


def _inverse_norms(emb: Embedding) -> tuple[np.ndarray, np.ndarray]:
    """1 / norm of every row (0 for zero rows) and the indices of the zero rows, cached."""
    cached = _inverse.get(emb)
    if cached is None:
        norms = row_norms(emb)
        zero = np.flatnonzero(norms == 0)
        with np.errstate(divide="ignore"):
            inverse = np.where(norms == 0, np.float32(0), np.float32(1) / norms).astype(np.float32)
        cached = (inverse, zero)
        _inverse[emb] = cached
    return cached


def _dots(emb: Embedding, q: np.ndarray) -> np.ndarray:
    """X @ q for one query (D) or several (M x D -> N x M): one BLAS call straight over the stored rows.

    One product runs at a time: each already uses every core, and many threads calling BLAS at once (a server
    under load) slow every one of them down many times over.
    """
    with _BLAS_LOCK:
        return np.asarray(emb.vectors @ q.T, dtype=np.float32)


def _check_k(k: int, n: int, excluded: int) -> None:
    if not isinstance(k, int | np.integer) or k < 1 or k > MAX_K:
        raise ParameterError(f"`k` must be an integer from 1 to {MAX_K:,}, got {k!r}", field="k")
    if k > n - excluded:
        raise ParameterError(
            f"`k` = {k:,} but only {n - excluded:,} other points exist (N = {n:,})",
            field="k",
            fix=f"ask for at most {max(n - excluded, 0):,} neighbours",
        )


def _check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise ParameterError(f"`metric` must be one of {list(METRICS)}, got {metric!r}", field="metric")


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest scores (-inf never counts), ties broken by the lower index."""
    n = len(scores)
    k = min(k, n)
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    if k < n:
        part = np.argpartition(scores, n - k)[n - k :]
        kth = scores[part].min()
        candidates = np.flatnonzero(scores >= kth) if kth > -np.inf else part
    else:
        candidates = np.arange(n)
    candidates = candidates[scores[candidates] > -np.inf]
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order[:k]].astype(np.int64)


def _query_vector(emb: Embedding, query: str | int | Sequence[float] | np.ndarray) -> tuple[np.ndarray, int | None]:
    if isinstance(query, str | int | np.integer):
        index = emb.resolve(query)
        return np.asarray(emb.vectors[index], dtype=np.float32), index
    vec = np.asarray(query, dtype=np.float32)
    if vec.shape != (emb.dim,):
        raise ParameterError(f"a query vector needs {emb.dim} numbers, got shape {vec.shape}", field="query")
    return vec, None


def neighbors(
    emb: Embedding,
    query: str | int | Sequence[float] | np.ndarray,
    *,
    k: int = DEFAULT_K,
    metric: str = "cosine",
) -> list[Neighbor]:
    """The k nearest rows to a point (label, index or `#INDEX`) or a query vector; the point itself is left out."""
    _check_metric(metric)
    if emb.original is not None:
        return _original_neighbors(emb, query, k, metric)
    q, self_index = _query_vector(emb, query)
    _check_k(k, len(emb), 0 if self_index is None else 1)
    scores = _dots(emb, q)  # becomes the ranking score in place: higher is nearer
    if metric == "cosine":
        qn = float(np.linalg.norm(q))
        if qn == 0.0 or not np.isfinite(qn):
            what = f"point {emb.labels[self_index]!r}" if self_index is not None else "the query vector"
            raise ParameterError(f"{what} is a zero vector: its cosine angle to anything is undefined", field="query")
        inverse, zero = _inverse_norms(emb)
        scores *= inverse
        scores *= np.float32(1.0 / qn)
        scores[zero] = -np.inf  # a zero row has no angle to anything
    else:
        norms = row_norms(emb)
        scores *= 2.0
        scores -= norms * norms
    if self_index is not None:
        scores[self_index] = -np.inf
    best = top_k(scores, k)
    labels = emb.labels
    if metric == "cosine":
        return [Neighbor(int(i), labels[i], 1.0 - float(scores[i]), float(scores[i])) for i in best]
    exact = np.linalg.norm(np.asarray(emb.vectors[best], dtype=np.float64) - q.astype(np.float64), axis=1)
    return [Neighbor(int(i), labels[i], float(d)) for i, d in zip(best, exact, strict=True)]


def _original_neighbors(
    emb: Embedding, query: str | int | Sequence[float] | np.ndarray, k: int, metric: str
) -> list[Neighbor]:
    """A map whose vectors are its coordinates: a row's neighbours from the table's own vectors (emb.original)."""
    original = emb.original
    assert original is not None
    if not isinstance(query, str | int | np.integer):
        raise ParameterError(
            "this map holds its coordinates, not the table's vectors: ask for a row's neighbours", field="vector"
        )
    if metric != original.metric:
        raise ParameterError(
            f"this map's neighbours are {original.metric} ({original.how}), not {metric}",
            field="metric",
            fix=f"ask for {original.metric}",
        )
    index = emb.resolve(query)
    _check_k(k, len(emb), 1)
    labels = emb.labels
    hits = original.nearest(index, k)
    if metric == "cosine":
        return [Neighbor(r, labels[r], 1.0 - s, s) for r, s in hits]
    return [Neighbor(r, labels[r], d) for r, d in hits]


def analogy(
    emb: Embedding,
    *,
    positive: Sequence[str | int],
    negative: Sequence[str | int] = (),
    k: int = DEFAULT_K,
    method: str = "3cosadd",
) -> list[Neighbor]:
    """Words that complete `positive` minus `negative` (king - man + woman), query words left out.

    "3cosadd" ranks by cosine to the normalised mean of the unit query vectors (+1 for positive, -1 for negative),
    as gensim's `most_similar(positive, negative)` does; "3cosmul" by the product of shifted cosines
    ((1 + cos) / 2) of the positives over those of the negatives (+1e-6), as `most_similar_cosmul` does.
    """
    if method not in ("3cosadd", "3cosmul"):
        raise ParameterError(f"`method` must be '3cosadd' or '3cosmul', got {method!r}", field="method")
    if emb.original is not None:
        raise ParameterError("this map holds its coordinates, not the table's vectors: no analogies", field="positive")
    if not positive:
        raise ParameterError("an analogy needs at least one positive word", field="positive")
    pos = [emb.resolve(w) for w in positive]
    neg = [emb.resolve(w) for w in negative]
    used = sorted(set(pos + neg))
    _check_k(k, len(emb), len(used))
    inverse, zero = _inverse_norms(emb)
    if any(inverse[i] == 0 for i in used):
        bad = next(i for i in used if inverse[i] == 0)
        raise ParameterError(f"{emb.labels[bad]!r} is a zero vector: no angle to it is defined", field="positive")
    units = np.asarray(emb.vectors[pos + neg], dtype=np.float32) * inverse[pos + neg, None]
    if method == "3cosadd":
        weights = np.array([1.0] * len(pos) + [-1.0] * len(neg), dtype=np.float32)
        mean = (weights[:, None] * units).mean(axis=0)
        length = float(np.linalg.norm(mean))
        if length < 1e-6:
            raise ParameterError(
                "the analogy's terms cancel out (their vectors sum to zero)",
                field="positive",
                fix="use different words on the positive and negative sides",
            )
        mean /= length
        scores = _dots(emb, mean) * inverse
    else:
        shifted = (1.0 + _dots(emb, units) * inverse[:, None]) / 2.0
        scores = np.prod(shifted[:, : len(pos)], axis=1) / (np.prod(shifted[:, len(pos) :], axis=1) + 1e-6)
    scores[zero] = -np.inf
    scores[used] = -np.inf
    labels = emb.labels
    best = top_k(scores, k)
    if method == "3cosadd":
        return [Neighbor(int(i), labels[i], 1.0 - float(scores[i]), float(scores[i])) for i in best]
    return [Neighbor(int(i), labels[i], -float(scores[i]), None, float(scores[i])) for i in best]


def parse_analogy(text: str) -> tuple[list[str], list[str]]:
    """`king - man + woman` -> (["king", "woman"], ["man"]); the first term is positive."""
    import re

    parts = [p.strip() for p in re.split(r"\s+([+-])\s+", f" {text.strip()} ".replace("\t", " "))]
    terms = ["+", parts[0], *parts[1:]]
    positive: list[str] = []
    negative: list[str] = []
    for sign, word in zip(terms[0::2], terms[1::2], strict=False):
        if not word:
            raise ParameterError(
                f"cannot read the analogy {text!r}", field="analogy", fix='write it like "king - man + woman"'
            )
        (positive if sign == "+" else negative).append(word)
    return positive, negative


_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")


def format_neighbors(query_label: str, result: Sequence[Neighbor], *, metric: str = "cosine") -> str:
    """`blue: (red, 57.8°), (blues, 59.9°)` for cosine; distances for euclidean.

    A numeric label (a digit's class, say) says little on its own: the row comes first, `(#123 (0), 11.3°)`.
    """
    if metric == "cosine":
        items = [f"({_shown(n)}, {n.angle:.1f}°)" for n in result]
    else:
        items = [f"({_shown(n)}, {n.distance:.4g})" for n in result]
    return f"{query_label}: " + ", ".join(items)


def _shown(n: Neighbor) -> str:
    numeric = _NUMBER.fullmatch(n.label) is not None and n.label != str(n.index)  # not a row's own number
    return f"#{n.index} ({n.label})" if numeric else n.label
