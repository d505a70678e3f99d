"""The Python API past one machine: a folder of shards projected (`project_shards`) or indexed (`index_shards`) on
a dask cluster, given as a `dask.distributed.Client` or as `local`, `local:N` or `tcp://HOST:PORT`. The CLI's
`project --scheduler` and `embedscope index` run these.

    >>> from dask.distributed import Client
    >>> client = Client("tcp://scheduler:8786")
    >>> done = embedscope.project_shards("vectors/", "coords/", method="umap", client=client)
    >>> done.sample, done.outputs[:2]
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from ..formats.tables.shards import ShardSet, open_shards
from .cluster import cluster_client
from .index import IndexInfo, build_index
from .pca import DistributedPCA, distributed_pca
from .umap import DistributedMap

METHODS = {  # method -> the parameters it takes on a cluster
    "pca": (),
    "tsne": ("perplexity", "n_iter", "metric", "sample"),
    "umap": ("n_neighbors", "min_dist", "metric", "sample"),
}
ShardProgress = Callable[[str, int, int], None]  # (stage, shards done, shards in all)


def _shards(path: str | Path | ShardSet, vector_column: str | None) -> ShardSet:
    return path if isinstance(path, ShardSet) else open_shards(Path(path), vector_column=vector_column)


def project_shards(
    path: str | Path | ShardSet,
    out: str | Path,
    *,
    method: str = "pca",
    client: Any = "local",
    dims: int = 2,
    seed: int = 0,
    spherize: bool | None = None,
    vector_column: str | None = None,
    progress: ShardProgress | None = None,
    **params: Any,
) -> DistributedPCA | DistributedMap:
    """Project every row of the shards under `path` on `client`'s workers; coordinates written under `out` as
    Parquet shards (x, y[, z]) row for row with the input. PCA is exact; t-SNE and UMAP are fitted on a sample
    (`sample` rows, 20,000 by default) and every other row placed by the library's transform. `params`: perplexity
    and n_iter (t-SNE), n_neighbors and min_dist (UMAP), metric."""
    if method not in METHODS:
        raise ParameterError(
            f"on a cluster, `method` must be one of {list(METHODS)}, got {method!r}",
            field="method",
            fix="use pca, tsne or umap, or project on one machine with embedscope.project",
        )
    unknown = sorted(set(params) - set(METHODS[method]))
    if unknown:
        raise ParameterError(
            f"{method} on a cluster takes {list(METHODS[method]) or 'no parameters'}, got {unknown}", field=unknown[0]
        )
    shards = _shards(path, vector_column)
    with cluster_client(client) as dask:
        if method == "pca":
            return distributed_pca(shards, dask, n_components=dims, spherize=spherize, out=Path(out), progress=progress)
        if method == "tsne":
            from .tsne import distributed_tsne

            run: Callable[..., DistributedMap] = distributed_tsne
        else:
            from .umap import distributed_umap

            run = distributed_umap
        return run(
            shards,
            dask,
            n_components=dims,
            random_state=seed,
            spherize=spherize,
            out=Path(out),
            progress=progress,
            **params,
        )


def index_shards(
    path: str | Path | ShardSet,
    out: str | Path,
    *,
    client: Any = "local",
    metric: str = "cosine",
    nlist: int | None = None,
    codes: str = "auto",
    seed: int = 0,
    vector_column: str | None = None,
) -> IndexInfo:
    """The neighbour index of every row under `path` (FAISS inverted lists trained on a sample, filled shard by shard
    on `client`'s workers, recall measured), written under `out`; `neighbors --index` searches it."""
    shards = _shards(path, vector_column)
    with cluster_client(client) as dask:
        return build_index(shards, dask, out=Path(out), metric=metric, nlist=nlist, codes=codes, random_state=seed)
