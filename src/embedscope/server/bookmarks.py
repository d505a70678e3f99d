"""Named page states (bookmarks), kept in one JSON file in the server's state folder.

The file is `{"version": 1, "bookmarks": [{"name", "state", "created", "updated"}, ...]}`, compact, one bookmark a
line, read and written as state_files.py reads and writes the server's state (a crash leaves the old file or the
new one, never a torn one). Nothing saved is lost:
- a file that cannot be read (not JSON, not a regular file in the state folder: a FIFO, a device, a link leading
  out) is moved aside (`bookmarks.json.unreadable-<time>`) with a warning, never overwritten or waited on;
- an entry that could not have been saved (a state nested too deep, a name or a date of the wrong kind, text that
  is not text) is skipped with a warning and listed in `skipped`; the next change keeps the file as it was beside
  the new one (`bookmarks.json.damaged-<time>`).
A state is checked before it is saved (nesting, size, numbers JSON has), and the store has a count and a size.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import (
    ConflictError,
    EmbedscopeError,
    NotFoundError,
    ParameterError,
    PayloadTooLargeError,
)
from .state_files import read_document, save_document

log = logging.getLogger(__name__)

FILENAME = "bookmarks.json"
VERSION = 1
MAX_NAME = 200
MAX_DEPTH = 64  # nested objects and arrays in one state (the page's go 3 deep; JSON encoders stop near 255)
MAX_STATE_BYTES = 4 * 1024 * 1024  # one state, as JSON: a selection and an isolated set of 200k points each
MAX_COUNT = 1000  # bookmarks in the store
MAX_TOTAL_BYTES = 64 * 1024 * 1024  # the whole file, as saved
MAX_FILE_BYTES = 4 * MAX_TOTAL_BYTES  # a file read (older servers wrote indented JSON); a larger one is moved aside
# 1 to 200 characters, no control characters, no `/` or `\`, not only spaces, not "." or ".." (the schema says so too)
_FREE = r"[^\x00-\x1f\x7f-\x9f/\\]"
NAME_PATTERN = rf"^(?!\.{{1,2}}$){_FREE}*[^\s\x00-\x1f\x7f-\x9f/\\]{_FREE}*$"
_NAME = re.compile(NAME_PATTERN)


def check_name(name: str, *, field: str = "name") -> str:
    """A bookmark name: NAME_PATTERN, at most MAX_NAME characters, encodable as UTF-8."""
    if not isinstance(name, str):
        raise ParameterError(f"a bookmark name is text, got {type(name).__name__}", field=field)
    if not name.strip() or len(name) > MAX_NAME:
        raise ParameterError(f"a bookmark name has 1 to {MAX_NAME} characters, got {len(name)}", field=field)
    if not _NAME.match(name):
        bad = next((ch for ch in name if ch in "/\\" or not ch.isprintable()), None)
        raise ParameterError(
            f"a bookmark name may not be {name!r}" if bad is None else f"a bookmark name may not contain {bad!r}",
            field=field,
            fix="use letters, digits, spaces, punctuation (no control characters, `/` or `\\`)",
        )
    _encoded(name, field=field)
    return name


def check_state(state: Any, *, field: str = "state") -> bytes:
    """A bookmark's state as compact UTF-8 JSON; refused when nested too deep, too large, or not JSON text."""
    depth = _depth(state, MAX_DEPTH)
    if depth > MAX_DEPTH:
        raise ParameterError(
            f"a bookmark's state may be nested {MAX_DEPTH} deep, this one is nested deeper",
            field=field,
            fix="save the page's state as the page makes it",
        )
    data = _encoded(state, field=field)
    if len(data) > MAX_STATE_BYTES:
        raise PayloadTooLargeError(
            f"a bookmark's state is {len(data):,} bytes, over the limit of {MAX_STATE_BYTES:,}",
            field=field,
            fix="save a smaller selection",
        )
    return data


def _depth(value: Any, limit: int) -> int:
    """How deep objects and arrays nest in `value` (0 for a number or a string); stops counting past `limit`."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def _encoded(value: Any, *, field: str) -> bytes:
    """`value` as compact UTF-8 JSON; a lone surrogate (valid JSON, not valid text) or NaN/Infinity is refused."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParameterError(
            f"`{field}` holds a lone surrogate {exc.object[exc.start : exc.end]!r}, which is not text", field=field
        ) from None
    except ValueError:
        raise ParameterError(
            f"`{field}` holds a number JSON has not (NaN or Infinity)", field=field, fix="use null or a finite number"
        ) from None


def _problem(item: Any, seen: set[str]) -> str | None:
    """Why an entry of the file cannot be served (None: it can)."""
    if not isinstance(item, dict):
        return f"a JSON {type(item).__name__}, not a bookmark object"
    try:
        check_name(item.get("name"))  # type: ignore[arg-type]
        check_state(item.get("state"))
    except EmbedscopeError as exc:
        return exc.message
    if not all(isinstance(item.get(key), str) for key in ("created", "updated")):
        return "its `created` and `updated` are not both dates (text)"
    if item["name"] in seen:
        return f"a second bookmark named {item['name']!r}"
    return None


