"""The commands that read and query: `info`, `neighbors`, `convert`."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import click

from ..compute.neighbors import DEFAULT_K, MAX_K
from .options import choose_options, json_out, read_kwargs, read_options

log = logging.getLogger("embedscope")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@choose_options
@read_options
@json_out
def info(path: Path, as_json: bool, run: str | None, tensor: str | None, **kwargs: Any) -> None:
    """Show the runs, embeddings, shapes, metadata columns and sprite that PATH holds (or the one chosen)."""
    from ..formats.tables.shards import shard_files
    from ..server.launch import collect
    from .summary import describe, render_text

    if kwargs.get("format_") in (None, "shards") and shard_files(path):  # only footers and headers are read
        _shard_info(path, as_json, vector_column=kwargs.get("vector_column"))
        return

    collection = collect([path], run=run, tensor=tensor, **read_kwargs(kwargs))
    report = describe(collection)
    click.echo(json.dumps(report, indent=2, ensure_ascii=False) if as_json else render_text(report))


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.argument("query", required=False)
@click.option("-k", default=DEFAULT_K, show_default=True, help=f"How many neighbours (1 to {MAX_K:,}).")
@click.option("--metric", type=click.Choice(["cosine", "euclidean"]), default="cosine", show_default=True)
@click.option("--analogy", help='An analogy instead of QUERY: "king - man + woman" (3CosAdd, query words left out).')
@click.option(
    "--index", "index_dir", type=click.Path(path_type=Path), help="Search through this index (embedscope index)."
)
@click.option("--scheduler", default="local", show_default=True, help="With --index: the dask cluster to search on.")
@click.option(
    "--text",
    help="Search by meaning instead of QUERY: a free text, embedded by the model that made the vectors (or the mean "
    "of its words' vectors, for a word table).",
)
@choose_options
@read_options
@json_out
def neighbors(
    path: Path,
    query: str | None,
    k: int,
    metric: str,
    analogy: str | None,
    text: str | None,
    index_dir: Path | None,
    scheduler: str,
    run: str | None,
    tensor: str | None,
    as_json: bool,
    **kwargs: Any,
) -> None:
    """Print the K nearest neighbours of QUERY (a label, or #INDEX for a row), exactly, over every row."""
    from ..compute.neighbors import analogy as solve
    from ..compute.neighbors import format_neighbors, parse_analogy
    from ..compute.neighbors import neighbors as find
    from ..formats.registry import load

    if sum(x is not None for x in (query, analogy, text)) != 1:
        raise click.UsageError("give one of QUERY, --analogy or --text")
    if index_dir is not None:
        from .cluster_run import neighbors_through_index

        if query is None:
            raise click.UsageError("--index takes a QUERY (a label, or #ROW)")
        click.echo(neighbors_through_index(path, index_dir, query, k=k, scheduler=scheduler))
        return
    emb = load(path, run=run, tensor=tensor, **read_kwargs(kwargs))
    if text is not None:
        from ..embed.search import search_meaning

        found = search_meaning(emb, text, k=_default_k(k, len(emb)), metric=metric)
        result, label = found.neighbors, text.strip()
        metric = metric if found.how == "model" else "cosine"
        if found.unknown:
            log.warning("not in this embedding, left out: %s", ", ".join(found.unknown[:20]))
    elif analogy is not None:
        positive, negative = parse_analogy(analogy)
        for word in positive + negative:
            emb.resolve(word)
        k = _default_k(k, len(emb) - len(set(positive + negative)))
        result = solve(emb, positive=positive, negative=negative, k=k)
        label, metric = analogy.strip(), "cosine"
    else:
        assert query is not None
        label = emb.labels[emb.resolve(query)]
        k = _default_k(k, len(emb) - 1)
        result = find(emb, query, k=k, metric=metric)
    if as_json:
        payload = {"query": label, "metric": metric, "neighbors": [n.to_dict() for n in result]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(format_neighbors(label, result, metric=metric))


def _shard_info(path: Path, as_json: bool, *, vector_column: str | None) -> None:
    from ..formats.tables.shards import open_shards

    shards = open_shards(path, vector_column=vector_column)
    report = {
        "source": str(path),
        "kind": shards.kind,
        "shards": [{"file": s.path.name, "rows": s.rows} for s in shards.shards],
        "shape": [shards.rows, shards.dim],
        "vector_column": shards.vector_column,
        "metadata": shards.columns,
    }
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    click.echo(f"{path}: {len(shards.shards):,} {shards.kind} shards, {shards.rows:,} x {shards.dim:,} in all")
    if shards.columns:
        click.echo(f"  metadata: {', '.join(shards.columns)}")
    sizes = [s.rows for s in shards.shards]
    click.echo(f"  rows per shard: {min(sizes):,} to {max(sizes):,} (read from the footers only)")


def _default_k(k: int, available: int) -> int:
    """The default -k shrinks to what the data has (with a warning); a -k the user typed is kept (and checked)."""
    source = click.get_current_context().get_parameter_source("k")
    if source is click.core.ParameterSource.DEFAULT and k > available > 0:
        log.warning("only %d other points: showing %d neighbours", available, available)
        return available
    return k


@click.command()
@click.argument("src", type=click.Path(path_type=Path))
@click.argument("dest", type=click.Path(path_type=Path))
@click.option(
    "--to", "to_format", help="Output format (tsv, tensorboard, npy, parquet, word2vec); from DEST's suffix by default."
)
@choose_options
@read_options
def convert(src: Path, dest: Path, to_format: str | None, run: str | None, tensor: str | None, **kwargs: Any) -> None:
    """Convert SRC to DEST: projector TSV, TensorBoard log dir (a folder), .npy, Parquet or word2vec text."""
    from ..formats.registry import load, save

    emb = load(src, run=run, tensor=tensor, **read_kwargs(kwargs))
    written = save(emb, dest, format=to_format)
    click.echo(f"wrote {emb.shape[0]:,} x {emb.shape[1]} {emb.name!r} to {written}")
