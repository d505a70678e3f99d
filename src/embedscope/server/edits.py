"""Users' edits of metadata (the inspector's "Tag selection as"), kept in one JSON file in the server's state folder.

The file is `{"version": 1, "embeddings": [{"run", "tensor", "rows", "edits": [{"column", "value", "rows",
"created"}, ...]}, ...]}`, one embedding a line. An embedding's edits are known by its run's and tensor's names and
its row count, so a file replaced by one of another size never receives the edits made for the old one (they wait,
kept, for it to come back). Each edit gives `value` to `column` (a metadata column, or a new one) at the rows listed
(sorted, each once), in the order they were made: undo takes the last. The user's input files are never written.

Read and written as state_files.py reads and writes the server's state (a crash leaves the old file or the new one;
a file that cannot be read is moved aside with a warning, never overwritten or waited on). An entry or an edit that
could not have been saved (a name, a value or rows out of bounds) is skipped with a warning; the next change keeps
the file as it was beside the new one (`edits.json.damaged-<time>`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..errors import EmbedscopeError, NotFoundError, ParameterError, PayloadTooLargeError
from .state_files import read_document, save_document

log = logging.getLogger(__name__)

FILENAME = "edits.json"
VERSION = 1
MAX_COLUMN = 200  # characters of a column's name
MAX_VALUE = 1000  # characters of a value
MAX_ROWS = 1_000_000  # rows one edit gives its value to
MAX_EDITS = 1000  # edits kept for one embedding
MAX_EMBEDDINGS = 1000  # embeddings with edits
MAX_FILE_BYTES = 64 * 1024 * 1024  # the file, as written; a larger one read is moved aside
UNDO_FIX = "undo tags you no longer need, or download the metadata and serve that file instead"


@dataclass(frozen=True)
class Edit:
    """`value` given to `column` at `rows` (sorted, each once)."""

    column: str
    value: str
    rows: np.ndarray
    created: str

    def as_dict(self) -> dict[str, Any]:
        return {"column": self.column, "value": self.value, "rows": self.rows.tolist(), "created": self.created}


def check_column(name: Any) -> str:
    """A column's name: 1 to MAX_COLUMN printable characters (no tab or line break: TSV holds it), no space at
    either end."""
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_COLUMN:
        raise ParameterError(f"a column name has 1 to {MAX_COLUMN} characters, not only spaces", field="column")
    if name != name.strip():
        raise ParameterError(
            f"a column name may not start or end with a space: {name!r}", field="column", fix=f"use {name.strip()!r}"
        )
    _printable(name, "a column name", "column")
    return name


def check_value(value: Any) -> str:
    """A value: at most MAX_VALUE printable characters (empty clears the rows' value)."""
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        raise ParameterError(f"a value is text of at most {MAX_VALUE} characters", field="value")
    _printable(value, "a value", "value")
    return value


_REFUSED = frozenset(("Cc", "Cs", "Zl", "Zp"))  # controls (tab, line breaks), lone surrogates, line/paragraph breaks


def _printable(text: str, what: str, field: str) -> None:
    """Refuse what a TSV line cannot hold; other characters (a no-break or ideographic space, the zero-width joiners
    of emoji and of Persian words, direction marks) are text like any."""
    bad = next((ch for ch in text if unicodedata.category(ch) in _REFUSED), None)
    if bad is not None:
        raise ParameterError(
            f"{what} may not contain {bad!r}", field=field, fix="use printable characters (a TSV cannot hold tabs)"
        )


def check_rows(rows: Any, n: int) -> np.ndarray:
    """The rows of an edit of an embedding of `n` rows, sorted and each once: 1 to MAX_ROWS of them, in 0..n-1."""
    if not isinstance(rows, list | tuple | np.ndarray) or len(rows) == 0:
        raise ParameterError("an edit needs the rows it changes", field="rows", fix="select some points first")
    if len(rows) > MAX_ROWS:
        raise PayloadTooLargeError(
            f"an edit changes at most {MAX_ROWS:,} rows, {len(rows):,} were given", field="rows", fix="tag fewer rows"
        )
    if not isinstance(rows, np.ndarray) and not all(type(r) is int for r in rows):
        raise ParameterError("rows are whole numbers", field="rows")
    try:
        out = np.unique(np.asarray(rows, dtype=np.int64))
    except (OverflowError, ValueError, TypeError):
        raise ParameterError("rows are whole numbers", field="rows") from None
    bad = out[(out < 0) | (out >= n)]
    if len(bad):
        raise ParameterError(
            f"row {int(bad[0])} is not a row of this embedding, which has {n:,} rows (0 to {n - 1:,})", field="rows"
        )
    return out


def make_edit(column: Any, value: Any, rows: Any, *, n: int) -> Edit:
    """An edit of an embedding of `n` rows, checked (ParameterError, PayloadTooLargeError when out of bounds)."""
    return Edit(check_column(column), check_value(value), check_rows(rows, n), _now())


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


Key = tuple[str, str, int]  # run name, tensor name, rows


class _Loaded(NamedTuple):
    entries: dict[Key, list[Edit]]  # in the file's order
    skipped: list[str]  # why each damaged entry or edit of the file is not served
    raw: bytes  # the file as read (kept aside before a change when something was skipped)


class EditStore:
    """Edits in `folder/edits.json`; methods are safe to call from several threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / FILENAME
        self._lock = threading.Lock()

    def every(self) -> dict[Key, list[Edit]]:
        """Every embedding's edits (the server lays them over the metadata it reads)."""
        with self._lock:
            return self._load().entries

    def edits(self, run: str, tensor: str, rows: int) -> list[Edit]:
        """The edits of one embedding, oldest first."""
        with self._lock:
            return self._load().entries.get((run, tensor, rows), [])

    def add(self, run: str, tensor: str, rows: int, edit: Edit) -> list[Edit]:
        """Keep `edit` as the embedding's last; its edits now."""
        with self._lock:
            loaded = self._load()
            key = (run, tensor, rows)
            mine = loaded.entries.get(key, [])
            if len(mine) >= MAX_EDITS:
                raise PayloadTooLargeError(
                    f"the server keeps at most {MAX_EDITS:,} tags of one embedding", field="rows", fix=UNDO_FIX
                )
            if not mine and len(loaded.entries) >= MAX_EMBEDDINGS:
                raise PayloadTooLargeError(
                    f"the server keeps the tags of at most {MAX_EMBEDDINGS:,} embeddings",
                    field="rows",
                    fix=f"remove {self.path} once you have downloaded the metadata you tagged",
                )
            loaded.entries[key] = [*mine, edit]
            self._write(loaded)
            return loaded.entries[key]

    def pop(self, run: str, tensor: str, rows: int) -> tuple[Edit, list[Edit]]:
        """Forget the embedding's last edit: (that edit, the edits left)."""
        with self._lock:
            loaded = self._load()
            key = (run, tensor, rows)
            mine = loaded.entries.get(key, [])
            if not mine:
                raise NotFoundError("there is no tag to undo", fix="tag a selection first")
            last, left = mine[-1], mine[:-1]
            if left:
                loaded.entries[key] = left
            else:
                del loaded.entries[key]
            self._write(loaded)
            return last, left

    # -- the file --------------------------------------------------------------------------------------------
    def _load(self) -> _Loaded:
        found = read_document(self.path, key="embeddings", kind=list, what="edits file", limit=MAX_FILE_BYTES)
        if found is None:
            return _Loaded({}, [], b"")
        items, raw = found
        entries: dict[Key, list[Edit]] = {}
        skipped: list[str] = []
        for number, item in enumerate(items, start=1):
            try:
                key, edits = _entry(item, entries, skipped, number)
            except (EmbedscopeError, ValueError) as exc:
                reason = exc.message if isinstance(exc, EmbedscopeError) else str(exc)
                skipped.append(f"{FILENAME} entry {number}: {reason}")
                continue
            if edits:
                entries[key] = edits
        for reason in skipped:
            log.warning("%s: edit skipped, not applied: %s", self.path, reason)
        return _Loaded(entries, skipped, raw if skipped else b"")

    def _write(self, loaded: _Loaded) -> None:
        lines = [
            json.dumps(
                {"run": r, "tensor": t, "rows": n, "edits": [e.as_dict() for e in edits]},
                ensure_ascii=False,
                separators=(",", ":"),
            )
            for (r, t, n), edits in loaded.entries.items()
        ]
        body = ",\n".join(lines)
        data = f'{{"version":{VERSION},"embeddings":[\n{body}\n]}}\n'.encode()
        if len(data) > MAX_FILE_BYTES:
            raise PayloadTooLargeError(
                f"the tags would take {len(data):,} bytes, over the limit of {MAX_FILE_BYTES:,}",
                field="rows",
                fix=UNDO_FIX,
            )
        damaged = loaded.raw if loaded.skipped else None  # the file as it was, damaged entries and all, kept beside
        save_document(self.path, data, what="the tags", damaged=damaged, skipped=len(loaded.skipped), entries="edit(s)")


def _entry(item: Any, seen: dict[Key, list[Edit]], skipped: list[str], number: int) -> tuple[Key, list[Edit]]:
    """One embedding's entry of the file: its key and the edits that can be applied (the others listed in
    `skipped`); ValueError when the entry itself cannot be one."""
    if not isinstance(item, dict):
        raise ValueError(f"a JSON {type(item).__name__}, not an embedding's edits")
    run, tensor, rows, edits = (item.get(k) for k in ("run", "tensor", "rows", "edits"))
    if not isinstance(run, str) or not isinstance(tensor, str):
        raise ValueError("its `run` and `tensor` are not both names (text)")
    if type(rows) is not int or rows < 1 or not isinstance(edits, list):
        raise ValueError("its `rows` is not a row count, or its `edits` not a list")
    key = (run, tensor, rows)
    if key in seen:
        raise ValueError(f"a second entry for {tensor!r} of run {run!r}")
    good: list[Edit] = []
    for at, edit in enumerate(edits[:MAX_EDITS], start=1):
        try:
            if not isinstance(edit, dict) or not isinstance(edit.get("created"), str):
                raise ValueError("not an edit (column, value, rows, created)")
            checked = make_edit(edit.get("column"), edit.get("value"), edit.get("rows"), n=rows)
            good.append(Edit(checked.column, checked.value, checked.rows, edit["created"]))
        except (EmbedscopeError, ValueError) as exc:
            reason = exc.message if isinstance(exc, EmbedscopeError) else str(exc)
            skipped.append(f"{FILENAME} entry {number} ({tensor!r:.60}), edit {at}: {reason}")
    if len(edits) > MAX_EDITS:
        skipped.append(f"{FILENAME} entry {number} ({tensor!r:.60}): edits past the first {MAX_EDITS:,}")
    return key, good
