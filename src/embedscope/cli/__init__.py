"""The `embedscope` command: a thin door onto the library, one module per command group.

data.py (info, neighbors, convert), project.py, clusters.py, compare.py, serve.py, train.py (train, evaluate),
demo.py; options.py holds what they share. This group alone turns an EmbedscopeError into one line on stderr and
exit code 1.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from ..errors import EmbedscopeError
from .cluster_run import index
from .clusters import clusters
from .compare import compare
from .data import convert, info, neighbors
from .demo import demo
from .embed import embed
from .options import cli_name
from .project import project
from .serve import serve
from .train import evaluate, train


class _Group(click.Group):
    """Runs a command and turns EmbedscopeError (and Ctrl-C) into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EmbedscopeError as exc:
            click.echo(f"error: {cli_name(exc)}", err=True)
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


for command in (info, neighbors, convert, project, clusters, compare, embed, index, serve, train, evaluate, demo):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="embedscope")
