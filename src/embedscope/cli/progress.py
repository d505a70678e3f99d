"""A rich progress bar for long computations on a terminal; silent when output is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from ..compute.progress import Progress, ProgressCallback


@contextmanager
def progress_reporter(title: str) -> Iterator[ProgressCallback | None]:
    """Yield a progress callback drawing a bar on stderr, or None when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(title, total=1.0, stage="")

        def update(item: Progress) -> None:
            stage = item.stage if item.iteration is None else f"{item.stage} {item.iteration}/{item.total or '?'}"
            fraction = item.fraction
            if fraction is None and item.iteration is not None and item.total:
                fraction = item.iteration / item.total
            bar.update(task, completed=fraction if fraction is not None else bar.tasks[0].completed, stage=stage)

        yield update
