"""Centred PCA on every row: the top components, their explained-variance ratios and each point's coordinates.

Solver policy (scikit-learn's 'auto', with our own tall path):
- tall data (D <= 1,000 and N >= 10 D): the D x D covariance, accumulated block by block from float32 products
  into float64, then a float64 eigendecomposition. This is scikit-learn's "covariance_eigh" solver made more
  accurate (float64 accumulation, rows shifted near the mean when the data is far from centred) and cheaper
  (one pass for the covariance, one for the coordinates, each split over the cores with single-threaded BLAS;
  no copy of the data, no extra pass for the mean or the finiteness check). benchmarks/bench_pca.py measures
  it at 0.5-0.75x scikit-learn's time on 1,000,000 x 100 and 100,000 x 300 here, and better on a busy machine;
- everything else: scikit-learn's PCA ("full" SVD for small data, randomized SVD for large).
Signs follow scikit-learn (svd_flip on the components: the largest-magnitude loading of each is positive).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError
from .prep import block_rows, in_blocks, single_threaded_blas

log = logging.getLogger(__name__)

TALL_MAX_DIM = 1000
TALL_RATIO = 10
SHIFT_SAMPLE = 1024
# Rows are shifted by an estimate of the mean only when |mean|^2 exceeds this many times the mean squared distance
# to it: below, float64 accumulation of the float32 block products keeps ratios within ~1e-7 (measured on
# 1,000,000 x 100: 4e-8 at 4 times, 1e-6 at 100 times; scikit-learn's float32 covariance is off by 2e-3 there).
SHIFT_THRESHOLD = 10.0


@dataclass
class PCAResult:
    coords: np.ndarray  # N x k float32: the centred data on each component
    explained_variance_ratio: np.ndarray  # (k,) float64
    components: np.ndarray  # k x D float32, unit rows
    mean: np.ndarray  # (D,) float32
    solver: str = ""


def pca(x: np.ndarray, *, n_components: int = 10, random_state: int = 0) -> PCAResult:
    """Top `n_components` (at most min(D, N)) principal components of the centred rows of `x` (N x D)."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ParameterError(f"PCA needs a 2-D array (N x D), got shape {x.shape}", field="x")
    n, d = x.shape
    if n < 2 or d < 1:
        raise ParameterError(f"PCA needs at least 2 rows and 1 column, got {n} x {d}", field="x")
    if not isinstance(n_components, int | np.integer) or n_components < 1:
        raise ParameterError(f"`n_components` must be a positive integer, got {n_components!r}", field="n_components")
    k = int(min(n_components, d, n))
    if k < n_components:
        log.warning("PCA: %d components asked for %d x %d data; computing %d", n_components, n, d, k)
    if is_tall(n, d):
        return _pca_covariance(x, k)  # converts block by block: no float32 copy of other dtypes either
    return _pca_sklearn(np.asarray(x, dtype=np.float32), k, random_state)


def is_tall(n: int, d: int) -> bool:
    """True when the covariance path is the fastest (scikit-learn's rule for its 'covariance_eigh')."""
    return d <= TALL_MAX_DIM and n >= TALL_RATIO * d


