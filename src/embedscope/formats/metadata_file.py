"""A metadata file given for the vectors (`--metadata`, `load(..., metadata=PATH)`): a projector metadata TSV, or
a Parquet table of metadata columns (what the page's "Download metadata" saves), told apart by Parquet's magic bytes.

A TSV is read with the projector's rules (tsv_metadata.py). A Parquet file's columns keep their types (dictionary
encoding undone); it must have one row per vector.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from ..errors import MetadataError
from ..files import open_regular
from .tables.table import read_table
from .tsv_metadata import check_file, read_metadata

PARQUET_MAGIC = b"PAR1"


def read_metadata_file(path: Path, *, n: int | None, root: Path | None = None) -> pa.Table:
    """The metadata table of a TSV or Parquet file; with `n`, its rows must fit n vectors (or say why not).

    A FIFO or device is refused; with `root`, a file that does not lie under it (links resolved) is refused too."""
    path = Path(path)
    check_file(path, what="a metadata file (TSV or Parquet)")
    with open_regular(path, root=root, what="metadata file") as fh:
        head = fh.read(len(PARQUET_MAGIC))
    if head != PARQUET_MAGIC:
        return read_metadata(path, n=n, root=root)
    table = read_table(path, "parquet")
    if n is not None and table.num_rows != n:
        raise MetadataError(
            f"{table.num_rows:,} rows for {n:,} vectors",
            path=path,
            fix="give one row per vector, in the same order (download the metadata of these vectors)",
        )
    columns = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    return pa.table(columns, names=table.column_names)
