"""Named page states (bookmarks), kept in one JSON file in the server's state folder.

The file is `{"version": 1, "bookmarks": [{"name", "state", "created", "updated"}, ...]}`. Every change writes a
temporary file in the same folder, fsyncs it, and moves it over the old one with `os.replace` (then fsyncs the
folder), so a crash at any point leaves either the old file or the new one, never a torn one. A file that
cannot be read is moved aside (`bookmarks.json.unreadable-<time>`) with a warning, never overwritten.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from ..errors import ConflictError, NotFoundError, ParameterError, PayloadTooLargeError, StorageError

log = logging.getLogger(__name__)

FILENAME = "bookmarks.json"
VERSION = 1
MAX_NAME = 200
MAX_STATE_BYTES = 4 * 1024 * 1024  # one bookmark's state document, as JSON
# 1 to 200 characters, no control characters, no `/` or `\`, not only spaces, not "." or ".." (the schema says so too)
_FREE = r"[^\x00-\x1f\x7f-\x9f/\\]"
NAME_PATTERN = rf"^(?!\.{{1,2}}$){_FREE}*[^\s\x00-\x1f\x7f-\x9f/\\]{_FREE}*$"
_NAME = re.compile(NAME_PATTERN)


def check_name(name: str, *, field: str = "name") -> str:
    """A bookmark name: NAME_PATTERN, at most MAX_NAME characters, encodable as UTF-8."""
    if not name.strip() or len(name) > MAX_NAME:
        raise ParameterError(f"a bookmark name has 1 to {MAX_NAME} characters, got {len(name)}", field=field)
    if not _NAME.match(name):
        bad = next((ch for ch in name if ch in "/\\" or not ch.isprintable()), None)
        raise ParameterError(
            f"a bookmark name may not be {name!r}" if bad is None else f"a bookmark name may not contain {bad!r}",
            field=field,
            fix="use letters, digits, spaces, punctuation (no control characters, `/` or `\\`)",
        )
    _check_text(name, field=field)
    return name


def _check_text(value: Any, *, field: str) -> int:
    """Size in bytes of `value` as UTF-8 JSON; a lone surrogate (valid JSON, not valid text) is refused."""
    try:
        return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise ParameterError(
            f"`{field}` holds a lone surrogate {exc.object[exc.start : exc.end]!r}, which is not text", field=field
        ) from None


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class BookmarkStore:
    """Bookmarks in `folder/bookmarks.json`; methods are safe to call from several threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / FILENAME
        self._lock = threading.Lock()

    # -- reading ---------------------------------------------------------------------------------------------
    def _load(self) -> list[dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            raise StorageError(f"cannot read the bookmarks: {exc.strerror}", path=self.path) from None
        try:
            doc = json.loads(text)
            items = doc["bookmarks"]
            if not isinstance(items, list) or not all(isinstance(b, dict) and "name" in b for b in items):
                raise ValueError("bookmarks is not a list of named states")
        except (ValueError, KeyError, TypeError) as exc:
            aside = self.path.with_name(f"{FILENAME}.unreadable-{int(time.time())}")
            log.warning("%s is unreadable (%s): moved to %s, starting with no bookmarks", self.path, exc, aside)
            with suppress(OSError):
                os.replace(self.path, aside)
            return []
        return items

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return self._load()

    def get(self, name: str) -> dict[str, Any]:
        with self._lock:
            return self._find(self._load(), name)[1]

    def _find(self, items: list[dict[str, Any]], name: str) -> tuple[int, dict[str, Any]]:
        for i, item in enumerate(items):
            if item["name"] == name:
                return i, item
        raise NotFoundError(f"no bookmark {name!r}", field="name", fix="list them with GET /api/bookmarks")

    # -- changing --------------------------------------------------------------------------------------------
    def save(self, name: str, state: Any) -> dict[str, Any]:
        """Create the bookmark, or replace the state of the one with that name."""
        check_name(name)
        size = _check_text(state, field="state")
        if size > MAX_STATE_BYTES:
            raise PayloadTooLargeError(
                f"a bookmark's state is {size:,} bytes, over the limit of {MAX_STATE_BYTES:,}", field="state"
            )
        with self._lock:
            items = self._load()
            now = _now()
            try:
                i, old = self._find(items, name)
            except NotFoundError:
                item = {"name": name, "state": state, "created": now, "updated": now}
                items.append(item)
            else:
                item = {**old, "state": state, "updated": now}
                items[i] = item
            self._write(items)
            return item

    def rename(self, name: str, new_name: str) -> dict[str, Any]:
        check_name(new_name, field="new_name")
        with self._lock:
            items = self._load()
            i, old = self._find(items, name)
            if new_name != name and any(b["name"] == new_name for b in items):
                raise ConflictError(f"a bookmark named {new_name!r} exists already", field="new_name")
            item = {**old, "name": new_name, "updated": _now()}
            items[i] = item
            self._write(items)
            return item

    def delete(self, name: str) -> None:
        with self._lock:
            items = self._load()
            i, _ = self._find(items, name)
            del items[i]
            self._write(items)

    def _write(self, items: list[dict[str, Any]]) -> None:
        data = json.dumps({"version": VERSION, "bookmarks": items}, ensure_ascii=False, indent=1).encode("utf-8")
        try:
            write_atomic(self.path, data)
        except OSError as exc:
            raise StorageError(
                f"cannot save the bookmarks: {exc.strerror or exc}",
                path=self.folder,
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
