"""A map made on a cluster, served by one machine: the table stays in its shards (10 million rows at 768 dimensions
do not fit), the server holds only the map's coordinates (from `project --scheduler`'s coordinate shards, aligned
row for row) and the metadata columns; a click's neighbours come from the table's own vectors, through the FAISS
index `embedscope index` built (or, without one, an exact scan shard by shard), read in this process.

``open_map(shards, coords, index=None)`` answers an Embedding whose vectors are the map's x, y (also the metadata
columns `x`, `y`: the page opens on them as they are) and whose `original` answers neighbours by row.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..embedding import Embedding
from ..errors import FormatError, ParameterError
from ..formats.tables.shards import ShardSet, open_shards, shard_files
from .index import IndexInfo, _faiss, _merge, _prepared, exact_shard, load_index


class ShardVectors:
    """Neighbours by row over a table's shards: its FAISS index when given, else an exact scan shard by shard."""

    def __init__(self, shards: ShardSet, index: IndexInfo | None, metric: str = "cosine") -> None:
        if index is not None and (
            (index.rows, index.dim, index.shards) != (shards.rows, shards.dim, len(shards.shards))
            or index.metric not in ("cosine", "euclidean")
        ):
            raise FormatError(
                f"the index holds {index.rows:,} x {index.dim:,} in {index.shards} shards ({index.metric}), the data "
                f"{shards.rows:,} x {shards.dim:,} in {len(shards.shards)}",
                path=Path(index.folder),
                fix="build the index of these shards with embedscope index",
            )
        self.shards, self.index = shards, index
        self.metric = index.metric if index is not None else metric
        self._starts = np.array([s.start for s in shards.shards])
        self._loaded: dict[int, Any] = {}
        self._lock = threading.Lock()

    @property
    def how(self) -> str:
        i = self.index
        return "exact, shard by shard" if i is None else f"FAISS IVF{i.nlist}/{i.codes}, recall {i.recall}"

    def vector(self, row: int) -> np.ndarray:
        """Row `row`'s vector, read from its shard (an .npy shard memory-mapped)."""
        i = int(np.searchsorted(self._starts, row, side="right") - 1)
        return np.asarray(self.shards.vectors(i)[row - self._starts[i]], dtype=np.float32)[None, :]

    def _shard_index(self, i: int) -> Any:
        with self._lock:
            if i not in self._loaded:
                assert self.index is not None
                index = _faiss().read_index(str(Path(self.index.folder) / f"index-{i:05d}.faiss"))
                index.nprobe = self.index.nprobe
                self._loaded[i] = index
            return self._loaded[i]

    def nearest(self, row: int, k: int) -> list[tuple[int, float]]:
        """The k rows nearest to row `row` (itself left out): (row, cosine similarity) or (row, L2 distance)."""
        query = _prepared(self.vector(row), self.metric)
        count = len(self.shards.shards)
        if self.index is None:
            parts = [exact_shard(self.shards, i, query, k + 1, self.metric) for i in range(count)]
        else:
            parts = [self._shard_index(i).search(query, k + 1) for i in range(count)]
        scores, ids = _merge(parts, k + 1, self.metric)
        hits = [(int(r), float(s)) for r, s in zip(ids[0], scores[0], strict=True) if r >= 0 and r != row][:k]
        if self.metric == "euclidean":  # FAISS scores L2 as its square
            hits = [(r, float(np.sqrt(max(s, 0.0)))) for r, s in hits]
        return hits


def read_coords(folder: Path, shards: ShardSet) -> np.ndarray:
    """The coordinate shards (x, y float32, one Parquet file per input shard, as `project --scheduler` writes them),
    checked to align row for row with `shards`."""
    files = shard_files(Path(folder))
    if len(files) != len(shards.shards):
        raise FormatError(
            f"{len(files)} coordinate shards for {len(shards.shards)} data shards",
            path=folder,
            fix="give the folder `embedscope project --scheduler` wrote for these shards",
        )
    parts = []
    root = Path(folder).resolve()
    for path, shard in zip(files, shards.shards, strict=True):
        if not path.resolve().is_relative_to(root):  # only what was given is read
            raise FormatError("this shard is a link to a file outside the folder", path=path, fix="copy it in")
        try:
            table = pq.read_table(path, columns=["x", "y"])
        except (pa.ArrowInvalid, KeyError, OSError) as exc:
            raise FormatError(f"not a coordinate shard (x, y): {exc}", path=path, fix="check the folder") from None
        if table.num_rows != shard.rows:
            raise FormatError(
                f"{table.num_rows:,} coordinates for the {shard.rows:,} rows of {shard.path.name}",
                path=path,
                fix="project these shards again",
            )
        parts.append(np.column_stack([table.column(a).to_numpy().astype(np.float32) for a in "xy"]))
    xy = np.concatenate(parts)
    if not np.isfinite(xy).all():
        raise FormatError("the coordinates hold NaN or Inf", path=folder, fix="project the shards again")
    return xy


def open_map(
    shards_folder: Path,
    coords_folder: Path,
    *,
    index_folder: Path | None = None,
    vector_column: str | None = None,
    label_column: str | None = None,
    metric: str = "cosine",
) -> Embedding:
    """The map of a sharded table for the server (see the module's docstring)."""
    shards = open_shards(Path(shards_folder), vector_column=vector_column)
    xy = read_coords(Path(coords_folder), shards)
    index = load_index(Path(index_folder)) if index_folder is not None else None
    if index is not None:
        index.folder = str(index_folder)  # its files are read from the folder given, wherever it was built
    if metric not in ("cosine", "euclidean"):
        raise ParameterError(f"`metric` must be cosine or euclidean, got {metric!r}", field="metric")
    parts = [shards.metadata(i) for i in range(len(shards.shards))]
    columns: dict[str, Any] = {}
    if parts and parts[0] is not None:
        table = pa.concat_tables([p for p in parts if p is not None])
        columns = {name: table.column(name) for name in table.column_names if name not in ("x", "y")}
    columns.update(x=xy[:, 0], y=xy[:, 1])
    name = f"{Path(shards_folder).name} (map)"
    emb = Embedding(xy, name=name, metadata=columns, label_column=label_column, source=str(coords_folder), checked=True)
    emb.original = ShardVectors(shards, index, metric)
    emb.map_columns = ["x", "y"]
    return emb
