"""t-SNE on a cluster: openTSNE fits on a seeded sample of the rows (SAMPLE at most; perplexity, metric and the
number of steps as on one machine: 250 of early exaggeration, then the rest), then every shard is placed by openTSNE's
own `transform` (each new point optimised against the fitted map, which stays fixed) on the workers and written row
for row with the input (umap.py's ``sample_map``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..formats.tables.shards import ShardSet
from .umap import SAMPLE, DistributedMap, sample_map

EARLY = 250  # steps of early exaggeration, as compute/tsne.py


class Placer:
    """A fitted openTSNE map sent to the workers: wrapped, as dask would send the bare embedding (a NumPy array
    subclass) as a plain array without its `transform`."""

    def __init__(self, embedding: Any) -> None:
        self.embedding = embedding

    def transform(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.embedding.transform(np.asarray(x, dtype=np.float32)))


def distributed_tsne(
    shards: ShardSet,
    client: Any,
    *,
    n_components: int = 2,
    perplexity: float = 30.0,
    n_iter: int = 750,
    metric: str = "euclidean",
    random_state: int = 0,
    sample: int = SAMPLE,
    spherize: bool | None = None,
    out: Path,
    progress: Callable[[str, int, int], None] | None = None,
) -> DistributedMap:
    """A t-SNE of every row of `shards`, fitted on a sample, placed shard by shard on `client`'s workers."""
    from openTSNE import TSNE

    if sample <= 3 * perplexity:
        raise ParameterError(
            f"`sample` must be above 3 x perplexity ({3 * perplexity:g}), got {sample}", field="sample"
        )

    def fit(x: np.ndarray) -> tuple[Any, np.ndarray]:
        model = TSNE(
            n_components=n_components,
            perplexity=perplexity,
            metric=metric,
            n_iter=max(0, n_iter - EARLY),
            early_exaggeration_iter=min(EARLY, n_iter),
            random_state=random_state,
            negative_gradient_method="bh" if n_components == 3 else "auto",
            verbose=False,
        ).fit(x)
        return Placer(model), np.asarray(model)

    return sample_map(
        shards,
        client,
        fit,
        n_components=n_components,
        random_state=random_state,
        sample=sample,
        spherize=spherize,
        out=out,
        progress=progress,
    )
