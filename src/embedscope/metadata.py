"""Metadata tables: row i belongs to vector i; a column is numeric when every non-empty value is a number.

metadata_table() makes one from what Python code gives (labels, columns, DataFrames)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import MetadataError, ParameterError

MAX_COLUMNS = 10_000  # metadata columns: each one costs a typed Arrow array, so a header of millions must not


def check_width(count: int, *, path: str | PathLike[str] | None = None, line: int | None = None) -> None:
    """Refuse metadata of more than MAX_COLUMNS columns before a column is built."""
    if count > MAX_COLUMNS:
        raise MetadataError(
            f"expected at most {MAX_COLUMNS:,} metadata columns, found {count:,}",
            path=path,
            line=line,
            fix="keep the columns you want to see (or check that the file is the metadata you meant)",
        )


def column_kind(dtype: pa.DataType) -> str:
    """ "numeric" or "string" (the two kinds metadata columns have), else the Arrow type's name."""
    if pa.types.is_integer(dtype) or pa.types.is_floating(dtype):
        return "numeric"
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "string"
    return str(dtype)


def typed_column(values: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pa.Array | pa.ChunkedArray:
    """Turn a column of strings into int64 or float64 when every non-empty value is a number.

    Empty strings become nulls in a numeric column and stay empty strings in a string column.
    """
    arr = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values, type=pa.string())
    if column_kind(arr.type) != "string":
        return arr
    stripped = pc.utf8_trim_whitespace(arr)
    blank = pc.or_kleene(pc.is_null(stripped), pc.equal(stripped, ""))
    candidates = pc.if_else(blank, pa.scalar(None, arr.type), stripped)
    if pc.all(blank).as_py() is not False:
        return arr  # nothing but blanks: keep as text
    for target in (pa.int64(), pa.float64()):
        try:
            cast = pc.cast(candidates, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        if target == pa.float64():
            lowered = pc.utf8_lower(candidates)
            if pc.any(pc.is_in(lowered, pa.array(["nan", "inf", "-inf", "+inf", "infinity"]))).as_py():
                return arr  # words such as "nan" and "inf" are labels, not numbers
        return cast
    return arr


def typed_table(columns: Mapping[str, Sequence[str | None] | pa.Array]) -> pa.Table:
    """Build a metadata table from string columns, typing each one."""
    return pa.table({name: typed_column(values) for name, values in columns.items()})


def check_rows(table: pa.Table | None, n: int, *, path: str | None = None) -> None:
    """Raise unless the table has exactly one row per vector."""
    if table is not None and table.num_rows != n:
        raise MetadataError(
            f"metadata has {table.num_rows:,} rows for {n:,} vectors",
            path=path,
            fix="give one metadata row per vector, in the same order",
        )


def default_label_column(table: pa.Table | None) -> str | None:
    """The column the projector labels points by: a label-like name if there is one, else the first string column."""
    if table is None or table.num_columns == 0:
        return None
    names = table.column_names
    for preferred in ("label", "word", "token", "name", "title"):
        for name in names:
            if name.lower() == preferred:
                return name
    for name in names:
        if column_kind(table.schema.field(name).type) == "string":
            return name
    return names[0]


def column_strings(table: pa.Table, name: str) -> list[str]:
    """A column as display strings (nulls become empty strings)."""
    col = table.column(name)
    if pa.types.is_floating(col.type):
        values = col.to_numpy(zero_copy_only=False)
        return ["" if np.isnan(v) else _format_number(v) for v in values]
    return ["" if v is None else str(v) for v in col.to_pylist()]


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def metadata_table(metadata: Any) -> pa.Table | None:
    """Metadata as Python code gives it, as one pyarrow Table (row i describes vector i).

    Accepted: None, a pyarrow Table, a pandas or polars DataFrame, a {column: values} dict, or a list (tuple,
    1-D array, Series) of labels, which becomes one column named `label`. A column whose values are not all of
    one type is kept as text.
    """
    if metadata is None or isinstance(metadata, pa.Table):
        return metadata
    top = type(metadata).__module__.split(".")[0]
    if top == "pandas" and hasattr(metadata, "columns"):
        return pa.Table.from_pandas(metadata, preserve_index=False)
    if top == "polars" and hasattr(metadata, "columns") and hasattr(metadata, "to_arrow"):
        return pa.table(metadata.to_arrow())
    if isinstance(metadata, Mapping):
        columns = {str(name): _column(values, name=str(name)) for name, values in metadata.items()}
        lengths = sorted({len(column) for column in columns.values()})
        if len(lengths) > 1:
            raise MetadataError(
                f"`metadata` columns have different lengths: {lengths}",
                field="metadata",
                fix="give every column one value per vector",
            )
        return pa.table(columns)
    if top in ("pandas", "polars") or (isinstance(metadata, Sequence | np.ndarray) and not isinstance(metadata, str)):
        return pa.table({"label": _column(metadata, name="label")})
    raise ParameterError(
        f"`metadata` must be a list of labels, a {{column: values}} dict, a pyarrow Table or a pandas or polars "
        f"DataFrame; found {type(metadata).__module__}.{type(metadata).__qualname__}",
        field="metadata",
        fix='pass metadata=["label of row 0", ...] or metadata={"word": [...], "count": [...]}',
    )


def _column(values: Any, *, name: str) -> pa.Array:
    """One metadata column: its values as one Arrow type, else as text."""
    if isinstance(values, str | bytes) or not hasattr(values, "__len__"):
        raise ParameterError(
            f"`metadata` column `{name}` must hold one value per vector, found {type(values).__name__} {values!r:.60}",
            field="metadata",
        )
    if hasattr(values, "to_arrow"):  # a polars Series
        return pa.array(values.to_arrow())
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise ParameterError(f"`metadata` column `{name}` must be 1-D, found shape {values.shape}", field="metadata")
    items = values.tolist() if hasattr(values, "tolist") else list(values)
    try:
        return pa.array(items)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return pa.array([None if v is None else str(v) for v in items], type=pa.string())
