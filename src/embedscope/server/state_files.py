"""The server's small state files (bookmarks.json, cluster-names.json, edits.json): one JSON document each, written
whole.

A change writes a temporary file in the same folder, fsyncs it, and moves it over the old one with `os.replace`
(then fsyncs the folder), so a crash at any point leaves either the old file or the new one, never a torn one. A
file that cannot be read (not a regular file in the state folder: a FIFO, a device, a link leading out; too large;
not JSON of the expected shape) is moved aside (`<name>.unreadable-<time>`) with a warning, never overwritten or
waited on.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from ..errors import EmbedscopeError, NotFoundError, StorageError
from ..files import read_regular

log = logging.getLogger(__name__)


def read_document(path: Path, *, key: str, kind: type, what: str, limit: int) -> tuple[Any, bytes] | None:
    """`path`'s JSON document's `key` (a `kind`) and the file's bytes; None when there is no file, or when it cannot
    be read: then it is moved aside with a warning."""
    try:
        raw = read_regular(path, root=path.parent, what=what, limit=limit)
        value = json.loads(raw)[key]
        if not isinstance(value, kind):
            raise ValueError(f"`{key}` is not a {kind.__name__}")
    except NotFoundError:
        return None
    except (EmbedscopeError, ValueError, KeyError, TypeError, RecursionError) as exc:
        reason = exc.message if isinstance(exc, EmbedscopeError) else str(exc)
        aside = aside_path(path, "unreadable")
        log.warning("%s is unreadable (%s): moved to %s, starting with an empty %s", path, reason, aside, what)
        with suppress(OSError):
            os.replace(path, aside)
        return None
    return value, raw


def aside_path(path: Path, why: str) -> Path:
    """A free name beside the file: `<name>.<why>-<time>[-n]` (an earlier one is never replaced)."""
    stem = f"{path.name}.{why}-{int(time.time())}"
    out, n = path.parent / stem, 1
    while os.path.lexists(out):
        out, n = path.parent / f"{stem}-{n}", n + 1
    return out


def save_document(
    path: Path, data: bytes, *, what: str, damaged: bytes | None = None, skipped: int = 0, entries: str = "entries"
) -> None:
    """Write a state file's new content (`what` names it in the error: "the bookmarks"); with `damaged`, the file as
    it was (holding `skipped` `entries` that could not be used) is first kept beside it. An unwritable state folder
    is a StorageError saying how to choose another."""
    try:
        if damaged is not None:
            aside = aside_path(path, "damaged")
            write_atomic(aside, damaged)
            log.warning("%s: the %d %s not used are kept in %s", path, skipped, entries, aside)
        write_atomic(path, data)
    except OSError as exc:
        raise StorageError(
            f"cannot save {what}: {exc.strerror or exc}",
            path=path.parent,
            fix="start the server with --state-dir pointing to a writable folder",
        ) from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a crash leaves either the old content or the new, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
