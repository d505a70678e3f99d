"""A folder of shards (formats/tables/shards.py): opened from footers and headers only, loaded as one table, and a
shard that disagrees with the first is named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.datasets import load_digits

import embedscope
from embedscope import Embedding
from embedscope.errors import FormatError, NotFoundError
from embedscope.formats.tables.shards import open_shards


@pytest.fixture(scope="module")
def digits() -> Embedding:
    d = load_digits()
    return Embedding(d.data.astype(np.float32), metadata={"digit": [str(t) for t in d.target]})


def test_parquet_shards_read_from_their_footers_and_load_as_one_table(digits, tmp_path: Path) -> None:
    for i, lo in enumerate(range(0, len(digits), 500)):
        digits.subset(range(lo, min(lo + 500, len(digits)))).save(tmp_path / f"part-{i:05d}.parquet")
    (tmp_path / "_SUCCESS").write_text("")
    shards = open_shards(tmp_path)
    assert (shards.kind, shards.rows, shards.dim, shards.columns) == ("parquet", 1797, 64, ["digit"])
    assert [s.start for s in shards.shards] == [0, 500, 1000, 1500]
    emb = embedscope.load(tmp_path)
    assert np.array_equal(emb.vectors, digits.vectors) and emb.labels == digits.labels


def test_numbered_columns_and_npy_shards(digits, tmp_path: Path) -> None:
    x = np.asarray(digits.vectors)
    table = pa.table({f"dim_{j}": x[:, j] for j in range(64)} | {"digit": digits.labels})
    pq.write_table(table.slice(0, 900), tmp_path / "a.parquet")
    pq.write_table(table.slice(900), tmp_path / "b.parquet")
    shards = open_shards(tmp_path)
    assert shards.dim == 64 and np.array_equal(shards.vectors(1), x[900:])
    npy = tmp_path / "npy"
    npy.mkdir()
    np.save(npy / "0.npy", x[:1000])
    np.save(npy / "1.npy", x[1000:].astype(np.float64))
    shards = open_shards(npy)
    assert shards.kind == "npy" and shards.rows == 1797 and shards.vectors(1).dtype == np.float32


def test_shards_that_disagree_are_named(digits, tmp_path: Path) -> None:
    digits.subset(range(100)).save(tmp_path / "0.parquet")
    Embedding(np.ones((5, 3), dtype=np.float32)).save(tmp_path / "1.parquet")
    with pytest.raises(FormatError, match="differ from the first shard's") as info:
        open_shards(tmp_path)
    assert "1.parquet" in str(info.value.path)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    np.save(mixed / "a.npy", np.ones((2, 2), dtype=np.float32))
    (mixed / "b.parquet").write_bytes((tmp_path / "0.parquet").read_bytes())
    with pytest.raises(FormatError, match=r"mixes \.parquet and \.npy"):
        open_shards(mixed)
    ragged = tmp_path / "ragged"
    ragged.mkdir()
    pq.write_table(pa.table({"v": pa.array([[1.0, 2.0], [3.0]], type=pa.list_(pa.float32()))}), ragged / "0.parquet")
    with pytest.raises(FormatError, match="list of any length"):
        open_shards(ragged)
    with pytest.raises(NotFoundError, match=r"no \.parquet or \.npy shards"):
        open_shards(tmp_path / "mixed" / "nothing")


def test_a_link_leading_out_of_the_folder_is_refused(digits, tmp_path: Path) -> None:
    outside = digits.subset(range(10)).save(tmp_path / "outside.parquet")
    folder = tmp_path / "shards"
    folder.mkdir()
    digits.subset(range(10, 20)).save(folder / "0.parquet")
    (folder / "1.parquet").symlink_to(outside)
    with pytest.raises(FormatError, match="a link to a file outside the folder"):
        open_shards(folder)
