"""The `embedscope` command. A thin door onto the library: it alone turns EmbedscopeError into one line + exit 1."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .errors import EmbedscopeError

log = logging.getLogger("embedscope")


class _Group(click.Group):
    """Runs a command and turns EmbedscopeError (and Ctrl-C) into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EmbedscopeError as exc:
            click.echo(f"error: {exc.describe()}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


class _OneLineHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.lower()}: {record.getMessage()}", err=True)


def _setup_logging(verbose: bool) -> None:
    root = logging.getLogger("embedscope")
    root.handlers[:] = [_OneLineHandler()]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    root.propagate = False


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="embedscope")
@click.option("-v", "--verbose", is_flag=True, help="Print what is being done (info messages).")
def cli(verbose: bool) -> None:
    """Train, load, query and explore embeddings."""
    _setup_logging(verbose)


def read_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that reads an embedding accepts."""
    from .formats.registry import FORMATS

    options = [
        click.option("--format", "format_", type=click.Choice(sorted(FORMATS)), help="Force the input format."),
        click.option(
            "--metadata", type=click.Path(dir_okay=False, path_type=Path), help="Metadata TSV for the vectors."
        ),
        click.option("--sprite", type=click.Path(dir_okay=False, path_type=Path), help="Sprite image (PNG/JPEG)."),
        click.option("--sprite-size", type=(int, int), metavar="W H", help="Size of one sprite thumbnail in pixels."),
        click.option("--label-column", help="Metadata column to label points by."),
        click.option("--vector-column", help="Table column (or column prefix) holding the vectors."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def choose_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--tensor", help="Tensor (embedding) to use when the input holds several.")(func)
    func = click.option("--run", help="Run to use when the input holds several.")(func)
    return func


def _read_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    out = {k: kwargs.pop(k) for k in ("metadata", "sprite", "sprite_size", "label_column", "vector_column")}
    out["format"] = kwargs.pop("format_")
    return {k: v for k, v in out.items() if v is not None}


def _json_out(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(func)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@read_options
@_json_out
def info(path: Path, as_json: bool, **kwargs: Any) -> None:
    """Show the runs, embeddings, shapes, metadata columns and sprite that PATH holds."""
    from .formats.registry import load_collection
    from .summary import describe, render_text

    collection = load_collection(path, **_read_kwargs(kwargs))
    report = describe(collection)
    click.echo(json.dumps(report, indent=2, ensure_ascii=False) if as_json else render_text(report))


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.argument("query")
@click.option("-k", default=10, show_default=True, help="How many neighbours (1 to 1,000).")
@click.option("--metric", type=click.Choice(["cosine", "euclidean"]), default="cosine", show_default=True)
@choose_options
@read_options
@_json_out
def neighbors(
    path: Path, query: str, k: int, metric: str, run: str | None, tensor: str | None, as_json: bool, **kwargs: Any
) -> None:
    """Print the K nearest neighbours of QUERY (a label, or #INDEX for a row), exactly, over every row."""
    from .compute.neighbors import format_neighbors
    from .compute.neighbors import neighbors as find
    from .formats.registry import load

    emb = load(path, run=run, tensor=tensor, **_read_kwargs(kwargs))
    result = find(emb, query, k=k, metric=metric)
    label = emb.labels[emb.resolve(query)]
    if as_json:
        payload = {"query": label, "metric": metric, "neighbors": [n.to_dict() for n in result]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(format_neighbors(label, result, metric=metric))


@cli.command()
@click.argument("src", type=click.Path(path_type=Path))
@click.argument("dest", type=click.Path(path_type=Path))
@click.option(
    "--to", "to_format", help="Output format (tsv, tensorboard, npy, parquet, word2vec); from DEST's suffix by default."
)
@choose_options
@read_options
def convert(src: Path, dest: Path, to_format: str | None, run: str | None, tensor: str | None, **kwargs: Any) -> None:
    """Convert SRC to DEST: projector TSV, TensorBoard log dir (a folder), .npy, Parquet or word2vec text."""
    from .formats.registry import load, save

    emb = load(src, run=run, tensor=tensor, **_read_kwargs(kwargs))
    written = save(emb, dest, format=to_format)
    click.echo(f"wrote {emb.shape[0]:,} x {emb.shape[1]} {emb.name!r} to {written}")


@cli.command()
@click.option("-k", default=5, show_default=True, help="Neighbours to show for each example query.")
def demo(k: int) -> None:
    """Show the built-in demo data: scikit-learn's digits and MiniLM's token embeddings."""
    from . import demo as demo_data
    from .compute.neighbors import format_neighbors
    from .compute.neighbors import neighbors as find
    from .summary import describe_embedding, render_embedding

    for emb, queries in demo_data.examples():
        click.echo(render_embedding(describe_embedding(emb)))
        for query in queries:
            click.echo("  " + format_neighbors(emb.labels[emb.resolve(query)], find(emb, query, k=k)))
        click.echo()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="embedscope")
