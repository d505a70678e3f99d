"""Sharded test data: an Embedding written as a folder of Parquet shards (part-00000.parquet, ...), as Spark,
Dask and pandas write them."""

from __future__ import annotations

from pathlib import Path

from embedscope import Embedding


def write_shards(emb: Embedding, folder: Path, rows: int) -> Path:
    """`emb` as Parquet shards of `rows` rows under `folder` (made); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, lo in enumerate(range(0, len(emb), rows)):
        emb.subset(range(lo, min(lo + rows, len(emb)))).save(folder / f"part-{i:05d}.parquet")
    return folder
