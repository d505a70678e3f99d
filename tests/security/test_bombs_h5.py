"""Keras HDF5 weights that claim far more than their size, or read other files, end in one typed error line."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
from bombs_kit import PIECE, deflate
from bounded import assert_one_error_line, run_cli

VARS = "layers/embedding/vars"


def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n" * 4)  # 128 bytes: 32 float32
    return path


def test_fill_value_dataset_of_twelve_gigabytes(tmp_path: Path) -> None:
    path = tmp_path / "fill.weights.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset(f"{VARS}/0", shape=(3_000_000, 1000), dtype="f4")  # never written: no storage
    assert path.stat().st_size < 8192
    assert_one_error_line(
        run_cli("info", path), match=r"fill\.weights\.h5 field `/layers/embedding/vars/0`: .*declares 12,000,000,000"
    )


def test_gzip_dataset_unpacking_far_past_the_file(tmp_path: Path) -> None:
    path = tmp_path / "gzip.weights.h5"
    with h5py.File(path, "w") as f:
        ds = f.create_dataset(f"{VARS}/0", shape=(300_000, 1000), dtype="f4", chunks=(100, 1000), compression=9)
        ds[:100] = np.zeros((100, 1000), np.float32)  # one chunk written; the rest reads as the fill value
    assert_one_error_line(run_cli("info", path), match=r"gzip\.weights\.h5.*declares 1,200,000,000 bytes")


def test_external_storage_reading_another_file(tmp_path: Path) -> None:
    path = tmp_path / "external.weights.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset(f"{VARS}/0", shape=(8, 4), dtype="f4", external=[(str(secret(tmp_path)), 0, 128)])
    line = assert_one_error_line(run_cli("info", path), match=r"keeps its data in another file .*secret\.txt")
    assert "root:x" not in line


def test_virtual_dataset_reading_another_file(tmp_path: Path) -> None:
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["data"] = np.arange(32, dtype=np.float32).reshape(8, 4)
    layout = h5py.VirtualLayout(shape=(8, 4), dtype="f4")
    layout[:] = h5py.VirtualSource(str(other), "data", shape=(8, 4))
    path = tmp_path / "virtual.weights.h5"
    with h5py.File(path, "w") as f:
        f.create_group(VARS).create_virtual_dataset("0", layout)
    assert_one_error_line(run_cli("info", path), match=r"virtual\.weights\.h5.*is a virtual dataset")


def test_external_link_into_another_file(tmp_path: Path) -> None:
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["data"] = np.arange(32, dtype=np.float32).reshape(8, 4)
    path = tmp_path / "link.weights.h5"
    with h5py.File(path, "w") as f:
        f.create_group(VARS)["0"] = h5py.ExternalLink(str(other), "/data")
    assert_one_error_line(run_cli("info", path), match=r"link\.weights\.h5: /layers/embedding/vars/0 is a link into")


def test_external_link_in_a_keras2_file(tmp_path: Path) -> None:
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.create_group("embedding")["embeddings:0"] = np.ones((8, 4), np.float32)
    path = tmp_path / "keras2.h5"
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [b"embedding"]
        f["embedding"] = h5py.ExternalLink(str(other), "/embedding")
    assert_one_error_line(run_cli("info", path), match=r"keras2\.h5: /embedding is a link into")


def test_one_huge_compressed_chunk_behind_a_small_dataset(tmp_path: Path) -> None:
    """An 8 x 4 dataset whose one chunk is 1 GiB of deflated zeros (1 MB): HDF5 unpacks a chunk whole."""
    path = tmp_path / "chunk.weights.h5"
    with h5py.File(path, "w") as f:
        ds = f.create_dataset(
            f"{VARS}/0", shape=(8, 4), maxshape=(None, None), chunks=(1 << 18, 1 << 10), dtype="f4", compression=9
        )
        ds.id.write_direct_chunk((0, 0), b"\x78\xda" + deflate(b"", 64 * PIECE) + bytes(4))
    assert path.stat().st_size < 2 << 20
    assert_one_error_line(run_cli("info", path), match=r"chunk\.weights\.h5.*stored in chunks of .* = 1,073,741,824")
