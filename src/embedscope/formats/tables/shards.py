"""A folder of shards read as one table: Parquet files (what Spark, Dask, Ray and pandas write; a vector column or
numeric columns, the other columns metadata) or `.npy` arrays, row after row, shard after shard in name order.

Opening a folder (``open_shards``) reads only Parquet footers and `.npy` headers: the rows, the vector column, the
dimension and the metadata columns, checked to agree across shards (a shard that disagrees is named). Names starting
with `_` or `.` (Spark's `_SUCCESS`, `.crc` files) are passed over. ``read`` (the format's reader) loads every shard
into one Embedding, for data that fits one machine; distributed/ reads them shard by shard on a cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ...embedding import Embedding
from ...errors import FormatError, NotFoundError
from ..npy_file import npy_header
from ..options import ReadOptions

SUFFIXES = (".parquet", ".npy")


@dataclass(frozen=True)
class Shard:
    path: Path
    rows: int
    start: int  # the row of the whole table its first row is


@dataclass
class ShardSet:
    folder: Path
    kind: str  # "parquet" or "npy"
    shards: list[Shard]
    dim: int
    vector_column: str | None = None  # Parquet: the vector column, or the prefix of numbered ones (as read)
    columns: list[str] = field(default_factory=list)  # Parquet: the metadata columns

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.shards)

    def vectors(self, i: int) -> np.ndarray:
        """Shard i's vectors, float32 (an .npy shard memory-mapped)."""
        shard = self.shards[i]
        if self.kind == "npy":
            array = np.load(shard.path, mmap_mode="r", allow_pickle=False)
            return array if array.dtype == np.float32 else np.asarray(array, dtype=np.float32)
        from .table import read_table, vectors_of

        vectors, _ = vectors_of(read_table(shard.path, "parquet"), self.vector_column, shard.path)
        return vectors

    def metadata(self, i: int) -> pa.Table | None:
        """Shard i's metadata columns (None for .npy shards)."""
        if self.kind == "npy" or not self.columns:
            return None
        return pq.read_table(self.shards[i].path, columns=self.columns, memory_map=True)


def shard_files(folder: Path) -> list[Path]:
    """The folder's shard files in name order (one kind only), or [] when it holds none."""
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith(("_", ".")))
    return [p for p in files if p.is_file()]


def open_shards(folder: Path, *, vector_column: str | None = None) -> ShardSet:
    """The shards of `folder`, from their footers and headers only (see the module's docstring)."""
    folder = Path(folder)
    files = shard_files(folder)
    if not files:
        raise NotFoundError("no .parquet or .npy shards in this folder", path=folder, fix="check the folder")
    root = folder.resolve()
    for path in files:  # a link leading out of the folder is not read: only what was given is
        if not path.resolve().is_relative_to(root):
            raise FormatError(
                "this shard is a link to a file outside the folder", path=path, fix="copy the file into the folder"
            )
    kinds = {p.suffix.lower() for p in files}
    if len(kinds) > 1:
        raise FormatError(
            "the folder mixes .parquet and .npy shards", path=folder, fix="keep one kind of shard in a folder"
        )
    return _npy(folder, files) if kinds == {".npy"} else _parquet(folder, files, vector_column)


def _npy(folder: Path, files: list[Path]) -> ShardSet:
    shards, start, dim = [], 0, None
    for path in files:
        shape, _, dtype, _ = npy_header(path)
        if len(shape) != 2 or dtype.kind not in "fiu" or (dim is not None and shape[1] != dim):
            want = "an N x D array of numbers" if dim is None else f"an N x {dim:,} array of numbers, as the first"
            raise FormatError(f"expected {want}, found {dtype} {shape}", path=path, fix="check the shard")
        dim = int(shape[1])
        shards.append(Shard(path, int(shape[0]), start))
        start += int(shape[0])
    assert dim is not None
    return ShardSet(folder, "npy", shards, dim)


def _parquet(folder: Path, files: list[Path], want: str | None) -> ShardSet:
    from .table import choose_vector_columns

    shards, start = [], 0
    first: tuple[pa.Schema, str, list[str], int] | None = None
    for path in files:
        try:
            meta = pq.read_metadata(path)
            schema = pq.read_schema(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise FormatError(f"could not be read as parquet: {exc}", path=path, fix="check the shard") from None
        if first is None:
            kind, names = choose_vector_columns(schema.empty_table(), want, path)
            if kind == "text":
                raise FormatError("vectors written as text cannot be read shard by shard", path=path, fix="write lists")
            dim = _dimension(schema, kind, names, path)
            first = (schema, kind, names, dim)
        elif not schema.equals(first[0], check_metadata=False):
            raise FormatError(
                f"this shard's columns differ from the first shard's ({files[0].name})",
                path=path,
                fix="give every shard the same columns and types",
            )
        shards.append(Shard(path, int(meta.num_rows), start))
        start += int(meta.num_rows)
    assert first is not None
    schema, kind, names, dim = first
    vector = names[0] if kind == "list" else want
    columns = [n for n in schema.names if n not in names]
    return ShardSet(folder, "parquet", shards, dim, vector_column=vector, columns=columns)


def _dimension(schema: pa.Schema, kind: str, names: list[str], path: Path) -> int:
    if kind == "columns":
        return len(names)
    dtype = schema.field(names[0]).type
    if pa.types.is_fixed_size_list(dtype):
        return int(dtype.list_size)
    raise FormatError(
        f"column `{names[0]}` is a list of any length: a shard's footer does not say the vectors' dimension",
        path=path,
        fix="write the vectors as a fixed-size list (pyarrow.list_(pa.float32(), D))",
    )


def read(path: Path, options: ReadOptions, fmt: str) -> Embedding:
    """Every shard in one Embedding (rows in shard order), for data that fits this machine."""
    shards = open_shards(path, vector_column=options.vector_column)
    vectors = np.concatenate([shards.vectors(i) for i in range(len(shards.shards))])
    tables = [shards.metadata(i) for i in range(len(shards.shards))]
    metadata = pa.concat_tables([t for t in tables if t is not None]) if tables and tables[0] is not None else None
    return Embedding(
        vectors, name=options.name or path.name, metadata=metadata, label_column=options.label_column, source=str(path)
    )
