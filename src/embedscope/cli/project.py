"""The `project` command's method options, made from the one table of projection parameters (compute/spec.py).

Each parameter becomes one flag (``Param.cli_flag``) whose help shows the table's default; the values are only
parsed here (numbers, lists, 'auto') and checked once, by ``ProjectionSpec.build``. Library messages name the
Python parameters (`n_components`); ``cli_name`` puts the flags the user typed (`--dims`) in their place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..compute.spec import METHODS, N_COMPONENTS, PARAMS, RANDOM_STATE, Param
from .options import choose_options, read_kwargs, read_options

log = logging.getLogger("embedscope")
_PARAMS: dict[str, Param] = {p.name: p for params in PARAMS.values() for p in params}


def _dest(param: Param) -> str:
    """The click keyword a flag arrives as (`--iterations` -> iterations)."""
    return param.cli_flag.lstrip("-").replace("-", "_")


def _option(param: Param) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    methods = [m for m, params in PARAMS.items() if param in params]
    text = param.help.split(": ", 1)[-1] if ":" in param.help else param.help
    shown = "" if param.default is None else f" [{str(param.default).lower()}]"
    help_text = f"{'/'.join(_METHOD_NAMES[m] for m in methods)}: {text}{shown}."
    if param.type == "boolean":
        return click.option(param.cli_flag, _dest(param), is_flag=True, default=None, help=help_text)
    choices = click.Choice([str(c) for c in param.choices or ()])
    kinds: dict[str, Any] = {"number": float, "integer": int, "choice": choices}
    return click.option(param.cli_flag, _dest(param), type=kinds.get(param.type, str), help=help_text)


_METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP", "custom": "Custom", "precomputed": "Precomputed"}


def method_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Every method's parameters as options of one command."""
    for param in reversed(list(_PARAMS.values())):
        func = _option(param)(func)
    return func


def method_params(method: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The parameters of `method` the user gave (popped from `kwargs`); a flag of another method is a usage error."""
    given = {name: kwargs.pop(_dest(p), None) for name, p in _PARAMS.items()}
    given = {name: value for name, value in given.items() if value is not None}
    own = {p.name for p in PARAMS[method]}
    stray = sorted(name for name in given if name not in own)
    if stray:
        raise click.UsageError(f"{_PARAMS[stray[0]].cli_flag} does not apply to --method {method}")
    return {name: _parse(_PARAMS[name], value) for name, value in given.items()}


def _parse(param: Param, value: Any) -> Any:
    """A flag's text as the value the table's type holds (the spec checks it)."""
    if param.type == "components":
        try:
            return [int(a) for a in str(value).split(",")]
        except ValueError:
            raise click.BadParameter(
                f"expected numbers separated by commas, got {value!r}", param_hint=param.cli_flag
            ) from None
    if param.type == "number_or_auto" and value != "auto":
        try:
            return float(value)
        except ValueError:
            raise click.BadParameter(f"expected a number or 'auto', got {value!r}", param_hint=param.cli_flag) from None
    return value


def projection_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """PATH and what chooses its projection: method, dims, seed, subset, spherize, every method's parameters, cache."""
    options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.argument("path", type=click.Path(path_type=Path)),
        click.option("--method", type=click.Choice(METHODS), default="pca", show_default=True),
        click.option("--dims", type=int, default=N_COMPONENTS.default, show_default=True, help="2 or 3 dimensions."),
        click.option(
            "--seed",
            type=int,
            default=RANDOM_STATE.default,
            show_default=True,
            help=f"random_state: {RANDOM_STATE.help}.",
        ),
        click.option(
            "--subset",
            type=click.Path(dir_okay=False, path_type=Path),
            help="File of row indices (one per line) to project.",
        ),
        click.option(
            "--spherize/--no-spherize", default=None, help="Centre and normalise rows first [default: on when D >= 50]."
        ),
        method_options,
        click.option("--no-cache", is_flag=True, help="Compute again instead of using the on-disk cache."),
        choose_options,
        read_options,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def cluster_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """How the map's clusters are found and named (compute/clusters.py)."""
    func = click.option("--cluster-column", help="Metadata column the clusters are named from [the label column].")(
        func
    )
    return click.option(
        "--min-cluster-size", type=int, help="Points a cluster needs [1% of the points drawn, at least 10]."
    )(func)


def projected(kwargs: dict[str, Any]) -> tuple[Any, Any, Any]:
    """The embedding, its projection and the cache (or None), from `projection_options`' values (popped)."""
    from ..compute.cache import ProjectionCache
    from ..compute.projection import project as run_projection
    from ..compute.spec import ProjectionSpec
    from ..formats.registry import load
    from .progress import progress_reporter

    path, method, subset = kwargs.pop("path"), kwargs.pop("method"), kwargs.pop("subset")
    read = read_kwargs(kwargs)
    params = method_params(method, kwargs)
    emb = load(path, run=kwargs.pop("run"), tensor=kwargs.pop("tensor"), **read)
    indices = _read_subset(subset, n=len(emb)) if subset is not None else None
    spec = ProjectionSpec.build(
        emb,
        method=method,
        n_components=kwargs.pop("dims"),
        params=params,
        subset=indices,
        spherize=kwargs.pop("spherize"),
        random_state=kwargs.pop("seed"),
    )
    cache = None if kwargs.pop("no_cache") else ProjectionCache()
    n = len(emb) if spec.subset is None else len(spec.subset)
    with progress_reporter(f"{method} on {n:,} points") as progress:
        result = run_projection(emb, spec, progress=progress, cache=cache)
    return emb, result, cache


def map_clusters(emb: Any, result: Any, cache: Any, kwargs: dict[str, Any]) -> Any:
    """The clusters of a projection, from `cluster_options`' values (popped)."""
    from ..compute.clusters import clusters
    from ..errors import ParameterError

    try:
        return clusters(
            emb,
            result.coords,
            indices=result.indices,
            column=kwargs.pop("cluster_column"),
            min_cluster_size=kwargs.pop("min_cluster_size"),
            random_state=result.random_state,
            cache=cache,
        )
    except ParameterError as exc:
        if exc.field == "column":  # the library's `column` is --cluster-column here (--column is custom axes')
            exc.field = "cluster_column"
        raise


@click.command()
@projection_options
@click.option(
    "--clusters", "with_clusters", is_flag=True, help="Add `cluster` and `cluster_label` (and `subcluster`) columns."
)
@cluster_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="OUT: .npy, .csv, .tsv or .parquet (with --scheduler: a folder of coordinate shards).",
)
@click.option(
    "--scheduler",
    help="Run on a dask cluster, shard by shard: local, local:N (N worker processes here) or tcp://HOST:8786 "
    "(PATH: a folder of Parquet or .npy shards; PCA, t-SNE or UMAP).",
)
def project(output: Path, with_clusters: bool, scheduler: str | None, **kwargs: Any) -> None:
    """Project PATH to 2-D or 3-D with PCA, t-SNE, UMAP or custom axes; write coordinates with labels to OUT."""
    from ..formats.coords import coords_table, export_format, write_table

    if scheduler is not None:
        from .cluster_run import project_on_cluster

        params = method_params(kwargs["method"], kwargs)
        project_on_cluster(scheduler, output, params=params, with_clusters=with_clusters, **kwargs)
        return

    if export_format(output) == "npy" and with_clusters:
        raise click.UsageError("--clusters adds columns to a table: write .csv, .tsv or .parquet")
    if not with_clusters and (kwargs["cluster_column"] or kwargs["min_cluster_size"] is not None):
        raise click.UsageError("--cluster-column and --min-cluster-size go with --clusters")
    emb, result, cache = projected(kwargs)
    table = coords_table(emb, result.coords, indices=result.indices)
    facts = projection_facts(result, output)
    if with_clusters:
        found = map_clusters(emb, result, cache, kwargs)
        rows = found.table(len(emb))
        if result.indices is not None:
            rows = rows.take(result.indices)
        for name in rows.column_names:
            if name in table.column_names:
                log.warning("the metadata column `%s` is replaced by the map's clusters in %s", name, output)
                table = table.drop_columns([name])
            table = table.append_column(name, rows.column(name))
        facts += f"; {len(found.base_clusters):,} clusters"
    write_table(table, output)
    click.echo(facts)


