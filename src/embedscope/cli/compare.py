"""The `compare` command: two embeddings of the same items compared by their neighbourhoods (compute/compare.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import numpy as np

from .options import choose_options, read_kwargs, read_options

SHOWN = 5  # items listed as changed most and least


@click.command()
@click.argument("path_a", metavar="A", type=click.Path(path_type=Path))
@click.argument("path_b", metavar="B", type=click.Path(path_type=Path))
@click.option("-k", "--k", "k", type=int, default=10, show_default=True, help="Nearest neighbours compared.")
@click.option("--by", type=click.Choice(["label", "row"]), default="label", show_default=True, help="Match items by.")
@click.option(
    "--metric", type=click.Choice(["cosine", "euclidean"]), default="cosine", show_default=True, help="Distance."
)
@click.option("--step-a", type=int, help="A's training step (default: the latest).")
@click.option("--step-b", type=int, help="B's training step (default: the latest).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Per item: .csv, .tsv or .parquet."
)
@choose_options
@read_options
def compare(
    path_a: Path,
    path_b: Path,
    k: int,
    by: str,
    metric: str,
    step_a: int | None,
    step_b: int | None,
    output: Path | None,
    run: str | None,
    tensor: str | None,
    **kwargs: Any,
) -> None:
    """Compare embeddings A and B of the same items: for each item, the share of its k nearest neighbours the two
    have in common and their rank correlation; print the summary and the items that changed most and least."""
    from ..compute.compare import compare as run_compare
    from ..formats.coords import export_format, write_table
    from ..formats.registry import load

    if output is not None:
        export_format(output)
    read = read_kwargs(kwargs)
    a = load(path_a, run=run, tensor=tensor, **read).at(step_a)
    b = load(path_b, run=run, tensor=tensor, **read).at(step_b)
    result = run_compare(a, b, k=k, by=by, metric=metric)
    for line in summary(result, len(a), len(b)):
        click.echo(line)
    if output is not None:
        write_table(result.table(), output)
        click.echo(f"wrote {len(result.labels):,} items to {output}")


def summary(result: Any, n_a: int, n_b: int) -> list[str]:
    """The lines `compare` prints."""
    overlap = result.overlap
    corr = result.rank_correlation
    shared = len(result.labels)
    rho = float(np.nanmean(corr)) if np.isfinite(corr).any() else float("nan")
    lines = [
        f"{shared:,} items in both (A has {n_a:,}, B {n_b:,}): {result.k} nearest neighbours in common "
        f"{result.mean_overlap:.1%} on average (chance {result.chance:.1%}), rank correlation {rho:.3f}",
        "overlap: " + ", ".join(f"{q}% {np.percentile(overlap, q):.0%}" for q in (10, 25, 50, 75, 90)),
    ]
    order = np.lexsort((np.arange(shared), overlap))
    most = ", ".join(f"{result.labels[i]} ({overlap[i]:.0%})" for i in order[:SHOWN])
    least = ", ".join(f"{result.labels[i]} ({overlap[i]:.0%})" for i in order[::-1][:SHOWN])
    lines += [f"changed most: {most}", f"changed least: {least}"]
    for name, only in (("A", result.only_a), ("B", result.only_b)):
        if only:
            shown = ", ".join(only[:SHOWN]) + (", ..." if len(only) > SHOWN else "")
            lines.append(f"only in {name}: {len(only):,} item(s) ({shown})")
    return lines
