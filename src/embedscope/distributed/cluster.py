"""A dask.distributed client to run on: `local` / `local:N` starts a LocalCluster of N single-threaded worker
processes on this machine (N: the cores), `tcp://HOST:PORT` connects to a running scheduler (`dask scheduler`,
`dask worker tcp://HOST:PORT`), a Client given from Python is used as it is. The same code runs on each."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import NotFoundError, ParameterError, require

_LOCAL = re.compile(r"local(?::(\d+))?")


@contextmanager
def cluster_client(scheduler: Any) -> Iterator[Any]:
    """A dask.distributed Client for `scheduler` (see the module's docstring); what it starts, it stops."""
    require("distributed", extra="distributed", purpose="running on a cluster")
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise ParameterError(
            f"`scheduler` must be local, local:N or tcp://HOST:PORT, got {scheduler!r}", field="scheduler"
        )
    local = _LOCAL.fullmatch(scheduler.strip())
    if local is not None:
        workers = int(local.group(1)) if local.group(1) else (os.cpu_count() or 1)
        if not 1 <= workers <= 256:
            raise ParameterError(f"a local cluster of {workers} workers: give 1 to 256", field="scheduler")
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")):
        raise ParameterError(
            f"`scheduler` must be local, local:N or a scheduler's address (tcp://HOST:8786), got {scheduler!r}",
            field="scheduler",
        )
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise NotFoundError(
            f"no dask scheduler answers at {scheduler} ({exc})",
            field="scheduler",
            fix="start one with `dask scheduler` and workers with `dask worker ADDRESS`, or use --scheduler local",
        ) from None
    with client:
        yield client
