"""Readers whose cost was far above their input's size, run by the CLI under CPU and memory limits.

Each hostile file is made here, in tmp_path: a metadata header of 3,000 repeated names, a TensorFlow index whose
300,000 handles all point at one block, a single 200 MB line, a 12,000 x 12,000 px sprite, word2vec headers that
declare far more than the file holds, and a word of megabytes in an error message.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import google_crc32c
import pytest
from bounded import assert_one_error_line, run_cli

from embedscope.formats.tensorflow.sstable import FOOTER_SIZE, TABLE_MAGIC, mask_crc


def _vectors(path: Path, rows: int = 3, dim: int = 2) -> Path:
    path.write_text("".join("\t".join(f"{i + j / 10}" for j in range(dim)) + "\n" for i in range(rows)))
    return path


def test_a_header_of_3000_repeated_names_reads_with_one_warning(tmp_path: Path) -> None:
    vectors = _vectors(tmp_path / "vectors.tsv")
    rows = ["\t".join(["a"] * 3000)] + ["\t".join(["1"] * 3000)] * 3
    (tmp_path / "vectors_metadata.tsv").write_text("\n".join(rows) + "\n")
    outcome = run_cli("info", vectors)
    assert outcome.returncode == 0, outcome.describe()
    renamed = [line for line in outcome.lines if "renamed" in line]
    assert len(renamed) == 1 and len(renamed[0]) < 1000, outcome.describe()
    assert "2,999 header columns renamed" in renamed[0] and "'a' -> 'a_2'" in renamed[0]


# -- a TensorFlow index whose handles all point at one block ---------------------------------------------------
def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _block(entries: list[tuple[bytes, bytes]]) -> bytes:
    body = b"".join(_varint(0) + _varint(len(k)) + _varint(len(v)) + k + v for k, v in entries)
    return body + struct.pack("<II", 0, 1)  # one restart point, at 0


def _trailer(block: bytes) -> bytes:
    crc = google_crc32c.extend(google_crc32c.value(block), b"\x00")
    return b"\x00" + struct.pack("<I", mask_crc(crc))


def _entry(i: int) -> bytes:
    """A BundleEntryProto: float32, shape [2, 2], 16 bytes at offset 16 * i."""
    dims = b"".join(b"\x12" + _varint(len(d)) + d for d in [b"\x08\x02"] * 2)
    return b"\x08\x01" + b"\x12" + _varint(len(dims)) + dims + b"\x20" + _varint(16 * i) + b"\x28\x10"


def _index_with_repeated_handles(path: Path, handles: int) -> Path:
    header = b"\x08\x01"  # num_shards = 1
    data = _block([(b"", header)] + [(f"var{i:04d}".encode(), _entry(i)) for i in range(60)])
    handle = _varint(0) + _varint(len(data))
    index = _block([(b"", handle)] * handles)
    index_offset = len(data) + 5
    footer = _varint(0) + _varint(0) + _varint(index_offset) + _varint(len(index))
    footer = footer.ljust(FOOTER_SIZE - 8, b"\x00") + struct.pack("<Q", TABLE_MAGIC)
    path.write_bytes(data + _trailer(data) + index + _trailer(index) + footer)
    return path


def test_a_tf_index_whose_300k_handles_point_at_one_block_is_refused(tmp_path: Path) -> None:
    index = _index_with_repeated_handles(tmp_path / "model.ckpt.index", 300_000)
    (tmp_path / "model.ckpt.data-00000-of-00001").write_bytes(b"\x00" * 16 * 60)
    assert_one_error_line(run_cli("info", index), match=r"model\.ckpt\.index.*block")


def _index(path: Path, data: bytes) -> Path:
    """A one-block SSTable: the block `data` (with its restart array) and an index block pointing at it."""
    index = _block([(b"\xff", _varint(0) + _varint(len(data)))])
    footer = _varint(0) + _varint(0) + _varint(len(data) + 5) + _varint(len(index))
    footer = footer.ljust(FOOTER_SIZE - 8, b"\x00") + struct.pack("<Q", TABLE_MAGIC)
    path.write_bytes(data + _trailer(data) + index + _trailer(index) + footer)
    return path


def test_a_tf_index_whose_keys_grow_by_one_byte_per_entry_is_refused(tmp_path: Path) -> None:
    """Each 4-byte entry repeats the key before it plus one byte: 3 MB of entries, 10**11 bytes of keys."""
    body = b"".join(_varint(i) + b"\x01\x00x" for i in range(600_000))
    index = _index(tmp_path / "model.ckpt.index", body + struct.pack("<II", 0, 1))
    assert_one_error_line(run_cli("info", index), match=r"model\.ckpt\.index.*keys expand to more than")


def test_a_sliced_variable_larger_than_its_data_file_is_refused(tmp_path: Path) -> None:
    """A variable of 10**6 x 10**6 float32, "partitioned" into one slice the 16-byte data file cannot hold."""
    dims = b"".join(b"\x12" + _varint(len(d)) + d for d in [b"\x08" + _varint(10**6)] * 2)
    shape = b"\x12" + _varint(len(dims)) + dims
    full = b"\x08\x01" + shape + b"\x3a\x00"  # float32, that shape, one slice
    part = b"\x08\x01" + shape + b"\x28" + _varint(4 * 10**12)
    slice_key = b"\x00emb\x00\x01\x01\x02\x80\x7f\x80\x7f"  # slice [0:, 0:] of `emb`
    index = _index(tmp_path / "model.ckpt.index", _block([(b"", b"\x08\x01"), (slice_key, part), (b"emb", full)]))
    (tmp_path / "model.ckpt.data-00000-of-00001").write_bytes(b"\x00" * 16)
    outcome = run_cli("info", index, "--tensor", "emb")
    assert_one_error_line(outcome, match=r"emb.*needs bytes 0 to 4,000,000,000,000.*only 16 bytes")


# -- one line of 200 MB ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def long_line(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("line") / "vectors.tsv"
    chunk = b"0.5\t0.5 " * (1 << 17)  # 1 MiB of numbers, tab- and space-separated: a row for every reader
    with path.open("wb") as fh:
        for _ in range(200):
            fh.write(chunk)
        fh.write(b"0.5\n")
    yield path
    path.unlink()


@pytest.mark.parametrize("name", ["vectors.tsv", "vectors_metadata.tsv", "glove.txt"])
def test_a_single_line_of_200_mb_is_refused(long_line: Path, name: str) -> None:
    folder = long_line.parent / name.replace(".", "_")
    folder.mkdir()
    link = folder / name
    link.hardlink_to(long_line)  # the same 200 MB on disk, under the name each reader expects
    try:
        if name == "vectors_metadata.tsv":  # the metadata beside small vectors
            outcome = run_cli("info", _vectors(folder / "vectors.tsv", rows=1), "--metadata", link)
        else:
            outcome = run_cli("info", link, *(["--format", "glove"] if name.endswith(".txt") else []))
    finally:
        link.unlink()  # so that the fixture's unlink frees the disk
    assert_one_error_line(outcome, match=r"line 1.* longer than")


# -- a sprite far larger than a sprite can be -------------------------------------------------------------------
def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _blank_png(path: Path, width: int, height: int) -> Path:
    """An RGBA PNG of `width` x `height` transparent pixels, compressed as it is written (never held whole)."""
    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + 4 * width)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")
    )
    return path


def test_a_12k_by_12k_sprite_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    vectors = _vectors(tmp_path / "vectors.tsv")
    sprite = _blank_png(tmp_path / "sprite.png", 12_000, 12_000)
    outcome = run_cli("info", vectors, "--sprite", sprite, "--sprite-size", "100", "100")
    assert_one_error_line(outcome, match=r"sprite\.png.*8,192x8,192 px.*(12,000x12,000 px|pixels)")


# -- declared sizes far above the file's -------------------------------------------------------------------------
def test_a_word2vec_binary_header_declaring_a_billion_dimensions_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vectors.bin"
    path.write_bytes(b"2 999999999\nw " + b"\x00\x00\x80\x3f" * 4 + b"\n")
    outcome = run_cli("info", path, "--format", "word2vec-binary")
    assert_one_error_line(outcome, match=r"999,999,999")


# -- a word of megabytes in an error message ---------------------------------------------------------------------
@pytest.mark.parametrize(("name", "line"), [("vectors.txt", b" 0.5 0.25\n"), ("vectors.tsv", b"\t0.5\t0.25\n")])
def test_a_4_mb_word_in_an_error_gives_a_short_line(tmp_path: Path, name: str, line: bytes) -> None:
    path = tmp_path / name
    sep = line[:1]
    first = b"first" + line.replace(b" 0.25", b" 0.25 0.125").replace(b"\t0.25", b"\t0.25\t0.125")
    path.write_bytes(first + b"w" * (4 << 20) + line)  # the second row has one number too few
    outcome = run_cli("info", path, *(["--format", "glove"] if name.endswith(".txt") else []))
    error = assert_one_error_line(outcome, match=r"line 2")
    assert len(error) < 1000 and "…" in error
    assert sep


def test_a_50_mb_word_gives_a_short_line(tmp_path: Path) -> None:
    path = tmp_path / "vectors.tsv"
    with path.open("wb") as fh:
        fh.write(b"first\t0.5\t0.25\n")
        for _ in range(50):
            fh.write(b"w" * (1 << 20))
        fh.write(b"\t0.5\n")
    error = assert_one_error_line(run_cli("info", path))
    assert len(error) < 1000
    path.unlink()


# -- metadata of 60,000 columns: each column costs a typed array, so it is refused before one is built ------------
@pytest.mark.parametrize("name", ["wide.csv", "vectors_metadata.tsv"])
def test_metadata_of_60000_columns_is_refused(tmp_path: Path, name: str) -> None:
    names = [f"m{j}" for j in range(60_000)]
    if name.endswith(".csv"):
        rows = [",".join(["v0", "v1", *names])] + [",".join(["0.5", "0.25", *["x"] * len(names)])] * 2
        target, extra = tmp_path / name, []
    else:
        rows = ["\t".join(names)] + ["\t".join(["x"] * len(names))] * 3
        target, extra = _vectors(tmp_path / "vectors.tsv"), ["--metadata", tmp_path / name]
    (tmp_path / name).write_text("\n".join(rows) + "\n")
    assert_one_error_line(
        run_cli("info", target, *extra), match=r"at most (10,000 metadata columns|20,000 columns), found 60,00[02]"
    )


@pytest.mark.parametrize(("name", "count"), [("wide.csv", 100_000), ("wide.parquet", 30_000)])
def test_a_table_of_too_many_columns_is_refused_before_it_is_read(tmp_path: Path, name: str, count: int) -> None:
    names = [f"v{j}" for j in range(count)]
    if name.endswith(".csv"):
        (tmp_path / name).write_text(",".join(names) + "\n" + ",".join(["0.5"] * len(names)) + "\n")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({n: pa.array([0.5], pa.float32()) for n in names}), tmp_path / name)
    assert_one_error_line(run_cli("info", tmp_path / name), match=rf"at most 20,000 columns, found {count:,}")


def test_a_projector_config_nested_100000_deep_is_refused(tmp_path: Path) -> None:
    (tmp_path / "projector_config.pbtxt").write_text("embeddings " + "{ a " * 100_000 + "}" * 100_000 + "\n")
    outcome = run_cli("info", tmp_path)
    assert_one_error_line(outcome, match=r"projector_config\.pbtxt line 1.*nested more than 100 levels")


@pytest.mark.parametrize("name", ["wide.tsv", "wide.txt"])
def test_rows_of_1_500_000_numbers_are_read_line_by_line(tmp_path: Path, name: str) -> None:
    """pyarrow's CSV reader cannot take 1.5 million columns within the limits; the line-by-line pass can."""
    sep, label = ("\t", "") if name.endswith(".tsv") else (" ", "w ")
    row = sep.join(["1"] * 1_500_000)
    (tmp_path / name).write_text(f"{label}{row}\n{label.replace('w', 'v')}{row}\n")
    outcome = run_cli("info", tmp_path / name, *(["--format", "glove"] if name.endswith(".txt") else []))
    assert outcome.returncode == 0, outcome.describe()
    assert "1,500,000" in outcome.stdout or "1500000" in outcome.stdout, outcome.stdout
