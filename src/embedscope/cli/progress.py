"""A rich progress bar for long computations on a terminal; silent when output is not a terminal.

Each stage (the neighbour graph, the affinities, the optimisation) starts the bar again, so the time left that it
shows is the stage's own, estimated from that stage's pace.
"""

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
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(title, total=1.0, stage="")
        current = [""]

        def update(item: Progress) -> None:
            stage = item.stage if item.iteration is None else f"{item.stage} {item.iteration}/{item.total or '?'}"
            if item.message and item.iteration is None:
                stage = f"{item.stage}: {item.message}"
            elif item.message and item.stage == "embed":  # the items per second beside the count
                stage = f"{stage} · {item.message}"
            if item.stage != current[0]:  # a new stage: its own pace, its own time left
                current[0] = item.stage
                bar.reset(task, total=1.0, completed=0)
            fraction = item.fraction
            if fraction is None and item.iteration is not None and item.total:
                fraction = item.iteration / item.total
            bar.update(task, completed=fraction if fraction is not None else bar.tasks[0].completed, stage=stage)

        yield update
