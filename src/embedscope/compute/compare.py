"""Two embeddings of the same items compared by their neighbourhoods: for each item, the share of its k nearest
neighbours the two have in common, and how alike the order of the shared ones is (Spearman's rank correlation).

Items are matched by label (each label once in each embedding) or by row (the same number of rows). Neighbours are
searched among the items the two share, in each embedding's own space (knn_graph: exact below 50,000 items, HNSW
with its recall measured above); items present in one embedding only are counted and listed, never silently left
out. Two random embeddings of N items share about k / N of each neighbour list; the same table shares all of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..embedding import Embedding
from ..errors import ParameterError
from .progress import CancelToken, check

BY = ("label", "row")


@dataclass
class Comparison:
    """Per shared item: its label, its rows in A and B, the overlap of its k nearest neighbours, their rank
    correlation (NaN when fewer than 2 are shared); and the labels of the items in one embedding only."""

    labels: list[str]
    rows_a: np.ndarray
    rows_b: np.ndarray
    overlap: np.ndarray  # float32, 0..1: shared neighbours / k
    rank_correlation: np.ndarray  # float32, -1..1 or NaN
    k: int
    only_a: list[str]
    only_b: list[str]

    @property
    def mean_overlap(self) -> float:
        return float(self.overlap.mean()) if len(self.overlap) else float("nan")

    @property
    def chance(self) -> float:
        """The overlap two unrelated embeddings of these items would have, on average: k / (N - 1)."""
        return self.k / max(1, len(self.labels) - 1)

    def table(self) -> pa.Table:
        return pa.table(
            {
                "label": pa.array(self.labels, type=pa.string()),
                "row_a": pa.array(self.rows_a, type=pa.int64()),
                "row_b": pa.array(self.rows_b, type=pa.int64()),
                "overlap": pa.array(self.overlap, type=pa.float32()),
                "rank_correlation": pa.array(self.rank_correlation, type=pa.float32(), from_pandas=True),
            }
        )


def match(a: Embedding, b: Embedding, *, by: str = "label") -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Rows of A and of B holding the same items (in A's order), and the labels of those only in A, only in B."""
    if by not in BY:
        raise ParameterError(f"`by` must be one of {list(BY)}, got {by!r}", field="by")
    if by == "row":
        if len(a) != len(b):
            raise ParameterError(
                f"matching by row needs as many rows in both: {len(a):,} and {len(b):,}",
                field="by",
                fix="match by label instead",
            )
        rows = np.arange(len(a))
        return rows, rows, [], []
    labels_a, labels_b = a.labels, b.labels
    for name, labels in (("A", labels_a), ("B", labels_b)):
        seen: set[str] = set()
        for label in labels:
            if label in seen:
                raise ParameterError(
                    f"embedding {name} has the label {label!r} more than once: items cannot be matched by label",
                    field="by",
                    fix="choose a label column with one value per item, or match by row",
                )
            seen.add(label)
    where_b = {label: i for i, label in enumerate(labels_b)}
    rows_a = np.array([i for i, label in enumerate(labels_a) if label in where_b], dtype=np.int64)
    rows_b = np.array([where_b[labels_a[i]] for i in rows_a], dtype=np.int64)
    in_a = set(labels_a)
    only_a = [label for label in labels_a if label not in where_b]
    only_b = [label for label in labels_b if label not in in_a]
    return rows_a, rows_b, only_a, only_b


def compare(
    a: Embedding,
    b: Embedding,
    *,
    k: int = 10,
    by: str = "label",
    metric: str = "cosine",
    cancel: CancelToken | None = None,
) -> Comparison:
    """Each shared item's neighbour overlap and rank correlation between embeddings `a` and `b`."""
    from .knn_graph import knn_graph

    rows_a, rows_b, only_a, only_b = match(a, b, by=by)
    n = len(rows_a)
    if n < 3:
        raise ParameterError(f"the two embeddings share {n} item(s); comparing needs at least 3", field="by")
    if not 1 <= k < n:
        raise ParameterError(f"`k` must be from 1 to {n - 1:,} (the shared items but one), got {k}", field="k")
    graphs = []
    for emb, rows in ((a, rows_a), (b, rows_b)):
        check(cancel)
        x = np.ascontiguousarray(np.asarray(emb.vectors[rows], dtype=np.float32))
        graphs.append(knn_graph(x, k=k, metric=metric).indices)
    overlap, correlation = _agreement(graphs[0], graphs[1], k)
    labels = a.labels
    return Comparison([labels[int(i)] for i in rows_a], rows_a, rows_b, overlap, correlation, k, only_a, only_b)


def _agreement(na: np.ndarray, nb: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the share of shared neighbours, and Spearman's correlation of the shared ones' ranks."""
    n = len(na)
    overlap = np.empty(n, dtype=np.float32)
    correlation = np.full(n, np.nan, dtype=np.float32)
    for i in range(n):
        shared, ra, rb = np.intersect1d(na[i], nb[i], assume_unique=True, return_indices=True)
        overlap[i] = len(shared) / k
        if len(shared) >= 2:
            # the shared neighbours' ranks within each list (0 = nearest); Spearman = Pearson of the ranks' ranks
            x = np.argsort(np.argsort(ra)).astype(np.float64)
            y = np.argsort(np.argsort(rb)).astype(np.float64)
            correlation[i] = 1.0 if np.array_equal(x, y) else np.corrcoef(x, y)[0, 1]
    return overlap, correlation
