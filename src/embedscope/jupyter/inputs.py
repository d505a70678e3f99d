"""What `embedscope.show()` accepts, made into one Embedding: vectors, labels, a metadata table and images.

The metadata a user passes (a pandas DataFrame, a pyarrow Table, a dict of columns, anything with `to_arrow()`)
is kept as given for `widget.selected`; the page gets a copy whose columns are numbers or strings, the two kinds
it colours and labels by (booleans, categories, dates and the rest are shown as their text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..embedding import Collection, Embedding, Sprite
from ..errors import ParameterError
from ..metadata import column_kind

LABEL = "label"  # the column `labels=` becomes


@dataclass
class Shown:
    """The Embedding the page shows, the user's own metadata table for `selected`, and its pandas index."""

    embedding: Embedding
    table: pa.Table | None
    index: Any = None  # the pandas Index of a DataFrame passed as metadata, else None


def as_shown(
    data: Any,
    *,
    labels: Sequence[Any] | np.ndarray | None = None,
    metadata: Any = None,
    images: Any = None,
    name: str | None = None,
    label_column: str | None = None,
) -> Shown:
    """The Embedding of `data` (an Embedding, a path, or an N x D array) with the labels, metadata and images."""
    embedding = _embedding(data, name=name)
    n = len(embedding)
    table, index = (embedding.metadata, None) if metadata is None else _table(metadata)
    if labels is not None:
        table = _with_labels(table, labels, n)
        label_column = label_column or LABEL
    if table is not None and table.num_rows != n:
        what = "`labels`" if metadata is None else "`metadata`"
        raise ParameterError(
            f"{what} has {table.num_rows:,} rows for {n:,} points",
            field="labels" if metadata is None else "metadata",
            fix="give one row per vector, in the same order",
        )
    if label_column is None and metadata is None and labels is None:
        label_column = embedding.label_column
    sprite = embedding.sprite if images is None else _sprite(images, n)
    shown = Embedding(
        embedding.vectors,
        name=name or embedding.name,
        metadata=None if table is None else plain(table),
        label_column=label_column,
        sprite=sprite,
        source=embedding.source,
        bookmarks_path=embedding.bookmarks_path,
        checked=True,
        model=embedding.model,
    )
    return Shown(shown, table, index)


def _embedding(data: Any, *, name: str | None) -> Embedding:
    if isinstance(data, Embedding):
        return data
    if isinstance(data, Collection):
        raise ParameterError(
            f"show() takes one embedding; this collection holds {len(data)}",
            field="data",
            fix="choose one with collection.get(run=..., tensor=...)",
        )
    if isinstance(data, str | PathLike):
        from ..formats.registry import load

        return load(Path(data))  # a source holding several embeddings raises, naming them
    return Embedding(data, name=name or "embedding")


def _table(metadata: Any) -> tuple[pa.Table, Any]:
    """(a pyarrow Table of the metadata, the pandas index of a DataFrame or None)."""
    if isinstance(metadata, pa.Table):
        return metadata, None
    if type(metadata).__module__.split(".")[0] == "pandas" and hasattr(metadata, "iloc"):
        if not hasattr(metadata, "columns"):  # a Series: one column
            metadata = metadata.to_frame(name=str(metadata.name) if metadata.name is not None else "value")
        return pa.Table.from_pandas(metadata, preserve_index=False), metadata.index
    if hasattr(metadata, "to_arrow"):  # polars and friends
        return pa.table(metadata.to_arrow()), None
    if isinstance(metadata, Mapping):
        try:
            return pa.table({str(k): _column(v) for k, v in metadata.items()}), None
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as exc:
            raise ParameterError(f"`metadata` columns must be lists of one type: {exc}", field="metadata") from None
    raise ParameterError(
        f"`metadata` must be a pandas DataFrame, a pyarrow Table or a dict of columns, got {type(metadata).__name__}",
        field="metadata",
    )


def _column(values: Any) -> pa.Array | pa.ChunkedArray:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    return pa.array(values.tolist() if isinstance(values, np.ndarray) else list(values))


def _with_labels(table: pa.Table | None, labels: Sequence[Any] | np.ndarray, n: int) -> pa.Table:
    if isinstance(labels, str):
        raise ParameterError("`labels` must be one label per point, got a single string", field="labels")
    try:
        column = _column(labels)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as exc:
        raise ParameterError(f"`labels` must be a list of labels of one type: {exc}", field="labels") from None
    if len(column) != n:
        raise ParameterError(
            f"`labels` has {len(column):,} values for {n:,} points", field="labels", fix="give one label per vector"
        )
    if table is None:
        return pa.table({LABEL: column})
    if LABEL in table.column_names:
        raise ParameterError(
            "`metadata` already has a column `label`, and `labels` would make another",
            field="labels",
            fix="leave out `labels`, or choose the label column with label_column=",
        )
    return table.add_column(0, LABEL, column)


def _sprite(images: Any, n: int) -> Sprite:
    if isinstance(images, Sprite):
        return images
    from ..formats.sprite import make_sprite

    count = images.shape[0] if isinstance(images, np.ndarray) and images.ndim else None
    if count is None and isinstance(images, Sequence) and not isinstance(images, str):
        count = len(images)
    if count is not None and count != n:
        raise ParameterError(
            f"`images` has {count:,} images for {n:,} points", field="images", fix="give one per point"
        )

    return make_sprite(images)


def plain(table: pa.Table) -> pa.Table:
    """The table with every column numeric or text, as the page shows metadata."""
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if pa.types.is_dictionary(kind):
            column = pc.cast(column, kind.value_type)
            kind = column.type
        if column_kind(kind) not in ("numeric", "string"):
            column = pa.array([None if v is None else str(v) for v in column.to_pylist()], type=pa.string())
        columns[name] = column
    return pa.table(columns)