def _shift(x: np.ndarray) -> np.ndarray | None:
    """An estimate of the mean from a strided sample of rows, or None when the data is already near centred."""
    step = max(1, len(x) // SHIFT_SAMPLE)
    sample = np.asarray(x[::step][:SHIFT_SAMPLE], dtype=np.float64)
    mean = sample.mean(axis=0)
    spread = float(np.einsum("ij,ij->", sample, sample)) / len(sample) - float(mean @ mean)
    if float(mean @ mean) <= SHIFT_THRESHOLD * spread:
        return None
    return mean.astype(np.float32)


def covariance(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(D x D covariance with ddof=1, column mean), both float64, in one blocked pass over float32 rows."""
    n, d = x.shape
    shift = _shift(x)
    rows = min(block_rows(d), n)

    def accumulate(spans: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        gram = np.zeros((d, d), dtype=np.float64)
        sums = np.zeros(d, dtype=np.float64)
        buf = np.empty((rows, d), dtype=np.float32) if shift is not None else None
        ones = np.ones(rows, dtype=np.float32)
        for start, stop in spans:
            block = np.asarray(x[start:stop], dtype=np.float32)
            if shift is not None and buf is not None:
                block = np.subtract(block, shift, out=buf[: len(block)])
            gram += block.T @ block  # numpy runs a.T @ a as one symmetric rank-k update (syrk)
            sums += ones[: len(block)] @ block  # column sums while the block is in cache
        return gram, sums

    parts = in_blocks(accumulate, n, rows)
    gram = functools.reduce(np.add, [p[0] for p in parts])
    centre = functools.reduce(np.add, [p[1] for p in parts]) / n  # mean of the (shifted) rows
    cov = (gram - n * np.outer(centre, centre)) / (n - 1)
    mean = centre if shift is None else centre + shift
    return cov, mean


def transform(x: np.ndarray, components: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """(x - mean) @ components.T as float32 N x k, block by block (x is never copied)."""
    n, k = len(x), len(components)
    basis = np.ascontiguousarray(components.T, dtype=np.float32)
    offset = (np.asarray(mean, dtype=np.float32) @ basis).astype(np.float32)
    coords = np.empty((n, k), dtype=np.float32)

    def apply(spans: list[tuple[int, int]]) -> None:
        for start, stop in spans:
            out = coords[start:stop]
            np.matmul(np.asarray(x[start:stop], dtype=np.float32), basis, out=out)
            out -= offset

    in_blocks(apply, n, min(block_rows(x.shape[1]), max(n, 1)))
    return coords


def _flip(vt: np.ndarray) -> np.ndarray:
    """scikit-learn's svd_flip(u_based_decision=False): the largest |loading| of each component is positive."""
    rows = np.arange(len(vt))
    signs = np.sign(vt[rows, np.argmax(np.abs(vt), axis=1)])
    signs[signs == 0] = 1.0
    return vt * signs[:, None]


def _ratio(values: np.ndarray, total: float) -> np.ndarray:
    if total <= 0:
        log.warning("PCA: every row is the same point; explained-variance ratios set to 0")
        return np.zeros_like(values, dtype=np.float64)
    return np.asarray(values, dtype=np.float64) / total


def _pca_covariance(x: np.ndarray, k: int) -> PCAResult:
    # BLAS stays single-threaded throughout (our threads split the rows): OpenBLAS's own workers spin for a
    # while after each call and would compete with ours.
    with single_threaded_blas():
        cov, mean = covariance(x)
        values, vectors = np.linalg.eigh(cov)  # D <= 1,000: the full decomposition takes milliseconds
        values = np.clip(values[::-1][:k], 0.0, None)
        components = _flip(vectors[:, ::-1][:, :k].T).astype(np.float32)
        mean32 = mean.astype(np.float32)
        coords = transform(x, components, mean32)
    total = float(np.trace(cov))
    return PCAResult(coords, _ratio(values, total), components, mean32, solver="covariance_eigh")


def _pca_sklearn(x: np.ndarray, k: int, random_state: int) -> PCAResult:
    from sklearn.decomposition import PCA

    model = PCA(n_components=k, svd_solver="auto", random_state=random_state)
    coords = model.fit_transform(x)
    ratio = np.asarray(model.explained_variance_ratio_, dtype=np.float64)
    if not np.all(np.isfinite(ratio)):
        ratio = _ratio(np.zeros(k), 0.0)
    return PCAResult(
        np.ascontiguousarray(coords, dtype=np.float32),
        ratio,
        np.asarray(model.components_, dtype=np.float32),
        np.asarray(model.mean_, dtype=np.float32),
        solver=str(model._fit_svd_solver),
    )
