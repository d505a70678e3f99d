"""Putting the projections of an embedding's training steps in one frame, so points move instead of jumping.

Every step is drawn in the frame of one reference step (the latest, unless asked otherwise), so any two steps
of a sweep line up, and a step opens with one extra projection (the reference's, cached), not a chain of them:

- PCA: a step's rows, centred on their own mean, are projected on the reference step's principal axes. No
  sign flip or axis swap between steps, and a shift of the whole table is not shown (as with Procrustes
  below); the reference step itself gets exactly its own PCA. The explained-variance
  ratios say how much of *this* step's variance each reference axis holds.
- t-SNE and UMAP: the step's own layout is moved onto the reference step's layout (same method, parameters,
  seed and subset) by orthogonal Procrustes: the rotation (or reflection), uniform scale and shift that
  bring it closest in the least-squares sense. Distances within the layout are only scaled, so neighbour
  preservation is unchanged. Frames streamed while t-SNE runs are moved the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError
from .pca import PCAResult, pca, transform


@dataclass(frozen=True)
class Procrustes:
    """x -> scale * (x - source_mean) @ rotation + target_mean."""

    rotation: np.ndarray  # dims x dims, orthogonal
    scale: float
    source_mean: np.ndarray
    target_mean: np.ndarray

    def apply(self, coords: np.ndarray) -> np.ndarray:
        moved = (np.asarray(coords, dtype=np.float64) - self.source_mean) @ self.rotation
        return (self.scale * moved + self.target_mean).astype(np.float32)


def procrustes(source: np.ndarray, target: np.ndarray, *, scale: bool = True) -> Procrustes:
    """The orthogonal Procrustes map of `source` (n x dims) onto `target` (n x dims), row i onto row i."""
    a = np.asarray(source, dtype=np.float64)
    b = np.asarray(target, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 2:
        raise ParameterError(
            f"aligning needs two layouts of the same shape, got {a.shape} and {b.shape}", field="align_to"
        )
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    a0, b0 = a - mean_a, b - mean_b
    u, s, vt = np.linalg.svd(a0.T @ b0)
    rotation = u @ vt
    norm = float((a0 * a0).sum())
    factor = float(s.sum()) / norm if scale and norm > 0 else 1.0
    return Procrustes(rotation, factor, mean_a, mean_b)


def align_layout(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """`source` moved onto `target` (rotation or reflection, uniform scale, shift)."""
    return procrustes(source, target).apply(source)


def reference_basis(x_reference: np.ndarray, *, n_components: int = 10, random_state: int = 0) -> PCAResult:
    """The reference step's principal axes (of its prepared rows)."""
    return pca(x_reference, n_components=n_components, random_state=random_state)


def in_basis(x: np.ndarray, basis: PCAResult) -> tuple[np.ndarray, list[float]]:
    """Rows of `x`, centred on their own mean, on the basis's axes, and the share of x's variance on each axis."""
    from .prep import column_mean

    coords = transform(x, basis.components, column_mean(x).astype(np.float32))
    centred_total = float(np.var(np.asarray(x, dtype=np.float64), axis=0, ddof=1).sum()) if len(x) > 1 else 0.0
    variance = np.var(coords.astype(np.float64), axis=0, ddof=1) if len(x) > 1 else np.zeros(coords.shape[1])
    ratio = [float(v / centred_total) if centred_total > 0 else 0.0 for v in variance]
    return coords, ratio
