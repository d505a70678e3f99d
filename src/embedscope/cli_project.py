"""The `project` command's method options, made from the one table of projection parameters (compute/spec.py).

Each parameter becomes one flag (``Param.cli_flag``) whose help shows the table's default; the values are only
parsed here (numbers, lists, 'auto') and checked once, by ``ProjectionSpec.build``. Library messages name the
Python parameters (`n_components`); ``cli_name`` puts the flags the user typed (`--dims`) in their place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from .compute.spec import PARAMS, Param, cli_flags
from .errors import EmbedscopeError

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


_METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP", "custom": "Custom"}


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


def cli_name(exc: EmbedscopeError, names: Mapping[str, str]) -> str:
    """The error's one line with every Python parameter name (field and `backticked` words) as its CLI flag."""
    flags = {**cli_flags(), **names}
    if exc.field is not None:  # a message that names its field in backticks needs no "field X:" in front
        exc.field = None if f"`{exc.field}`" in exc.message else flags.get(exc.field, exc.field)
    text = exc.describe()
    return re.sub(r"`([a-z_]+)`", lambda m: f"`{flags[m.group(1)]}`" if m.group(1) in flags else m.group(0), text)


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
    if result.quality is not None:
        facts.append(f"10-NN preserved {result.quality:.1%}")
    if result.cached:
        facts.append("from cache")
    return "; ".join(facts)
