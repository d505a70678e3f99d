"""Which widgets show() made, and where from: a cell run again releases the widgets of its earlier run.

Each widget is filed under a key, the place it was shown from, and a run:
- in IPython (a Jupyter kernel), the key is the calling cell: its id, which JupyterLab and Notebook 7 send
  with every execution, or else the cell's code (ipykernel names a cell's code after its text); the run is the
  execution request. A cell that shows several widgets keeps them all; running it again releases them.
- `show(..., key=...)` files the widget under that key, each call a run of its own: a new show() with the same key
  releases the one before, from any cell.
- elsewhere (a script, a plain Python prompt) nothing is run again and nothing is released unless a key is given.

Releasing a widget closes it: its server stops, its comm closes (the front end removes its view). Widgets are held
weakly: the registry keeps none alive.
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections.abc import Hashable
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any

from ..errors import ParameterError

if TYPE_CHECKING:
    from .widget import ProjectorWidget

_lock = threading.Lock()
_filed: dict[Hashable, list[tuple[Hashable, weakref.ref[ProjectorWidget]]]] = {}
_made: weakref.WeakSet[ProjectorWidget] = weakref.WeakSet()


@dataclass(frozen=True)
class Place:
    """Where a show() call comes from: `key` (None: not filed) and `run` (calls of one run keep each other)."""

    key: Hashable | None
    run: Hashable = field(default_factory=object)


def place(key: str | None = None) -> Place:
    """The Place of the show() call running now: the given key, else the calling cell in IPython, else none."""
    if key is not None:
        if not isinstance(key, str):
            raise ParameterError(f"`key` must be a string, got {type(key).__name__} {key!r}", field="key")
        return Place(("key", key))
    shell = _shell()
    if shell is None:
        return Place(None)
    request = _request(shell)
    header = request.get("header") or {}
    metadata = request.get("metadata") or {}
    run = header.get("msg_id") or ("execution", getattr(shell, "execution_count", None))
    cell = metadata.get("cellId") or metadata.get("cell_id")
    if cell:
        return Place(("cell", str(cell)), run)
    code = _cell_code(shell)
    return Place(None if code is None else ("code", code), run)


def release(where: Place) -> None:
    """Close the widgets shown from `where` by an earlier run (before the new one starts its server)."""
    if where.key is None:
        return
    with _lock:
        earlier = _filed.get(where.key, [])
        _filed[where.key] = [(run, ref) for run, ref in earlier if run == where.run and ref() is not None]
        released = [ref() for run, ref in earlier if run != where.run]
    for old in released:
        if old is not None:
            old.close()


def file(where: Place, widget: ProjectorWidget) -> None:
    """Remember `widget` as shown from `where`."""
    with _lock:
        _made.add(widget)
        if where.key is not None:
            _filed.setdefault(where.key, []).append((where.run, weakref.ref(widget)))


def live() -> list[ProjectorWidget]:
    """The widgets whose server still runs."""
    with _lock:
        return [w for w in list(_made) if w.running]


def _shell() -> Any:
    """The running IPython shell, or None (IPython is only looked at when something imported it already)."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    return get_ipython() if callable(get_ipython) else None


def _request(shell: Any) -> dict[str, Any]:
    """The message the kernel is answering now (an execute_request from a cell), or {}."""
    get_parent = getattr(getattr(shell, "kernel", None), "get_parent", None)
    parent: Any = None
    if callable(get_parent):
        try:
            parent = get_parent()  # ipykernel >= 6
        except Exception:  # another kernel's idea of get_parent: fall back to the shell's
            parent = None
    if not parent:
        parent = getattr(shell, "parent_header", None)
    return parent if isinstance(parent, dict) else {}


def _cell_code(shell: Any) -> str | None:
    """The file name of the cell's code that called show(): the outermost frame run in the notebook's namespace."""
    namespace = getattr(shell, "user_ns", None)
    found: str | None = None
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if namespace is not None and frame.f_globals is namespace:
            found = frame.f_code.co_filename
        frame = frame.f_back
    return found
