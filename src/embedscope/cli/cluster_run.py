"""`project --scheduler`: the projection of a folder of shards on a dask cluster (distributed/), its coordinates
written as shards, row for row with the input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..compute.spec import defaults


def project_on_cluster(scheduler: str, output: Path, *, with_clusters: bool, **kwargs: Any) -> None:
    """PCA of the shards of kwargs["path"] on `scheduler`'s workers; coordinates under the folder `output`."""
    from ..distributed import cluster_client, distributed_pca
    from ..errors import ParameterError
    from ..formats.tables.shards import open_shards, shard_files

    path, method, dims = kwargs["path"], kwargs["method"], kwargs["dims"]
    if method != "pca":
        raise ParameterError(
            f"on a cluster, {method} is not offered yet: PCA is",
            field="method",
            fix="use --method pca with --scheduler, or leave --scheduler out to run on this machine",
        )
    given = [name for name in defaults("pca") if kwargs.get(name) is not None]
    others = ["subset"] * (kwargs.get("subset") is not None) + given
    if with_clusters or others:
        what = "--clusters" if with_clusters else ", ".join(f"--{k.replace('_', '-')}" for k in others)
        raise click.UsageError(f"{what} does not go with --scheduler yet")
    if not shard_files(Path(path)):
        raise ParameterError(
            "--scheduler reads a folder of .parquet or .npy shards", path=path, field="scheduler", fix="give the folder"
        )
    if output.exists() and not output.is_dir():
        raise ParameterError("with --scheduler the output is a folder", path=output, field="output")
    shards = open_shards(Path(path), vector_column=kwargs.get("vector_column"))
    with cluster_client(scheduler) as client:
        workers = len(client.scheduler_info()["workers"])
        done = distributed_pca(shards, client, n_components=dims, spherize=kwargs.get("spherize"), out=output)
    shown = ", ".join(f"PC{i + 1} {v:.1%}" for i, v in enumerate(done.explained_variance_ratio))
    click.echo(
        f"wrote {done.rows:,} x {dims} pca coordinates to {output} ({len(done.outputs):,} shards, row for row with "
        f"the input) on {workers} worker{'s' * (workers != 1)}; explained variance "
        f"{float(done.explained_variance_ratio.sum()):.1%} ({shown})"
    )
