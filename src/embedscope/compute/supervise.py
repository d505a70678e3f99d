"""Supervised t-SNE, as TensorBoard's projector offers it ("Supervise with"): points of one label are pulled
together, built on openTSNE by changing its affinity matrix P before optimising (no t-SNE of our own).

P is openTSNE's sparse, symmetric, sum-1 matrix over each point's nearest neighbours. With strength s in [0, 1]:
- a neighbour pair of one label is kept as it is, a pair of two labels weighs (1 - s) times as much;
- each labelled point gains links to ATTRACT random points of its own label (seeded), of weight s x its mean
  neighbour weight, so that a label's scattered points gather;
- unlabelled points (an empty label, or the `ignore` value) keep their rows as they are, so they still land near
  their neighbours;
then P is made symmetric again and scaled back to sum 1. s = 0 leaves P unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ATTRACT = 10  # same-label links added for each labelled point


def supervised(p: object, labels: Sequence[str], *, ignore: str = "", strength: float = 0.5, seed: int = 0) -> object:
    """The affinity matrix `p` (scipy sparse, N x N) with the label information of `labels` (one per row)."""
    from scipy import sparse

    if strength <= 0:
        return p
    matrix = sparse.csr_matrix(p, dtype=np.float64, copy=True)
    n = matrix.shape[0]
    names = np.asarray([str(v) for v in labels], dtype=object)
    known = np.array([v != "" and v != ignore for v in names])
    codes = np.unique(names, return_inverse=True)[1]
    coo = matrix.tocoo()
    rows, cols, vals = coo.row, coo.col, coo.data.copy()
    both = known[rows] & known[cols]
    vals[both & (codes[rows] != codes[cols])] *= 1.0 - strength
    mean = np.asarray(matrix.sum(axis=1)).ravel() / np.maximum(np.diff(matrix.indptr), 1)
    rng = np.random.default_rng(seed)
    extra_r, extra_c, extra_v = [], [], []
    for code in np.unique(codes[known]):
        members = np.flatnonzero(known & (codes == code))
        if len(members) < 2:
            continue
        picks = rng.integers(0, len(members), size=(len(members), ATTRACT))
        partners = members[picks]
        keep = partners != members[:, None]
        extra_r.append(np.repeat(members, ATTRACT)[keep.ravel()])
        extra_c.append(partners[keep])
        extra_v.append(np.repeat(strength * mean[members], ATTRACT)[keep.ravel()])
    if extra_r:
        rows = np.concatenate([rows, *extra_r])
        cols = np.concatenate([cols, *extra_c])
        vals = np.concatenate([vals, *extra_v])
    out = sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))
    out = (out + out.T) / 2
    out.sum_duplicates()
    return out / out.sum()
