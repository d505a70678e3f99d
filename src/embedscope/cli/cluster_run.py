"""`project --scheduler`: the projection of a folder of shards on a dask cluster (distributed/), its coordinates
written as shards, row for row with the input: PCA exactly, UMAP fitted on a sample and placed shard by shard."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..compute.progress import Progress
from .progress import progress_reporter


def project_on_cluster(
    scheduler: str, output: Path, *, params: dict[str, Any], with_clusters: bool, **kwargs: Any
) -> None:
    """The projection of the shards of kwargs["path"] on `scheduler`'s workers; coordinates under `output`."""
    from ..distributed import cluster_client
    from ..distributed.run import METHODS, project_shards
    from ..errors import ParameterError
    from ..formats.tables.shards import open_shards, shard_files

    path, method, dims = kwargs.pop("path"), kwargs.pop("method"), kwargs.pop("dims")
    if method not in METHODS:
        raise ParameterError(
            f"on a cluster, {method} is not offered yet: PCA, t-SNE and UMAP are",
            field="method",
            fix="use --method pca, tsne or umap with --scheduler, or leave --scheduler out to run on this machine",
        )
    others = [f"--{k.replace('_', '-')}" for k in params if k not in METHODS[method]]
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
        with progress_reporter(f"{method} on {workers} worker{'s' * (workers != 1)}") as update:
            done = project_shards(
                shards,
                output,
                method=method,
                client=client,
                dims=dims,
                seed=kwargs["seed"],
                spherize=kwargs.get("spherize"),
                progress=None if update is None else shard_progress(update),
                **params,
            )
    click.echo(
        f"wrote {shards.rows:,} x {dims} {method} coordinates to {output} ({len(shards.shards):,} shards, row for "
        f"row with the input) on {workers} worker{'s' * (workers != 1)}; {_facts(method, done)}"
    )


def shard_progress(update: Callable[[Progress], None]) -> Callable[[str, int, int], None]:
    """The distributed stages' reports (stage, shards done, shards in all) as the progress bar's items."""

    def report(stage: str, done: int, total: int) -> None:
        update(Progress(stage=f"{stage} (shards)" if total > 1 else stage, iteration=done, total=total))

    return report


def _facts(method: str, done: Any) -> str:
    """What the summary line says of the run."""
    if method == "pca":
        ratio = done.explained_variance_ratio
        shown = ", ".join(f"PC{i + 1} {v:.1%}" for i, v in enumerate(ratio))
        return f"explained variance {float(ratio.sum()):.1%} ({shown})"
    library = "openTSNE" if method == "tsne" else "umap-learn"
    return f"fitted on a sample of {done.sample:,} rows, every other row placed by {library}'s transform"


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="The folder the index is written to."
)
@click.option(
    "--scheduler",
    default="local",
    show_default=True,
    help="The dask cluster: local, local:N (N worker processes here) or tcp://HOST:8786.",
)
@click.option("--metric", type=click.Choice(["cosine", "euclidean"]), default="cosine", show_default=True)
@click.option("--nlist", type=int, help="Inverted lists (coarse centroids) [about 4 sqrt(N)].")
@click.option(
    "--codes",
    type=click.Choice(["auto", "flat", "pq"]),
    default="auto",
    show_default=True,
    help="Exact vectors, or product-quantized codes; auto: flat while they fit 8 GiB.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="The training sample's seed.")
@click.option("--vector-column", help="Parquet shards: the column (or prefix of columns) holding the vectors.")
def index(
    path: Path,
    output: Path,
    scheduler: str,
    metric: str,
    nlist: int | None,
    codes: str,
    seed: int,
    vector_column: str | None,
) -> None:
    """Build the neighbour index of PATH (a folder of Parquet or .npy shards) on a dask cluster: FAISS inverted
    lists trained on a sample, filled shard by shard on the workers, recall measured; `neighbors --index` uses it."""
    from ..distributed.run import index_shards

    info = index_shards(
        path, output, client=scheduler, metric=metric, nlist=nlist, codes=codes, seed=seed, vector_column=vector_column
    )
    recall = "not measured" if info.recall is None else f"{info.recall:.3f}"
    click.echo(
        f"indexed {info.rows:,} x {info.dim:,} in {info.shards:,} shards to {output}: IVF, {info.nlist:,} lists, "
        f"{info.codes} codes, {info.metric}, nprobe {info.nprobe:,}; recall@{info.k} {recall} on sampled rows"
    )


def neighbors_through_index(path: Path, index_dir: Path, query: str, *, k: int, scheduler: str) -> str:
    """`neighbors PATH QUERY --index DIR`: the line that lists QUERY's k nearest rows found through the index."""
    from ..compute.neighbors import Neighbor, format_neighbors
    from ..distributed import cluster_client
    from ..distributed.index import load_index, neighbors_of
    from ..formats.tables.shards import open_shards

    info = load_index(index_dir)
    shards = open_shards(path)
    with cluster_client(scheduler) as client:
        label, found = neighbors_of(shards, info, client, query, k=k)
    if info.metric == "cosine":
        result = [Neighbor(r, text, 1.0 - s, s) for r, text, s in found]
    else:
        result = [Neighbor(r, text, float(s) ** 0.5) for r, text, s in found]
    return format_neighbors(label, result, metric=info.metric)
