"""The stored edits (server/edits.py) laid over the metadata the server serves, in memory.

The embedding served is the one read (or uploaded) with its edits applied in order, so colour by, label by, search,
filters and custom axes, which read the server's metadata, see them at once. An edited column keeps its place; a
new column is text, empty ("") where no edit gave it a value, and goes when the last edit that made it is undone.
Undoing an edit computes the edited columns again from their values before any edit, which the layer holds.

A column of numbers takes numbers only (a value that is not one is refused: name a new column for text); an empty
value clears the rows (null in numbers, "" in text). Edits read from the file that no longer fit the metadata (a
column that became numbers) are skipped with a warning at start, never lost from the file.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..embedding import Embedding
from ..errors import EmbedscopeError, ParameterError
from ..metadata import check_width
from .edits import Edit, EditStore, make_edit

log = logging.getLogger(__name__)

_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
Key = tuple[str, str]  # run name, tensor name


class EditLayer:
    """Applies an embedding's stored edits to its metadata; holds the edited columns' values before any edit."""

    def __init__(self, store: EditStore) -> None:
        self.store = store
        self._before: dict[Key, dict[str, pa.ChunkedArray | None]] = {}  # None: a column the edits made

    def lay_all(self, runs: Mapping[str, dict[str, Embedding]]) -> None:
        """Lay the stored edits over every embedding as read (at start: edits survive a restart)."""
        every = self.store.every()
        for rname, tensors in runs.items():
            for tname, emb in list(tensors.items()):
                edits = every.get((rname, tname, len(emb)), [])
                self._before.pop((rname, tname), None)
                if edits:
                    tensors[tname] = self._lay(rname, tname, emb, edits)

    def fresh(self, rname: str, tname: str, emb: Embedding) -> Embedding:
        """`emb`, just read again or given new metadata (no edit in it), with its stored edits laid over."""
        self._before.pop((rname, tname), None)
        edits = self.store.edits(rname, tname, len(emb))
        return self._lay(rname, tname, emb, edits) if edits else emb

    def columns_set(self, rname: str, tname: str, emb: Embedding, names: list[str]) -> Embedding:
        """`emb`, whose columns `names` were just given new values (a comparison, clusters): those are now the
        columns' values before any edit, and the stored edits of those columns are laid over them again (else the
        next tag would bring back the values they had before)."""
        before = self._before.get((rname, tname))
        if not before or not any(name in before for name in names):
            return emb
        for name in names:
            before.pop(name, None)
        edits = self.store.edits(rname, tname, len(emb))
        return self._lay(rname, tname, emb, edits) if edits else emb

    def tag(self, rname: str, tname: str, emb: Embedding, *, column: str, value: str, rows: Any) -> Embedding:
        """Give `value` to `column` at `rows`, kept in the store: `emb` with it (ParameterError when it cannot be)."""
        edit = make_edit(column, value, rows, n=len(emb))
        table = emb.metadata
        if table is not None and column in table.column_names:
            _scalar(table.column(column).type, value, column)  # refused before it is kept
        else:
            check_width((0 if table is None else table.num_columns) + 1)
        edits = self.store.add(rname, tname, len(emb), edit)
        return self._lay(rname, tname, emb, edits)

    def undo(self, rname: str, tname: str, emb: Embedding) -> tuple[Edit, Embedding]:
        """Forget the last edit: (that edit, `emb` without it)."""
        last, edits = self.store.pop(rname, tname, len(emb))
        return last, self._lay(rname, tname, emb, edits)

    def _lay(self, rname: str, tname: str, emb: Embedding, edits: list[Edit]) -> Embedding:
        """`emb` with `edits` applied to the values its edited columns had before any edit (a new edit was checked
        against the column before it was kept; an older one that does not fit is skipped with a warning)."""
        n = len(emb)
        table = emb.metadata
        before = self._before.setdefault((rname, tname), {})
        touched = list(dict.fromkeys(e.column for e in edits))
        for column in touched:
            if column not in before:
                before[column] = table.column(column) if table is not None and column in table.column_names else None
        restored = {c: before.pop(c) for c in list(before) if c not in touched}
        columns: dict[str, pa.ChunkedArray | None] = dict(restored)
        for column in touched:
            original = before[column]
            values: pa.ChunkedArray = original if original is not None else _empty_text(n)
            for edit in (e for e in edits if e.column == column):
                try:
                    values = _applied(values, edit, n)
                except EmbedscopeError as exc:
                    log.warning("%r: the tag %r of column %r (%s) is not applied: %s", tname, edit.value, column,
                                edit.created, exc.message)  # fmt: skip
            columns[column] = values
        if not before:
            self._before.pop((rname, tname), None)
        new = emb.with_metadata(_with_columns(table, columns), label_column=emb.label_column)
        new.label_column = emb.label_column  # none stays none
        return new


def _empty_text(n: int) -> pa.ChunkedArray:
    return pa.chunked_array([pc.fill_null(pa.nulls(n, pa.string()), "")])


def _applied(values: pa.ChunkedArray, edit: Edit, n: int) -> pa.ChunkedArray:
    """`values` with `edit.value` at `edit.rows`."""
    if pa.types.is_dictionary(values.type) or pa.types.is_null(values.type):
        values = values.cast(pa.string())
    scalar = _scalar(values.type, edit.value, edit.column)
    if scalar.type != values.type:
        values = values.cast(scalar.type)  # an integer column given a fraction holds floats from then on
    mask = np.zeros(n, dtype=bool)
    mask[edit.rows] = True
    out = pc.if_else(pa.array(mask), scalar, values)
    return out if isinstance(out, pa.ChunkedArray) else pa.chunked_array([out])


def _scalar(dtype: pa.DataType, value: str, column: str) -> pa.Scalar:
    """`value` as a value of a column of type `dtype` (text, or numbers); ParameterError when it cannot be one."""
    if pa.types.is_dictionary(dtype):
        dtype = dtype.value_type
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype) or pa.types.is_null(dtype):
        return pa.scalar(value, pa.large_string() if pa.types.is_large_string(dtype) else pa.string())
    if not (pa.types.is_integer(dtype) or pa.types.is_floating(dtype)):
        raise ParameterError(
            f"column `{column}` holds {dtype} values, which tags cannot change",
            field="column",
            fix="tag a column of text or numbers, or name a new column",
        )
    number = _number(value, column)
    if number is None:
        return pa.scalar(None, pa.int64() if pa.types.is_integer(dtype) else dtype)
    if isinstance(number, int) and pa.types.is_integer(dtype):
        return pa.scalar(number, pa.int64())
    return pa.scalar(float(number), dtype if pa.types.is_floating(dtype) else pa.float64())


def _number(value: str, column: str) -> int | float | None:
    """A tag's value in a column of numbers: an integer, a finite number, or None (empty: no value)."""
    text = value.strip()
    if text == "":
        return None
    if _INT.fullmatch(text) and -(2**63) <= int(text) < 2**63:
        return int(text)
    if _FLOAT.fullmatch(text) and math.isfinite(float(text)):
        return float(text)
    raise ParameterError(
        f"column `{column}` holds numbers, and {value!r} is not a number",
        field="value",
        fix="tag it with a number such as 3 or 0.5, or name a new column for text",
    )


def _with_columns(table: pa.Table | None, columns: Mapping[str, pa.ChunkedArray | None]) -> pa.Table | None:
    """`table` with these columns in place (a new one last; None: the column goes), None when none is left."""
    for name, values in columns.items():
        at = -1 if table is None else table.schema.get_field_index(name)
        if values is None:
            if at >= 0 and table is not None:
                table = table.remove_column(at)
        elif table is None:
            table = pa.table({name: values})
        elif at >= 0:
            table = table.set_column(at, name, values)
        else:
            table = table.append_column(name, values)
    return table if table is not None and table.num_columns else None
