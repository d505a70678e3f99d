"""word2vec/GloVe files compressed with gzip or bzip2 unpack to at most 64x their size: a compression bomb ends in
one typed error line, never gigabytes in memory (the child runs under bounded.py's 1 GiB address-space limit)."""

from __future__ import annotations

import bz2
import gzip
import struct
import zlib

import numpy as np
import pytest
from bounded import assert_one_error_line, run_cli

PIECE = 16 << 20
# what a bomb repeats: well-formed records, so that only the size can stop a reader
RECORDS = {
    "vectors.bin": (b"3000000 3\n", b"w " + bytes(12)),  # binary word2vec: read whole, then parsed
    "vectors.txt": (b"3000000 3\n", b"the 0 0 0\n"),  # text word2vec
    "glove.txt": (b"", b"the 0 0 0\n"),
}


def _repeat(record: bytes) -> bytes:
    return record * (PIECE // len(record))


def gzip_bomb(head: bytes, record: bytes, pieces: int) -> bytes:
    """A gzip member unpacking to `head` then `pieces` x 16 MiB of `record`: one full-flushed deflate piece
    repeated (each piece stands alone), in a few hundred KB; the CRC is left 0 (the reader stops long before)."""
    first = zlib.compressobj(1, zlib.DEFLATED, -15)
    start = first.compress(head) + first.flush(zlib.Z_FULL_FLUSH)
    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = body.compress(_repeat(record)) + body.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(1, zlib.DEFLATED, -15).flush()
    gzip_header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return gzip_header + start + piece * pieces + end + struct.pack("<II", 0, 0)


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_a_gzip_bomb_is_refused(tmp_path, name):
    head, record = RECORDS[name]
    path = tmp_path / f"{name}.gz"
    path.write_bytes(gzip_bomb(head, record, 128))  # 2 GiB unpacked, past the 1 GiB limit
    assert path.stat().st_size < 8 << 20
    assert_one_error_line(run_cli("info", path), match=r"unpacks to more than .* compression bomb")


@pytest.mark.parametrize("name", ["vectors.bin", "glove.txt"])
def test_a_bzip2_bomb_is_refused(tmp_path, name):
    head, record = RECORDS[name]
    path = tmp_path / f"{name}.bz2"
    one = bz2.compress(_repeat(record)[: 4 << 20], 9)  # bzip2 streams may follow one another in a file
    path.write_bytes(bz2.compress(head, 9) + one * 16)  # 64 MiB from a few KB
    assert_one_error_line(run_cli("info", path), match=r"unpacks to more than .* compression bomb")


def test_a_genuine_compressed_file_still_reads(tmp_path):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(200)]
    vectors = rng.normal(size=(200, 16)).astype(np.float32)
    text = "".join(f"{w} {' '.join(f'{x:.6f}' for x in row)}\n" for w, row in zip(words, vectors, strict=True))
    path = tmp_path / "vectors.txt.gz"
    path.write_bytes(gzip.compress(f"200 16\n{text}".encode()))
    outcome = run_cli("info", path)
    assert outcome.returncode == 0, outcome.describe()
    assert "200 x 16" in outcome.stdout