def _read_subset(path: Path, *, n: int) -> list[int]:
    """Row indices, one per line (`#` prefixes allowed), each checked against N; repeats are dropped with a warning."""
    from ..errors import FormatError
    from ..files import read_regular

    out: list[int] = []
    seen: set[int] = set()
    try:
        text = read_regular(path, what="subset file").decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"cannot read the subset file: {exc}", path=path, fix="give a UTF-8 text file") from None
    for number, line in enumerate(text.splitlines(), start=1):
        item = line.strip().lstrip("#")
        if not item:
            continue
        if not (item.isascii() and item.isdigit()):
            raise FormatError(
                f"expected a row index, found {line.strip()!r}",
                path=path,
                line=number,
                fix="write one integer per line",
            )
        index = int(item) if len(item) <= 20 else n  # Python refuses int() of 4,300+ digits
        if index >= n:
            raise FormatError(
                f"row {item} is out of range: the embedding has {n:,} rows (0..{n - 1:,})", path=path, line=number
            )
        if index not in seen:
            seen.add(index)
            out.append(index)
    dropped = sum(1 for line in text.splitlines() if line.strip()) - len(out)
    if dropped:
        log.warning("%s: %d repeated row(s) left out", path, dropped)
    return out


def projection_facts(result: Any, output: Path) -> str:
    """The one-line summary of a finished projection: what was written, its variance, matches and quality."""
    facts = [f"wrote {result.coords.shape[0]:,} x {result.dims} {result.method} coordinates to {output}"]
    ratios = result.explained_variance_ratio
    if ratios is not None:
        axes = result.params.get("axes") or list(range(result.dims))
        shares = ", ".join(f"PC{a + 1} {ratios[a]:.1%}" for a in axes)
        facts.append(f"explained variance {sum(ratios[a] for a in axes):.1%} ({shares})")
    counts = result.extra.get("counts")
    if counts:
        facts.append("matches " + ", ".join(f"{side} {count:,}" for side, count in counts.items()))
        if result.extra.get("cos_xy") is not None:
            facts.append(f"cos(x, y) before orthogonalising {result.extra['cos_xy']:.3f}")
    if result.extra.get("knn_engine") == "hnsw":
        recall = result.extra.get("knn_recall")
        shown = "" if recall is None else f", recall {recall:.1%} on a sample"
        facts.append(f"approximate neighbour graph (HNSW{shown}; a re-run can differ slightly)")
    if result.extra.get("reproducible") is False and result.params.get("parallel"):
        facts.append("parallel layout: not reproducible")
    if result.quality is not None:
        facts.append(f"10-NN preserved {result.quality:.1%}")
    trust, continuity = result.extra.get("trustworthiness"), result.extra.get("continuity")
    if trust is not None and continuity is not None:
        facts.append(f"trustworthiness {trust:.3f}, continuity {continuity:.3f}")
    if result.cached:
        facts.append("from cache")
    return "; ".join(facts)
