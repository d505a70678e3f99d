"""`project --scheduler`: the projection of a folder of shards on a dask cluster (distributed/), its coordinates
written as shards, row for row with the input: PCA exactly, UMAP fitted on a sample and placed shard by shard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

ON_CLUSTER = {"pca": (), "umap": ("n_neighbors", "min_dist", "metric")}  # method -> the parameters it takes there


def project_on_cluster(
    scheduler: str, output: Path, *, params: dict[str, Any], with_clusters: bool, **kwargs: Any
) -> None:
    """The projection of the shards of kwargs["path"] on `scheduler`'s workers; coordinates under `output`."""
    from ..distributed import cluster_client
    from ..errors import ParameterError
    from ..formats.tables.shards import open_shards, shard_files

    path, method, dims = kwargs.pop("path"), kwargs.pop("method"), kwargs.pop("dims")
    if method not in ON_CLUSTER:
        raise ParameterError(
            f"on a cluster, {method} is not offered yet: {' and '.join(m.upper() for m in ON_CLUSTER)} are",
            field="method",
            fix="use --method pca or umap with --scheduler, or leave --scheduler out to run on this machine",
        )
    others = [f"--{k.replace('_', '-')}" for k in params if k not in ON_CLUSTER[method]]
    others += ["--subset"] * (kwargs.get("subset") is not None) + ["--clusters"] * with_clusters
    if others:
        raise click.UsageError(f"{', '.join(others)} does not go with --scheduler yet")
    if not shard_files(Path(path)):
        raise ParameterError(
            "--scheduler reads a folder of .parquet or .npy shards", path=path, field="scheduler", fix="give the folder"
        )
    if output.exists() and not output.is_dir():
        raise ParameterError("with --scheduler the output is a folder", path=output, field="output")
    shards = open_shards(Path(path), vector_column=kwargs.get("vector_column"))
    with cluster_client(scheduler) as client:
        workers = len(client.scheduler_info()["workers"])
        facts = _run(
            method,
            shards,
            client,
            dims=dims,
            seed=kwargs["seed"],
            spherize=kwargs.get("spherize"),
            params=params,
            out=output,
        )
    click.echo(
        f"wrote {shards.rows:,} x {dims} {method} coordinates to {output} ({len(shards.shards):,} shards, row for "
        f"row with the input) on {workers} worker{'s' * (workers != 1)}; {facts}"
    )


def _run(
    method: str,
    shards: Any,
    client: Any,
    *,
    dims: int,
    seed: int,
    spherize: bool | None,
    params: dict[str, Any],
    out: Path,
) -> str:
    """Run `method`; what the summary line says of it."""
    if method == "pca":
        from ..distributed import distributed_pca

        done = distributed_pca(shards, client, n_components=dims, spherize=spherize, out=out)
        shown = ", ".join(f"PC{i + 1} {v:.1%}" for i, v in enumerate(done.explained_variance_ratio))
        return f"explained variance {float(done.explained_variance_ratio.sum()):.1%} ({shown})"
    from ..distributed.umap import distributed_umap

    mapped = distributed_umap(
        shards, client, n_components=dims, random_state=seed, spherize=spherize, out=out, **params
    )
    return f"fitted on a sample of {mapped.sample:,} rows, every other row placed by umap-learn's transform"
