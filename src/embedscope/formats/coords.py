"""Coordinates and selections as tables: CSV, TSV, Parquet or .npy, with index, label and metadata columns; and
coordinates computed elsewhere read back (``--coords``) as the columns of the Precomputed projection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..embedding import Embedding
from ..errors import FormatError, ParameterError
from ..metadata import column_kind

EXPORT_FORMATS = ("csv", "tsv", "parquet", "npy")


def export_format(path: Path, format: str | None = None) -> str:
    fmt = format or path.suffix.lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise ParameterError(
            f"cannot export to {fmt!r}", path=path, fix=f"use one of {', '.join('.' + f for f in EXPORT_FORMATS)}"
        )
    return fmt


def coords_table(
    emb: Embedding, coords: np.ndarray | None, *, indices: np.ndarray | None = None, metadata: bool = True
) -> pa.Table:
    """One row per point: index, label, then x, y[, z] when coords are given, then the metadata columns."""
    rows = np.arange(len(emb)) if indices is None else np.asarray(indices, dtype=np.int64)
    labels = emb.labels
    columns: dict[str, pa.Array] = {
        "index": pa.array(rows, type=pa.int64()),
        "label": pa.array([labels[i] for i in rows], type=pa.string()),
    }
    if coords is not None:
        for axis, name in enumerate("xyz"[: coords.shape[1]]):
            columns[name] = pa.array(np.asarray(coords[:, axis], dtype=np.float32))
    table = pa.table(columns)
    if metadata and emb.metadata is not None:
        meta = emb.metadata if indices is None else emb.metadata.take(pa.array(rows))
        for name in meta.column_names:
            if name not in columns:
                table = table.append_column(name, meta.column(name))
    return table


def write_table(table: pa.Table, path: Path, *, format: str | None = None) -> Path:
    """Write a coordinates/selection table; .npy keeps only the coordinate columns."""
    fmt = export_format(path, format)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        pq.write_table(table, path)
    elif fmt in ("csv", "tsv"):
        options = pacsv.WriteOptions(delimiter="," if fmt == "csv" else "\t", quoting_style="needed")
        pacsv.write_csv(table, path, write_options=options)
    else:
        axes = [c for c in ("x", "y", "z") if c in table.column_names]
        if not axes:
            raise ParameterError(".npy export needs coordinates", path=path, fix="use .csv, .tsv or .parquet")
        np.save(path, np.column_stack([table.column(c).to_numpy() for c in axes]).astype(np.float32))
    return path


# -- reading coordinates back (--coords FILE) -------------------------------------------------------------------

COORD_NAMES = ("x", "y", "z")
_READ_SUFFIXES = {".csv": ",", ".tsv": "\t", ".parquet": "parquet", ".arrow": "arrow", ".feather": "arrow"}


def read_coords(path: Path, *, n: int, labels: list[str] | None = None) -> pa.Table:
    """The coordinates a file holds for an embedding of `n` rows: columns x, y[, z] as float64, one row per
    embedding row, NaN where the file gives none.

    The file is what ``write_table`` writes (CSV, TSV, Parquet, .npy; an ``index`` column places its rows, so an
    isolated subset reads back; a ``label`` column is checked against `labels`), or any table with columns named
    x, y (and z) or with just 2 or 3 numeric columns, or an N x 2 / N x 3 .npy array.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return _npy_coords(path, n)
    if suffix not in _READ_SUFFIXES:
        raise ParameterError(
            f"cannot read coordinates from a {suffix or 'suffix-less'} file",
            path=path,
            fix="give a .csv, .tsv, .parquet or .npy file",
        )
    from .tables.csv_file import read_csv
    from .tables.table import read_table

    kind = _READ_SUFFIXES[suffix]
    # a CSV's labels are compared as written: "007", "1.50" or "nan" must not come back as numbers
    table = read_table(path, kind) if kind in ("parquet", "arrow") else read_csv(path, delimiter=kind, text=["label"])
    _check_names(table, path)
    names = _axis_columns(table, path)
    rows = _placement(table, path, n)
    if labels is not None and "label" in table.column_names:
        _check_labels(table, rows, labels, path)
    out: dict[str, pa.Array] = {}
    for axis, name in zip(COORD_NAMES, names, strict=False):
        values = np.full(n, np.nan)
        values[rows] = _numbers(table.column(name), name, path)
        out[axis] = pa.array(values)
    return pa.table(out)


