"""What a projection job computes, checked before it is queued, and the key that names it.

``make_spec`` turns a request into a JobSpec: parameters validated and completed (compute.projection.validate),
the "isolate" subset sorted, deduplicated and range-checked, spherize resolved (on for D >= 50), and what a job
would only fail on later refused at once (PCA axes, custom axes' column, patterns and regular expressions).
``spec_key`` is the projection's cache key: the parts compute/projection.py hashes (data hash, subset hash,
method, n_components, parameters, seed, spherize, quality), plus for custom axes a hash of the metadata column
the patterns match, since an uploaded metadata file changes that projection without changing the vectors.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..compute.cache import ProjectionCache, data_hash
from ..compute.prep import default_spherize
from ..compute.projection import validate
from ..embedding import Embedding
from ..errors import ParameterError

PCA_COMPONENTS = 10  # components compute/projection.py computes for PCA (axes choose among them)


@dataclass(frozen=True)
class JobSpec:
    """What a job computes: the request after validation (params complete, spherize and subset resolved)."""

    run: str
    tensor: str
    method: str
    n_components: int
    params: dict[str, Any]
    random_state: int
    spherize: bool
    subset: np.ndarray | None


def make_spec(
    emb: Embedding,
    run: str,
    tensor: str,
    *,
    method: str,
    n_components: int = 2,
    params: Mapping[str, Any] | None = None,
    random_state: int = 0,
    spherize: bool | None = None,
    subset: Sequence[int] | np.ndarray | None = None,
) -> JobSpec:
    """The checked, complete description of a projection of `emb` (ParameterError naming what is wrong)."""
    full = validate(method, n_components, params)
    indices = _subset(emb, subset)
    n = len(emb) if indices is None else int(indices.size)
    _precheck(emb, method, n_components, full, n)
    use_spherize = default_spherize(emb.dim) if spherize is None else bool(spherize)
    return JobSpec(run, tensor, method, n_components, full, int(random_state), use_spherize, indices)


def spec_key(cache: ProjectionCache, emb: Embedding, spec: JobSpec) -> str:
    """The projection's identity as a cache key (64 hex digits)."""
    parts: dict[str, Any] = {
        "data": data_hash(emb.vectors),
        "subset": None if spec.subset is None else data_hash(spec.subset),
        "method": spec.method,
        "n_components": spec.n_components,
        "params": spec.params,
        "random_state": spec.random_state,
        "spherize": spec.spherize,
        "quality": True,
    }
    if spec.method == "custom":
        column = spec.params["column"] or emb.label_column
        assert column is not None  # make_spec made sure
        parts["labels"] = _strings_hash(_column_values(emb, column))
    return cache.key(**parts)


def _subset(emb: Embedding, subset: Sequence[int] | np.ndarray | None) -> np.ndarray | None:
    """The rows of an "isolate" request, sorted and unique (as compute/projection.py takes them), checked."""
    if subset is None:
        return None
    idx = np.unique(np.asarray(subset, dtype=np.int64))
    if idx.size < 3:
        raise ParameterError(f"a subset needs at least 3 points, got {idx.size}", field="subset")
    if idx[0] < 0 or idx[-1] >= len(emb):
        bad = int(idx[0] if idx[0] < 0 else idx[-1])
        raise ParameterError(
            f"subset index {bad} is out of range: this embedding has N = {len(emb):,} rows (0..{len(emb) - 1})",
            field="subset",
        )
    return idx


def _precheck(emb: Embedding, method: str, n_components: int, params: dict[str, Any], n: int) -> None:
    """Refuse at once what the job would fail on later: PCA axes, custom axes' column and patterns."""
    if method == "pca" and params["axes"] is not None:
        k = min(PCA_COMPONENTS, n, emb.dim)
        axes = params["axes"]
        ok = isinstance(axes, list) and len(axes) == n_components
        if not ok or any(isinstance(a, bool) or not isinstance(a, int) or not 0 <= a < k for a in axes):
            raise ParameterError(
                f"`axes` must be {n_components} component numbers from 0 to {k - 1}, got {axes!r}", field="axes"
            )
    if method != "custom":
        return
    if n_components != 2:
        raise ParameterError("custom axes are 2-D: use n_components=2", field="n_components")
    column = params["column"] or emb.label_column
    have = [] if emb.metadata is None else emb.metadata.column_names
    if column is None or column not in have:
        raise ParameterError(
            f"custom axes need a metadata column, got {column!r}", field="column", fix=f"choose one of {have}"
        )
    sides = {s: params[s] for s in ("left", "right", "up", "down") if params[s] not in (None, "")}
    if not sides:
        raise ParameterError("custom axes need at least one pattern", fix="give `left`, `right`, `up` or `down`")
    for side, pattern in sides.items():
        if not isinstance(pattern, str):
            raise ParameterError(f"`{side}` must be a string, got {pattern!r}", field=side)
        if params["regex"]:
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise ParameterError(
                    f"`{side}` is not a valid regular expression: {pattern!r} ({exc})",
                    field=side,
                    fix="fix the pattern, or turn regex off to match it as plain text",
                ) from None


def _column_values(emb: Embedding, column: str) -> list[str]:
    if column == emb.label_column:
        return emb.labels
    from ..metadata import column_strings

    assert emb.metadata is not None
    return column_strings(emb.metadata, column)


def _strings_hash(values: Sequence[str]) -> str:
    digest = hashlib.blake2b(digest_size=32)
    for value in values:
        digest.update(str(value).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()