class Listing(NamedTuple):
    bookmarks: list[dict[str, Any]]  # the entries served, in order
    skipped: list[str]  # why each damaged entry of the file is not served


class _Loaded(NamedTuple):
    items: list[dict[str, Any]]  # the entries that can be served
    skipped: list[str]
    raw: bytes  # the file as read (kept aside before a change when entries were skipped)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class BookmarkStore:
    """Bookmarks in `folder/bookmarks.json`; methods are safe to call from several threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / FILENAME
        self._lock = threading.Lock()

    # -- reading ---------------------------------------------------------------------------------------------
    def _load(self) -> _Loaded:
        found = read_document(self.path, key="bookmarks", kind=list, what="bookmarks file", limit=MAX_FILE_BYTES)
        if found is None:
            return _Loaded([], [], b"")
        items, raw = found
        good: list[dict[str, Any]] = []
        skipped: list[str] = []
        for number, item in enumerate(items, start=1):
            problem = _problem(item, {b["name"] for b in good})
            if problem is None:
                good.append(item)
                continue
            name = f" ({item['name']!r:.60})" if isinstance(item, dict) and isinstance(item.get("name"), str) else ""
            skipped.append(f"{FILENAME} entry {number}{name}: {problem}")
            log.warning("%s: bookmark skipped, not served: %s", self.path, skipped[-1])
        return _Loaded(good, skipped, raw if skipped else b"")

    def listing(self) -> Listing:
        with self._lock:
            loaded = self._load()
        return Listing(loaded.items, loaded.skipped)

    def entries(self) -> list[dict[str, Any]]:
        return self.listing().bookmarks

    def get(self, name: str) -> dict[str, Any]:
        with self._lock:
            return self._find(self._load().items, name)[1]

    def _find(self, items: list[dict[str, Any]], name: str) -> tuple[int, dict[str, Any]]:
        for i, item in enumerate(items):
            if item["name"] == name:
                return i, item
        raise NotFoundError(f"no bookmark {name!r}", field="name", fix="list them with GET /api/bookmarks")

    # -- changing --------------------------------------------------------------------------------------------
    def save(self, name: str, state: Any) -> dict[str, Any]:
        """Create the bookmark, or replace the state of the one with that name."""
        check_name(name)
        check_state(state)
        with self._lock:
            loaded = self._load()
            items = loaded.items
            now = _now()
            try:
                i, old = self._find(items, name)
            except NotFoundError:
                if len(items) >= MAX_COUNT:
                    raise PayloadTooLargeError(
                        f"the server keeps at most {MAX_COUNT:,} bookmarks, and has {len(items):,}",
                        field="name",
                        fix="delete bookmarks you no longer need, or save this state under an existing name",
                    ) from None
                item = {"name": name, "state": state, "created": now, "updated": now}
                items.append(item)
            else:
                item = {**old, "state": state, "updated": now}
                items[i] = item
            data = _document(items)
            if len(data) > MAX_TOTAL_BYTES:
                raise PayloadTooLargeError(
                    f"the bookmarks would take {len(data):,} bytes, over the limit of {MAX_TOTAL_BYTES:,}",
                    field="state",
                    fix="delete bookmarks you no longer need, or save a smaller selection",
                )
            self._write(loaded, data)
            return item

    def rename(self, name: str, new_name: str) -> dict[str, Any]:
        check_name(new_name, field="new_name")
        with self._lock:
            loaded = self._load()
            items = loaded.items
            i, old = self._find(items, name)
            if new_name != name and any(b["name"] == new_name for b in items):
                raise ConflictError(f"a bookmark named {new_name!r} exists already", field="new_name")
            item = {**old, "name": new_name, "updated": _now()}
            items[i] = item
            self._write(loaded, _document(items))
            return item

    def delete(self, name: str) -> None:
        with self._lock:
            loaded = self._load()
            i, _ = self._find(loaded.items, name)
            del loaded.items[i]
            self._write(loaded, _document(loaded.items))

    def _write(self, loaded: _Loaded, data: bytes) -> None:
        damaged = loaded.raw if loaded.skipped else None  # the file as it was, damaged entries and all, kept beside
        save_document(
            self.path, data, what="the bookmarks", damaged=damaged, skipped=len(loaded.skipped), entries="bookmark(s)"
        )


def _document(items: list[dict[str, Any]]) -> bytes:
    """The file: compact JSON, one bookmark a line (entries are checked: they encode)."""
    lines = b",\n".join(_encoded(item, field="state") for item in items)
    return b'{"version":%d,"bookmarks":[\n%s\n]}\n' % (VERSION, lines)
