"""`embedscope serve`: the projector page and its HTTP API on the given paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .options import choose_options, read_kwargs, read_options


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; others need a token.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=6006,
    show_default=True,
    help="Port; 0 (or a busy port) takes a free one.",
)
@click.option("--token", help="Access token; one is made when --host is not loopback.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for bookmarks [next to the data when writable, else the user's data dir].",
)
@click.option("--max-upload", default=64, show_default=True, help="Largest metadata upload, in MiB.")
@click.option("--no-warm-up", is_flag=True, help="Do not compile UMAP's code in the background at start.")
@choose_options
@read_options
def serve(
    paths: tuple[Path, ...],
    host: str,
    port: int,
    token: str | None,
    open_browser: bool,
    state_dir: Path | None,
    max_upload: int,
    no_warm_up: bool,
    run: str | None,
    tensor: str | None,
    **kwargs: Any,
) -> None:
    """Serve PATHS (several become several runs) to the web page and the HTTP API; prints the URL."""
    from ..server.launch import collect
    from ..server.launch import serve as run_server
    from ..server.state import ServerSettings

    if token == "":
        raise click.BadParameter(
            "an empty token protects nothing; give a real one or leave it out", param_hint="--token"
        )
    if max_upload < 1:
        raise click.BadParameter("must be at least 1 (MiB)", param_hint="--max-upload")
    collection = collect(list(paths), run=run, tensor=tensor, **read_kwargs(kwargs))
    settings = ServerSettings(
        host=host,
        port=port,
        token=token,
        state_dir=state_dir,
        max_upload_bytes=max_upload * 1024 * 1024,
        paths=list(paths),
    )
    n = len(collection)
    click.echo(f"serving {n} embedding{'s' * (n != 1)} in {len(collection.runs)} run(s)", err=True)

    def announce(url: str) -> None:
        click.echo(f"embedscope is at {url}  (Ctrl-C stops it)")

    run_server(collection, settings, open_browser=open_browser, warm_up=not no_warm_up, announce=announce)
