"""Custom axes from label patterns: x runs from the Left centroid to the Right one, y from Down to Up.

A pattern is a case-insensitive substring (or, with ``regex=True``, a case-insensitive RE2 regular expression
searched anywhere in the value: patterns.py, the search's engine too); an empty pattern counts as not given. A
side's centroid is the mean of the rows of `x` whose value matches. With both sides of a pair the axis is unit(right
- left); with one side it runs from the mean of all rows to that side's centroid (Right, Up) or from that side's
centroid to the mean (Left, Down), so the named side is always at the positive or negative end as its name says. y
is orthogonalised against x (the cosine between the raw directions is reported as `cos_xy`). When only one axis is
given, the other is the top principal direction of the data once the given axis is projected out
(``fallback="pca"``), or a seeded random direction orthogonal to it (``fallback="random"``). Coordinates are
relative to the mean of all rows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError
from .patterns import as_strings, check_pattern, match_rows
from .pca import TALL_MAX_DIM, covariance, transform
from .prep import BLOCK_ROWS, column_mean

log = logging.getLogger(__name__)

SIDES = ("left", "right", "up", "down")
FALLBACKS = ("pca", "random")
PARALLEL = 1 - 1e-6  # |cos| above which two directions count as the same


@dataclass
class CustomResult:
    coords: np.ndarray  # N x 2 float32
    counts: dict[str, int]  # side -> number of matching rows, for each given side
    x_label: str
    y_label: str
    cos_xy: float | None  # cosine between the raw x and y directions before orthogonalising


def match(values: Sequence[str], pattern: str, *, regex: bool = False, side: str = "pattern") -> np.ndarray:
    """Indices of the values that match `pattern` (case-insensitive substring, or RE2 regex search)."""
    return match_rows(values, pattern, regex=regex, field=side)


def _centroid(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    total = np.zeros(x.shape[1], dtype=np.float64)
    for start in range(0, len(rows), BLOCK_ROWS):
        total += np.asarray(x[rows[start : start + BLOCK_ROWS]]).sum(axis=0, dtype=np.float64)
    return total / len(rows)


def _unit(v: np.ndarray, problem: str) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    if not norm > 1e-12:
        raise ParameterError(problem, fix="use other patterns")
    return v / norm


def _axis(
    given: dict[str, str], centroids: dict[str, np.ndarray], mean: np.ndarray, lo: str, hi: str
) -> tuple[np.ndarray, str] | None:
    """Unit direction from the `lo` side's centroid to the `hi` side's (the mean of all rows for a missing one)."""
    if lo not in given and hi not in given:
        return None
    start = centroids.get(lo, mean)
    end = centroids.get(hi, mean)
    label = f"{given.get(lo, 'mean')} → {given.get(hi, 'mean')}"
    if lo in given and hi in given:
        problem = f"`{lo}` {given[lo]!r} and `{hi}` {given[hi]!r} have the same centroid, so they define no axis"
    else:
        side = lo if lo in given else hi
        problem = f"the rows matching `{side}` {given[side]!r} average to the mean of all rows: no axis"
    return _unit(end - start, problem), label


def _orthogonal(v: np.ndarray, axis: np.ndarray) -> np.ndarray:
    return v - (v @ axis) * axis


def _top_direction(x: np.ndarray, mean: np.ndarray, axis: np.ndarray, random_state: int) -> np.ndarray:
    """Top principal direction of the centred rows of x with `axis` projected out."""
    d = x.shape[1]
    proj = np.eye(d) - np.outer(axis, axis)
    if d <= TALL_MAX_DIM:
        cov, _ = covariance(x)
        _, vectors = np.linalg.eigh(proj @ cov @ proj)
        return np.asarray(vectors[:, -1])
    from scipy.sparse.linalg import LinearOperator, eigsh

    mean32 = mean.astype(np.float32)

    def apply(v: np.ndarray) -> np.ndarray:
        w = _orthogonal(np.ravel(v), axis).astype(np.float32)
        out = np.zeros(d, dtype=np.float64)
        shift = float(mean32 @ w)
        for start in range(0, len(x), BLOCK_ROWS):
            block = np.asarray(x[start : start + BLOCK_ROWS], dtype=np.float32)
            out += ((block @ w) - shift) @ block  # X^T (X - mean) w, proportional to the covariance times w
        return _orthogonal(out, axis)

    v0 = np.random.default_rng(random_state).standard_normal(d)
    _, vectors = eigsh(LinearOperator((d, d), matvec=apply, dtype=np.float64), k=1, which="LA", v0=v0)
    return np.asarray(vectors[:, 0])


def _other(
    x: np.ndarray, mean: np.ndarray, axis: np.ndarray, fallback: str, random_state: int
) -> tuple[np.ndarray, str]:
    if fallback == "random":
        return np.random.default_rng(random_state).standard_normal(size=(x.shape[1],)), "random"
    return _top_direction(x, mean, axis, random_state), "PCA"


def custom_axes(
    x: np.ndarray,
    values: Sequence[str],
    *,
    left: str | None = None,
    right: str | None = None,
    up: str | None = None,
    down: str | None = None,
    regex: bool = False,
    random_state: int = 0,
    fallback: str = "pca",
) -> CustomResult:
    """Project the rows of `x` on the Left→Right and Down→Up directions given by patterns over `values`."""
    x = np.asarray(x)
    if len(values) != len(x):
        raise ParameterError(f"{len(values):,} values for {len(x):,} vectors", field="values")
    if x.ndim != 2 or x.shape[1] < 2:
        raise ParameterError(f"custom axes need N x D vectors with D >= 2, got shape {x.shape}", field="x")
    if fallback not in FALLBACKS:
        raise ParameterError(f"`fallback` must be one of {list(FALLBACKS)}, got {fallback!r}", field="fallback")
    given = {s: p for s, p in zip(SIDES, (left, right, up, down), strict=True) if p is not None and p != ""}
    if not given:
        raise ParameterError("custom axes need at least one pattern", fix="give `left`, `right`, `up` or `down`")
    for side, pattern in given.items():
        check_pattern(pattern, regex=regex, field=side)  # every bad regular expression before any work
    strings = as_strings(values)
    centroids: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    for side, pattern in given.items():
        rows = match_rows(strings, pattern, regex=regex, field=side)
        counts[side] = int(rows.size)
        if rows.size == 0:
            kind = "regular expression" if regex else "pattern"
            raise ParameterError(
                f"`{side}` {kind} {given[side]!r} matches no value", field=side, fix="check the pattern and the column"
            )
        centroids[side] = _centroid(x, rows)
    mean = column_mean(x)
    gx = _axis(given, centroids, mean, "left", "right")
    gy = _axis(given, centroids, mean, "down", "up")
    if gx is not None and gy is not None:
        ux, x_label = gx
        raw_y, y_label = gy
    elif gx is not None:
        ux, x_label = gx
        raw_y, y_label = _other(x, mean, ux, fallback, random_state)
    else:
        assert gy is not None
        uy_given, y_label = gy
        raw_x, x_label = _other(x, mean, uy_given, fallback, random_state)
        cos = float(raw_x @ uy_given / np.linalg.norm(raw_x))
        ux = _unit(_orthogonal(raw_x, uy_given), f"the {x_label} direction is parallel to Down→Up")
        return _result(x, mean, ux, uy_given, counts, x_label, y_label, cos)
    cos = float(raw_y @ ux / np.linalg.norm(raw_y))
    if abs(cos) > PARALLEL:
        raise ParameterError(
            f"the Down→Up direction ({y_label}) is parallel to Left→Right ({x_label})", fix="use other patterns"
        )
    uy = _unit(_orthogonal(raw_y, ux), f"the {y_label} direction is parallel to Left→Right")
    return _result(x, mean, ux, uy, counts, x_label, y_label, cos)


def _result(
    x: np.ndarray,
    mean: np.ndarray,
    ux: np.ndarray,
    uy: np.ndarray,
    counts: dict[str, int],
    x_label: str,
    y_label: str,
    cos: float,
) -> CustomResult:
    coords = transform(x, np.stack([ux, uy]), mean)
    return CustomResult(coords, counts, x_label, y_label, cos)
