"""UMAP on a cluster, and the sample-then-place scheme t-SNE shares (``sample_map``): the method fits on a seeded
sample of the rows (SAMPLE at most, gathered from the shards), then every shard is placed by the library's own
`transform` on the workers (the fitted model sent to each once) and written as a coordinates shard, row for row with
the input; the sampled rows keep their fitted places. Rows are spherized as on one machine. The map is the sample's,
not a map of every row: its quality is measured against the single-machine path in
tests/distributed/test_distributed_umap.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..formats.tables.shards import ShardSet
from .pca import _as_completed, _rows, _say, column_mean, write_shard

SAMPLE = 20_000  # rows the layout is fitted on (all of them below)


@dataclass
class DistributedMap:
    sample: int  # rows the model was fitted on
    rows: int
    outputs: list[Path]


def sample_rows(shards: ShardSet, i: int, rows: np.ndarray, centre: np.ndarray | None) -> np.ndarray:
    """Shard i's rows `rows` (local row numbers), as the projection reads them (on a worker)."""
    return _rows(np.asarray(shards.vectors(i)[rows]), centre)


def place_shard(
    shards: ShardSet,
    i: int,
    model: Any,
    out: Path,
    centre: np.ndarray | None,
    fitted_rows: np.ndarray,
    fitted: np.ndarray,
) -> Path:
    """Shard i placed by the fitted model (its sampled rows at their fitted places), written as out/part-<i>.parquet
    (whole, then moved into place: a retried task leaves one file)."""
    x = _rows(shards.vectors(i), centre)
    coords = np.asarray(model.transform(x), dtype=np.float32)
    coords[fitted_rows] = fitted
    return write_shard(coords, out, i)


def distributed_umap(
    shards: ShardSet,
    client: Any,
    *,
    n_components: int = 2,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    metric: str = "euclidean",
    random_state: int = 0,
    sample: int = SAMPLE,
    spherize: bool | None = None,
    out: Path,
    progress: Callable[[str, int, int], None] | None = None,
) -> DistributedMap:
    """A UMAP of every row of `shards`, fitted on a sample, placed shard by shard on `client`'s workers."""
    from umap import UMAP

    if sample < max(10, n_neighbors + 1):
        raise ParameterError(f"`sample` must be at least {max(10, n_neighbors + 1)}, got {sample}", field="sample")

    def fit(x: np.ndarray) -> tuple[Any, np.ndarray]:
        model = UMAP(
            n_components=n_components,
            n_neighbors=n_neighbors,
            min_dist=min_dist,
            metric=metric,
            random_state=random_state,
        )
        return model, model.fit_transform(x)

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


def sample_map(
    shards: ShardSet,
    client: Any,
    fit: Callable[[np.ndarray], tuple[Any, np.ndarray]],
    *,
    n_components: int,
    random_state: int,
    sample: int,
    spherize: bool | None,
    out: Path,
    progress: Callable[[str, int, int], None] | None = None,
) -> DistributedMap:
    """A map fitted on a seeded sample of the rows (`fit(x) -> (model, its layout)`), every shard then placed by
    `model.transform` on the workers (the sampled rows at their fitted places) and written row for row."""
    if n_components not in (2, 3):
        raise ParameterError(f"`n_components` must be 2 or 3, got {n_components}", field="n_components")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    count, n = len(shards.shards), shards.rows
    centre = column_mean(shards, client, spherize=spherize, progress=progress)
    chosen = np.sort(np.random.default_rng(random_state).choice(n, size=min(sample, n), replace=False))
    starts = np.array([s.start for s in shards.shards])
    owner = np.searchsorted(starts, chosen, side="right") - 1
    local = [chosen[owner == i] - starts[i] for i in range(count)]
    parts = client.map(sample_rows, [shards] * count, range(count), local, centre=centre, pure=False)
    x = np.concatenate(client.gather(parts))
    _say(progress, "sample", len(x), len(x))
    model, layout = fit(x)
    fitted = np.asarray(layout, dtype=np.float32)
    _say(progress, "fit", 1, 1)
    [shared] = client.scatter([model], broadcast=True, hash=False)
    bounds = np.concatenate([[0], np.cumsum([len(rows) for rows in local])])
    futures = [
        client.submit(
            place_shard, shards, i, shared, out, centre, local[i], fitted[bounds[i] : bounds[i + 1]], pure=False
        )
        for i in range(count)
    ]
    paths = []
    for done, path in enumerate(_as_completed(client, futures), start=1):
        paths.append(Path(path))
        _say(progress, "place", done, count)
    return DistributedMap(len(x), n, sorted(paths))
