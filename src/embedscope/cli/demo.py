"""`embedscope demo`: the built-in data sets with a few neighbour queries, then the projector page on them."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("-k", default=5, show_default=True, help="Neighbours to show for each example query.")
@click.option("--serve/--no-serve", "serve_page", default=True, help="Then serve the projector on the demo data.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=6006,
    show_default=True,
    help="Port for the page; 0 (or a busy port) takes a free one.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@click.option(
    "--data",
    "names",
    multiple=True,
    type=click.Choice(["digits", "minilm-tokens", "kjv-word2vec"]),
    help="Show only these data sets (repeatable) [all three].",
)
@click.option(
    "--prepare",
    is_flag=True,
    help="Only prepare the data (train word2vec on the King James Bible once, cached), then exit.",
)
def demo(k: int, serve_page: bool, port: int, open_browser: bool, names: tuple[str, ...], prepare: bool) -> None:
    """Show the built-in demo data, then serve the projector on it.

    scikit-learn's digits (with their images), MiniLM's token embeddings, and word2vec trained on the King James
    Bible with a step per epoch (trained on first use when Debian's bible-kjv is installed, then cached).
    """
    from .. import demo as demo_data

    if prepare:
        path = demo_data.prepare_kjv()
        click.echo(f"the King James Bible word2vec run is ready: {path}")
        return
    from ..compute.neighbors import format_neighbors
    from ..compute.neighbors import neighbors as find
    from ..embedding import Collection
    from .summary import describe_embedding, render_embedding

    wanted = set(names or demo_data.NAMES)
    if demo_data.KJV_NAME in wanted and demo_data.kjv() is None:
        click.echo("training word2vec on the King James Bible (once; cached) ...")
    examples = demo_data.examples(names=wanted, train=True)
    for emb, queries in examples:
        click.echo(render_embedding(describe_embedding(emb)))
        for query in queries:
            label = emb.labels[emb.resolve(query)]
            shown = f"{query} ({emb.label_column} {label})" if query.startswith("#") else label
            click.echo("  " + format_neighbors(shown, find(emb, query, k=k)))
        click.echo()
    if not serve_page:
        return
    from ..server.launch import serve as run_server
    from ..server.state import ServerSettings

    collection = Collection(source="embedscope demo")
    for emb, _ in examples:
        collection.add(emb.name, emb)  # one run per data set; the page opens on the first (digits)

    def announce(url: str) -> None:
        click.echo(f"the projector is at {url}  (Ctrl-C stops it)")

    settings = ServerSettings(port=port, paths=[Path("embedscope-demo")])
    run_server(collection, settings, open_browser=open_browser, warm_up=True, announce=announce)
