"""Run embedscope's CLI on one hostile file in a child process under CPU-time and memory limits.

The limits (30 s of CPU, 1 GiB of address space) lie far above what a reader linear in its input needs for the
small files of this suite, and far below what the attacks cost when a reader is not bounded: a reader that is
bounded ends with one typed error line (or reads the file), one that is not is killed by the limit or runs out of
memory, and the test says which.
"""

from __future__ import annotations

import errno
import os
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CPU_SECONDS = 30
MEMORY_BYTES = 1 << 30
WALL_SECONDS = 120  # a guard against a child that blocks without using CPU (a FIFO, a lock)


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def describe(self) -> str:
        if self.returncode < 0:
            name = signal.Signals(-self.returncode).name
            return f"killed by {name} (CPU limit {CPU_SECONDS} s or memory limit {MEMORY_BYTES >> 20} MiB)"
        return f"exit {self.returncode}; stderr: {self.stderr[-2000:]!r}"


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def run_cli(*args: str | Path, cwd: Path | None = None) -> Outcome:
    """`python -m embedscope ARGS...` under the limits; a wall-clock overrun counts as a hang."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "embedscope", *map(str, args)],
            preexec_fn=_limits,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=WALL_SECONDS,
            cwd=cwd,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else str(exc.stderr or "")
        return Outcome(-int(signal.SIGALRM), "", f"hung past {WALL_SECONDS} s of wall time; {out[-2000:]}")
    return Outcome(done.returncode, done.stdout, done.stderr)


def assert_one_error_line(outcome: Outcome, *, match: str | None = None) -> str:
    """The child exited 1 with one line on stderr (the CLI's typed error), no traceback; returns that line."""
    assert outcome.returncode == 1, outcome.describe()
    assert len(outcome.lines) == 1, outcome.describe()
    line = outcome.lines[0]
    assert "Traceback" not in outcome.stderr and len(line) < 2000, outcome.describe()
    if match is not None:
        import re

        assert re.search(match, line), line
    return line


def hang_guard(call: Callable[[], Any], fifo: Path, *, what: str) -> Any:
    """Run `call` in a thread; still blocked after 60 s is a hang (then opening the FIFO's writer end frees the
    thread, and the test fails naming `what`). Returns what `call` returned (None if it raised)."""
    out: list[Any] = []
    worker = threading.Thread(target=lambda: out.append(call()), daemon=True)
    worker.start()
    worker.join(timeout=60)
    if worker.is_alive():
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError as exc:
            assert exc.errno == errno.ENXIO
        worker.join(timeout=10)
        pytest.fail(f"reading {what} blocked")
    return out[0] if out else None
