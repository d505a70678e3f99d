"""What the commands share: the reading options, the names of library parameters as typed on the command line,
and the one place that turns an EmbedscopeError into the line the user reads."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..compute.spec import cli_flags
from ..errors import EmbedscopeError

# library field names -> what the user typed on the command line
OPTION_NAMES = {
    "sprite_size": "--sprite-size",
    "label_column": "--label-column",
    "coords": "--coords",
    "vector_column": "--vector-column",
    "unicode_errors": "--unicode-errors",
    "ids": "QUERY",
    "query": "QUERY",
    "k": "-k",
    "tensor": "--tensor",
    "run": "--run",
    "min_count": "--min-count",
    "max_vocab": "--max-vocab",
    "vector_size": "--vector-size",
    "window": "--window",
    "epochs": "--epochs",
    "negative": "--negative",
    "sample": "--sample",
    "alpha": "--alpha",
    "workers": "--workers",
    "seed": "--seed",
    "errors": "--errors",
    "corpus": "CORPUS",
    "restrict_vocab": "--restrict-vocab",
    "min_cluster_size": "--min-cluster-size",
    "cluster_column": "--cluster-column",
    "text_column": "--text-column",
    "image_column": "--image-column",
    "model": "--model",
    "device": "--device",
    "batch_size": "--batch-size",
    "output": "--output",
}


def read_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that reads an embedding accepts."""
    from ..formats.registry import FORMATS

    options = [
        click.option("--format", "format_", type=click.Choice(sorted(FORMATS)), help="Force the input format."),
        click.option(
            "--metadata",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Metadata for the vectors: a projector TSV, or Parquet (the page's Download metadata).",
        ),
        click.option("--sprite", type=click.Path(dir_okay=False, path_type=Path), help="Sprite image (PNG/JPEG)."),
        click.option("--sprite-size", type=(int, int), metavar="W H", help="Size of one sprite thumbnail in pixels."),
        click.option("--label-column", help="Metadata column to label points by."),
        click.option(
            "--coords",
            type=click.Path(path_type=Path),
            help="Coordinates computed elsewhere (columns x, y[, z], or an exported projection): the Precomputed "
            "projection; serve: a folder of coordinate shards (project --scheduler's) for a folder of shards.",
        ),
        click.option("--vector-column", help="Table column (or column prefix) holding the vectors."),
        click.option(
            "--unicode-errors",
            type=click.Choice(["strict", "replace", "ignore"]),
            help="word2vec text: what to do with bytes that are not UTF-8 [strict].",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def choose_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--tensor", help="Tensor (embedding) to use when the input holds several.")(func)
    func = click.option("--run", help="Run to use when the input holds several.")(func)
    return func


def read_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    names = ("metadata", "sprite", "sprite_size", "label_column", "vector_column", "unicode_errors", "coords")
    out = {k: kwargs.pop(k) for k in names}
    out["format"] = kwargs.pop("format_")
    return {k: v for k, v in out.items() if v is not None}


def json_out(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(func)


def cli_name(exc: EmbedscopeError) -> str:
    """The error's one line with every Python parameter name (field and `backticked` words) as its CLI flag."""
    flags = {**cli_flags(), **OPTION_NAMES}
    if exc.field is not None:  # a message that names its field in backticks needs no "field X:" in front
        exc.field = None if f"`{exc.field}`" in exc.message else flags.get(exc.field, exc.field)
    text = exc.describe()
    return re.sub(r"`([a-z_]+)`", lambda m: f"`{flags[m.group(1)]}`" if m.group(1) in flags else m.group(0), text)
