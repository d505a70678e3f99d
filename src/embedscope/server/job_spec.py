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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..compute.cache import ProjectionCache, data_hash
from ..compute.prep import default_spherize
from ..compute.projection import check_subset, custom_column, pca_axes, validate
from ..embedding import Embedding

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
    step: int | None = None  # the training step projected (None: the embedding has no steps)
    align_to: int | None = None  # the step whose frame it is drawn in (None: its own; see compute/align.py)


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
    step: int | None = None,
    align_to: int | None = None,
) -> JobSpec:
    """The checked, complete description of a projection of `emb` (ParameterError naming what is wrong).

    `step` and `align_to` are already resolved (see JobManager.start): `align_to` None draws the step in its own
    frame; custom axes, being fixed by their patterns, are never aligned.
    """
    full = validate(method, n_components, params)
    indices = check_subset(emb, subset)
    if method == "pca":  # refuse at once what the job would fail on later
        n = len(emb) if indices is None else int(indices.size)
        pca_axes(full["axes"], n_components, min(PCA_COMPONENTS, n, emb.dim))
    if method == "custom":
        custom_column(emb, n_components, full)
    use_spherize = default_spherize(emb.dim) if spherize is None else bool(spherize)
    if method == "custom" or align_to == step:
        align_to = None
    return JobSpec(run, tensor, method, n_components, full, int(random_state), use_spherize, indices, step, align_to)


def spec_key(cache: ProjectionCache, emb: Embedding, spec: JobSpec, reference: Embedding | None = None) -> str:
    """The projection's identity as a cache key (64 hex digits); `reference` is the align_to step's embedding."""
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
    if spec.align_to is not None and reference is not None:
        parts["aligned_to"] = data_hash(reference.vectors)
    if spec.method == "custom":
        column = spec.params["column"] or emb.label_column
        assert column is not None  # make_spec made sure
        parts["labels"] = _strings_hash(_column_values(emb, column))
    return cache.key(**parts)


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
