"""The `embedscope` command. A thin door onto the library: it alone turns EmbedscopeError into one line + exit 1."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .cli_project import cli_name, method_options, method_params, projection_facts
from .compute.neighbors import DEFAULT_K, MAX_K
from .compute.spec import METHODS, N_COMPONENTS, RANDOM_STATE
from .errors import EmbedscopeError

log = logging.getLogger("embedscope")


# library field names -> what the user typed on the command line
_OPTION_NAMES = {
    "sprite_size": "--sprite-size",
    "label_column": "--label-column",
    "vector_column": "--vector-column",
    "unicode_errors": "--unicode-errors",
    "ids": "QUERY",
    "query": "QUERY",
    "k": "-k",
    "tensor": "--tensor",
    "run": "--run",
}


class _Group(click.Group):
    """Runs a command and turns EmbedscopeError (and Ctrl-C) into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EmbedscopeError as exc:
            click.echo(f"error: {cli_name(exc, _OPTION_NAMES)}", err=True)
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


def _read_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    names = ("metadata", "sprite", "sprite_size", "label_column", "vector_column", "unicode_errors")
    out = {k: kwargs.pop(k) for k in names}
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
@click.argument("query", required=False)
@click.option("-k", default=DEFAULT_K, show_default=True, help=f"How many neighbours (1 to {MAX_K:,}).")
@click.option("--metric", type=click.Choice(["cosine", "euclidean"]), default="cosine", show_default=True)
@click.option("--analogy", help='An analogy instead of QUERY: "king - man + woman" (3CosAdd, query words left out).')
@choose_options
@read_options
@_json_out
def neighbors(
    path: Path,
    query: str | None,
    k: int,
    metric: str,
    analogy: str | None,
    run: str | None,
    tensor: str | None,
    as_json: bool,
    **kwargs: Any,
) -> None:
    """Print the K nearest neighbours of QUERY (a label, or #INDEX for a row), exactly, over every row."""
    from .compute.neighbors import analogy as solve
    from .compute.neighbors import format_neighbors, parse_analogy
    from .compute.neighbors import neighbors as find
    from .formats.registry import load

    if (query is None) == (analogy is None):
        raise click.UsageError("give either QUERY or --analogy")
    emb = load(path, run=run, tensor=tensor, **_read_kwargs(kwargs))
    if analogy is not None:
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


def _default_k(k: int, available: int) -> int:
    """The default -k shrinks to what the data has (with a warning); a -k the user typed is kept (and checked)."""
    source = click.get_current_context().get_parameter_source("k")
    if source is click.core.ParameterSource.DEFAULT and k > available > 0:
        log.warning("only %d other points: showing %d neighbours", available, available)
        return available
    return k


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
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--method", type=click.Choice(METHODS), default="pca", show_default=True)
@click.option("--dims", type=int, default=N_COMPONENTS.default, show_default=True, help="2 or 3 dimensions.")
@click.option(
    "--seed", type=int, default=RANDOM_STATE.default, show_default=True, help=f"random_state: {RANDOM_STATE.help}."
)
@click.option(
    "--subset", type=click.Path(dir_okay=False, path_type=Path), help="File of row indices (one per line) to project."
)
@click.option(
    "--spherize/--no-spherize", default=None, help="Centre and normalise rows first [default: on when D >= 50]."
)
@method_options
@click.option("--no-cache", is_flag=True, help="Compute again instead of using the on-disk cache.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="OUT: .npy, .csv, .tsv or .parquet.",
)
@choose_options
@read_options
def project(
    path: Path,
    method: str,
    dims: int,
    seed: int,
    subset: Path | None,
    spherize: bool | None,
    output: Path,
    no_cache: bool,
    run: str | None,
    tensor: str | None,
    **kwargs: Any,
) -> None:
    """Project PATH to 2-D or 3-D with PCA, t-SNE, UMAP or custom axes; write coordinates with labels to OUT."""
    from .compute.cache import ProjectionCache
    from .compute.projection import project as run_projection
    from .compute.spec import ProjectionSpec
    from .export import coords_table, export_format, write_table
    from .formats.registry import load
    from .progress_bar import progress_reporter

    export_format(output)
    read = _read_kwargs(kwargs)
    params = method_params(method, kwargs)
    emb = load(path, run=run, tensor=tensor, **read)
    indices = _read_subset(subset, n=len(emb)) if subset is not None else None
    spec = ProjectionSpec.build(
        emb, method=method, n_components=dims, params=params, subset=indices, spherize=spherize, random_state=seed
    )
    n = len(emb) if spec.subset is None else len(spec.subset)
    with progress_reporter(f"{method} on {n:,} points") as progress:
        result = run_projection(emb, spec, progress=progress, cache=None if no_cache else ProjectionCache())
    write_table(coords_table(emb, result.coords, indices=result.indices), output)
    click.echo(projection_facts(result, output))


def _read_subset(path: Path, *, n: int) -> list[int]:
    """Row indices, one per line (`#` prefixes allowed), each checked against N; repeats are dropped with a warning."""
    from .errors import FormatError

    out: list[int] = []
    seen: set[int] = set()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"cannot read the subset file: {exc}", path=path, fix="give a UTF-8 text file") from None
    for number, line in enumerate(text.splitlines(), start=1):
        item = line.strip().lstrip("#")
        if not item:
            continue
        if not item.isdigit():
            raise FormatError(
                f"expected a row index, found {line.strip()!r}",
                path=path,
                line=number,
                fix="write one integer per line",
            )
        index = int(item)
        if index >= n:
            raise FormatError(
                f"row {index:,} is out of range: the embedding has {n:,} rows (0..{n - 1:,})", path=path, line=number
            )
        if index not in seen:
            seen.add(index)
            out.append(index)
    dropped = sum(1 for line in text.splitlines() if line.strip()) - len(out)
    if dropped:
        log.warning("%s: %d repeated row(s) left out", path, dropped)
    return out


@cli.command()
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
    **kwargs: Any,
) -> None:
    """Serve PATHS (several become several runs) to the web page and the HTTP API; prints the URL."""
    from .server.launch import collect
    from .server.launch import serve as run_server
    from .server.state import ServerSettings

    if token == "":
        raise click.BadParameter(
            "an empty token protects nothing; give a real one or leave it out", param_hint="--token"
        )
    if max_upload < 1:
        raise click.BadParameter("must be at least 1 (MiB)", param_hint="--max-upload")
    collection = collect(list(paths), **_read_kwargs(kwargs))
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


# commands kept in modules of their own (imported after the shared options they use are defined)
from .cli_demo import demo  # noqa: E402
from .cli_train import evaluate, train  # noqa: E402

cli.add_command(train)
cli.add_command(evaluate)
cli.add_command(demo)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="embedscope")
