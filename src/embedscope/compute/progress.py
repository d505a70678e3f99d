"""Progress reports and cancellation for long computations (t-SNE, UMAP, k-NN graphs).

A computation takes ``progress`` (a callable receiving Progress) and ``cancel`` (a CancelToken). It calls
``cancel.check()`` between steps: that blocks while paused and raises Cancelled once cancelled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import EmbedscopeError


class Cancelled(EmbedscopeError):
    """The computation was cancelled through its CancelToken."""

    status = 409
    kind = "cancelled"


@dataclass(frozen=True)
class Progress:
    """One report: what stage, how far (0..1 when known), the iteration, and intermediate coordinates if any."""

    stage: str
    fraction: float | None = None
    iteration: int | None = None
    total: int | None = None
    coords: np.ndarray | None = None
    message: str = ""
    final: bool = False  # `coords` are the finished layout (sent before the quality figure is measured)


ProgressCallback = Callable[[Progress], None]


class CancelToken:
    """Cancel, pause and resume a running computation from another thread."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._lock = threading.Lock()
        self._perturb_asked = 0  # perturbations asked for and not yet made
        self.perturbed = 0  # perturbations made (t-SNE: the layout nudged by noise, then optimised on)

    def cancel(self) -> None:
        self._cancelled.set()
        self._running.set()  # wake a paused computation so it can stop

    def pause(self) -> None:
        if not self._cancelled.is_set():
            self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def perturb(self) -> None:
        """Ask a running t-SNE to nudge its layout with small noise and go on from there (TensorBoard's Perturb)."""
        with self._lock:
            self._perturb_asked += 1

    def take_perturb(self) -> bool:
        """Whether a perturbation was asked for (the optimisation makes it and counts it)."""
        with self._lock:
            if self._perturb_asked == 0:
                return False
            self._perturb_asked -= 1
            self.perturbed += 1
            return True

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def check(self) -> None:
        """Block while paused; raise Cancelled once cancelled."""
        self._running.wait()
        if self._cancelled.is_set():
            raise Cancelled("the computation was cancelled")


def report(progress: ProgressCallback | None, item: Progress) -> None:
    if progress is not None:
        progress(item)


def check(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.check()
