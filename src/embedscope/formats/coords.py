"""Coordinates and selections as tables: CSV, TSV, Parquet or .npy, with index, label and metadata columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..embedding import Embedding
from ..errors import ParameterError

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
