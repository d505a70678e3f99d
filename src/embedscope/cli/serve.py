"""`embedscope serve`: the projector page and its HTTP API on the given paths.

The access token may come from `--token`, the environment variable EMBEDSCOPE_TOKEN or the first line of
`--token-file`; the last two keep it out of the process list (`ps` shows every argument).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from .embed import model_options
from .options import choose_options, read_kwargs, read_options

TOKEN_ENV = "EMBEDSCOPE_TOKEN"
TOKEN_FILE_MAX = 4096  # bytes
TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~+/=-]+")  # a bearer token's characters (RFC 6750), safe in a cookie


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
@click.option(
    "--token",
    envvar=TOKEN_ENV,
    show_envvar=True,
    help="Access token; one is made when --host is not loopback. Prefer $EMBEDSCOPE_TOKEN or --token-file: "
    "other users of the machine see the command line.",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the access token from the first line of this file.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for bookmarks [next to the data when writable, else the user's data dir].",
)
@click.option("--max-upload", default=64, show_default=True, help="Largest metadata upload, in MiB.")
@click.option("--no-warm-up", is_flag=True, help="Do not compile UMAP's code in the background at start.")
@click.option(
    "--tiles-from",
    type=click.IntRange(1),
    default=2_000_000,
    show_default=True,
    help="A 2-D map of more points than this is drawn from tiles, the view's points only.",
)
@click.option(
    "--tile-points", type=click.IntRange(16, 1 << 22), default=16_384, show_default=True, help="Points a tile holds."
)
@click.option(
    "--index",
    "index_folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --coords FOLDER: a click's neighbours through this FAISS index (embedscope index's) [an exact scan].",
)
@click.option("--text-column", help="PATHS are raw tables of texts: embed this column (cached), then serve.")
@click.option(
    "--image-column", help="PATHS are raw tables of image paths: embed them with a CLIP-type model, then serve."
)
@model_options
@choose_options
@read_options
def serve(
    paths: tuple[Path, ...],
    host: str,
    port: int,
    token: str | None,
    token_file: Path | None,
    open_browser: bool,
    state_dir: Path | None,
    max_upload: int,
    no_warm_up: bool,
    tiles_from: int,
    tile_points: int,
    index_folder: Path | None,
    text_column: str | None,
    image_column: str | None,
    model: str | None,
    device: str | None,
    allow_download: bool,
    run: str | None,
    tensor: str | None,
    **kwargs: Any,
) -> None:
    """Serve PATHS (several become several runs) to the web page and the HTTP API; prints the URL."""
    from ..server.launch import collect
    from ..server.launch import serve as run_server
    from ..server.state import ServerSettings

    token = _token(token, token_file)
    if max_upload < 1:
        raise click.BadParameter("must be at least 1 (MiB)", param_hint="--max-upload")
    coords = kwargs.get("coords")
    if index_folder is not None and not (coords is not None and coords.is_dir()):
        raise click.UsageError("--index serves the neighbours of a map of shards: give --coords FOLDER too")
    if coords is not None and coords.is_dir():  # a map made on a cluster: the shards' coordinate shards
        collection = _sharded_map(list(paths), coords, index_folder, kwargs)
    elif text_column is not None or image_column is not None:
        raw = {"text": text_column, "image": image_column, "model": model, "device": device}
        collection = _embedded(list(paths), allow_download=allow_download, **raw)
    else:
        collection = collect(list(paths), run=run, tensor=tensor, **read_kwargs(kwargs))
    settings = ServerSettings(
        host=host,
        port=port,
        token=token,
        state_dir=state_dir,
        max_upload_bytes=max_upload * 1024 * 1024,
        paths=list(paths),
        tiles_from=tiles_from,
        tile_points=tile_points,
    )
    n = len(collection)
    click.echo(f"serving {n} embedding{'s' * (n != 1)} in {len(collection.runs)} run(s)", err=True)

    def announce(url: str) -> None:
        click.echo(f"embedscope is at {url}  (Ctrl-C stops it)")

    run_server(collection, settings, open_browser=open_browser, warm_up=not no_warm_up, announce=announce)


def _sharded_map(paths: list[Path], coords: Path, index: Path | None, options: dict[str, Any]) -> Any:
    """One folder of shards served by its map: the coordinates and metadata held, the vectors left in the shards."""
    from ..distributed.served import open_map
    from ..embedding import Collection

    if len(paths) != 1:
        raise click.UsageError(f"--coords serves one folder of shards, got {len(paths)} paths")
    flags = {"metadata": "--metadata", "sprite": "--sprite", "sprite_size": "--sprite-size", "format_": "--format"}
    given = [flag for key, flag in flags.items() if options.get(key) is not None]
    if given:
        raise click.UsageError(f"{', '.join(given)}: not with --coords FOLDER (the shards hold the metadata)")
    emb = open_map(
        paths[0],
        coords,
        index_folder=index,
        vector_column=options.get("vector_column"),
        label_column=options.get("label_column"),
    )
    click.echo(f"{paths[0]}: a map of {len(emb):,} rows; neighbours {emb.original.how}", err=True)  # type: ignore[union-attr]
    collection = Collection(source=str(paths[0]))
    collection.add(paths[0].name, emb)
    return collection


def _embedded(paths: list[Path], *, model: str | None, device: str | None, **options: Any) -> Any:
    """Raw tables embedded (each a run named by its stem), ready to serve; the vectors are cached."""
    from ..embed import embed_file, load_model
    from ..embedding import Collection
    from ..formats.registry import served_root
    from .progress import progress_reporter

    loaded = load_model(model, device=device, allow_download=options.pop("allow_download"))
    from ..embed.search import trust

    trust(loaded)  # chosen here: search by meaning may load it again
    collection = Collection(source=str(paths[0]) if len(paths) == 1 else None)
    for path in paths:
        with progress_reporter(f"Embedding {path.name}") as progress:
            emb, done = embed_file(path, model=loaded, progress=progress, **options)
        click.echo(f"{path}: {len(emb):,} items, {done.computed:,} embedded with {loaded.title}", err=True)
        run = path.stem if path.stem not in collection.runs else f"{path.stem}-{len(collection.runs) + 1}"
        collection.add(run, emb)
        collection.roots[run] = str(served_root(path))
    return collection


def _token(given: str | None, path: Path | None) -> str | None:
    """The token of --token, $EMBEDSCOPE_TOKEN or --token-file (one of them), checked."""
    hint = "--token" if path is None else "--token-file"
    if path is not None:
        if given is not None:
            source = click.get_current_context().get_parameter_source("token")
            where = f"${TOKEN_ENV}" if source == click.core.ParameterSource.ENVIRONMENT else "--token"
            raise click.BadParameter(f"give the token once: both {where} and --token-file are set", param_hint=hint)
        given = _read_token(path)
    if given is None:
        return None
    if given == "":
        raise click.BadParameter("an empty token protects nothing; give a real one or leave it out", param_hint=hint)
    if not TOKEN_CHARS.fullmatch(given):
        raise click.BadParameter(
            f"a token holds letters, digits and -._~+/= only (found {len(given)} characters, among them others); "
            "make one with: python -c 'import secrets; print(secrets.token_urlsafe(24))'",
            param_hint=hint,
        )
    return given


def _read_token(path: Path) -> str:
    from ..files import read_regular

    data = read_regular(path, what="token file", limit=TOKEN_FILE_MAX)
    lines = data.decode("utf-8", errors="replace").splitlines()
    return lines[0].strip() if lines else ""