def _npy_coords(path: Path, n: int) -> pa.Table:
    from .numpy import read as read_npy
    from .options import ReadOptions

    found = read_npy(path, ReadOptions(), "npy")  # the .npy reader's checks: header, size, dtype, finite numbers
    shape = found.shape if isinstance(found, Embedding) else None
    if shape is None or shape[1] not in (2, 3) or shape[0] != n:
        raise FormatError(
            f"expected an array of {n:,} x 2 or {n:,} x 3 numbers, found {shape or 'several arrays'}",
            path=path,
            fix="give one row of coordinates per vector",
        )
    assert isinstance(found, Embedding)
    values = np.asarray(found.vectors, dtype=np.float64)
    return pa.table({COORD_NAMES[a]: pa.array(values[:, a]) for a in range(shape[1])})


def _check_names(table: pa.Table, path: Path) -> None:
    """Refuse a file naming a column twice: which of the two holds the coordinates could only be guessed."""
    seen: set[str] = set()
    for name in table.column_names:
        if name in seen:
            raise FormatError(
                f"the column {name!r} appears twice", path=path, field=name, fix="give each column its own name"
            )
        seen.add(name)


def _axis_columns(table: pa.Table, path: Path) -> list[str]:
    have = table.column_names
    named = [name for name in COORD_NAMES if name in have]
    if named[:2] == ["x", "y"]:
        return named
    skip = ("index", "label")
    numeric = [n for n in have if n not in skip and column_kind(table.schema.field(n).type) == "numeric"]
    if len(numeric) in (2, 3):
        return numeric
    raise FormatError(
        f"expected columns x, y (and z) or just 2 or 3 numeric columns, found {have[:12]}",
        path=path,
        fix="name the coordinate columns x, y (and z)",
    )


def _placement(table: pa.Table, path: Path, n: int) -> np.ndarray:
    """The embedding row of every row of the file: its `index` column, else the file's own order."""
    if "index" not in table.column_names:
        if table.num_rows != n:
            raise FormatError(
                f"the file has {table.num_rows:,} rows of coordinates for {n:,} vectors",
                path=path,
                fix="give one row per vector in order, or an `index` column naming each row's vector",
            )
        return np.arange(n)
    column = table.column("index")
    if not pa.types.is_integer(column.type) or column.null_count:
        raise FormatError(
            f"the `index` column holds {column.type}{' with empty cells' if column.null_count else ''}, "
            "expected whole row numbers",
            path=path,
            field="index",
            fix="give each row the number of its vector, from 0",
        )
    rows = column.to_numpy().astype(np.int64)
    bad = np.flatnonzero((rows < 0) | (rows >= n))
    if bad.size:
        raise FormatError(
            f"row {bad[0] + 1:,} has index {rows[bad[0]]:,}, expected 0 to {n - 1:,} ({n:,} vectors)",
            path=path,
            field="index",
            fix="read the coordinates with the vectors they were made from",
        )
    if np.unique(rows).size != rows.size:
        raise FormatError("the `index` column names a vector twice", path=path, field="index", fix="keep one row each")
    return rows


def _check_labels(table: pa.Table, rows: np.ndarray, labels: list[str], path: Path) -> None:
    from ..metadata import column_strings

    found = column_strings(table, "label")
    for i, (row, label) in enumerate(zip(rows.tolist(), found, strict=True)):
        if label != labels[row]:
            raise FormatError(
                f"row {i + 1:,} is labelled {label!r}, but vector {row:,} is {labels[row]!r}",
                path=path,
                field="label",
                fix="read the coordinates with the vectors (and metadata) they were made from",
            )


def _numbers(column: pa.ChunkedArray, name: str, path: Path) -> np.ndarray:
    if column_kind(column.type) != "numeric":
        raise FormatError(
            f"column {name!r} holds {column.type}, expected numbers", path=path, field=name, fix="check the column"
        )
    return np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
