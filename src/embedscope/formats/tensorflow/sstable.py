"""LevelDB-style sorted string tables, the format of a TensorFlow checkpoint's `.index` file.

Layout: data blocks, a metaindex block, an index block, and a 48-byte footer (metaindex and index BlockHandles
as varint pairs, zero padding to 40 bytes, then the 8-byte magic number). A block holds entries
`shared | non_shared | value_length (varints) | key delta | value` with prefix-compressed keys, then an array
of uint32 restart offsets and their count. Each block is followed by a 5-byte trailer: the compression type
and the masked CRC32C of the block plus that type byte.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import google_crc32c

from ...errors import FormatError, IntegrityError
from .protobuf_wire import WireError, read_varint

TABLE_MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
TRAILER_SIZE = 5
_MASK_DELTA = 0xA282EAD8
_NO_COMPRESSION = 0
_COMPRESSIONS = {1: "snappy", 2: "zlib"}
_KEY_EXPANSION = 16  # key bytes a table may expand to, per byte of the table (real ones: a few)
_KEY_ALLOWANCE = 1 << 20


def mask_crc(crc: int) -> int:
    """LevelDB's masked CRC: rotate right by 15 bits and add a constant (mod 2**32)."""
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def unmask_crc(masked: int) -> int:
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


def _truncated(path: Path, what: str) -> FormatError:
    return FormatError(
        f"the checkpoint index is truncated or corrupt: {what}",
        path=path,
        fix="copy the .index file again; it must be complete (it is written last when TensorFlow saves)",
    )


def _handle(buf: bytes, pos: int, path: Path, what: str) -> tuple[int, int, int]:
    try:
        offset, pos = read_varint(buf, pos)
        size, pos = read_varint(buf, pos)
    except WireError as exc:
        raise _truncated(path, f"bad {what} block handle ({exc})") from None
    return offset, size, pos


def read_block(data: bytes, offset: int, size: int, *, path: Path, what: str) -> bytes:
    """The contents of the block at (offset, size), its trailer's CRC checked."""
    end = offset + size
    if end + TRAILER_SIZE > len(data):
        raise _truncated(path, f"the {what} block at byte {offset:,} ({size:,} bytes) runs past the end of the file")
    contents = data[offset:end]
    kind = data[end]
    (stored,) = struct.unpack_from("<I", data, end + 1)
    actual = google_crc32c.extend(google_crc32c.value(contents), data[end : end + 1])
    if unmask_crc(stored) != actual:
        raise IntegrityError(
            f"CRC32C mismatch in the {what} block at byte {offset:,}: stored {unmask_crc(stored):#010x}, "
            f"computed {actual:#010x}",
            path=path,
            fix="the index file is corrupt; copy it again from where the checkpoint was saved",
        )
    if kind != _NO_COMPRESSION:
        name = _COMPRESSIONS.get(kind, f"type {kind}")
        raise FormatError(
            f"the {what} block is compressed ({name}); only uncompressed blocks are supported",
            path=path,
            fix="TensorFlow writes checkpoint indexes uncompressed; re-save the checkpoint with TensorFlow",
        )
    return contents


class KeyBudget:
    """The bytes of keys a table may expand to. A prefix-compressed entry of 3 bytes can repeat a long key, so
    a small table could make gigabytes of keys; real tables expand a few times over, never this budget."""

    def __init__(self, size: int, *, path: Path) -> None:
        self.limit = _KEY_EXPANSION * size + _KEY_ALLOWANCE
        self.left, self.path = self.limit, path

    def spend(self, key: bytes) -> None:
        self.left -= len(key)
        if self.left < 0:
            raise _truncated(
                self.path, f"its keys expand to more than {self.limit:,} bytes, far more than a real index holds"
            )


def iter_block(
    block: bytes, *, path: Path, what: str, budget: KeyBudget | None = None
) -> Iterator[tuple[bytes, bytes]]:
    """Yield (key, value) for each entry of a block, undoing the prefix compression of keys."""
    if len(block) < 4:
        raise _truncated(path, f"the {what} block is {len(block)} bytes, too short for its restart count")
    (num_restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    limit = len(block) - 4 * (num_restarts + 1)
    if limit < 0:
        raise _truncated(path, f"the {what} block claims {num_restarts:,} restart points in {len(block)} bytes")
    budget = budget or KeyBudget(len(block), path=path)
    pos = 0
    key = b""
    try:
        while pos < limit:
            shared, pos = read_varint(block, pos)
            non_shared, pos = read_varint(block, pos)
            value_length, pos = read_varint(block, pos)
            if shared > len(key) or pos + non_shared + value_length > limit:
                raise WireError(f"entry at byte {pos} runs past its block")
            key = key[:shared] + block[pos : pos + non_shared]
            budget.spend(key)
            pos += non_shared
            yield key, block[pos : pos + value_length]
            pos += value_length
    except WireError as exc:
        raise _truncated(path, f"bad entry in the {what} block ({exc})") from None


def iter_table(data: bytes, *, path: Path) -> Iterator[tuple[bytes, bytes]]:
    """Yield every (key, value) of an SSTable held in `data`, in key order, checking each block's CRC.

    Data blocks must follow one another through the file, as a table writer lays them out: a handle that repeats
    or overlaps an earlier block is refused, so that each byte is decoded once (and keys may expand only so far).
    """
    if len(data) < FOOTER_SIZE:
        raise _truncated(path, f"{len(data)} bytes, shorter than the {FOOTER_SIZE}-byte footer")
    footer = data[-FOOTER_SIZE:]
    (magic,) = struct.unpack_from("<Q", footer, FOOTER_SIZE - 8)
    if magic != TABLE_MAGIC:
        raise FormatError(
            f"not a TensorFlow checkpoint index: bad magic number {magic:#018x} (expected {TABLE_MAGIC:#018x})",
            path=path,
            fix="point at the checkpoint's .index file (or its prefix, such as model.ckpt-100); "
            "a truncated copy also loses its magic number",
        )
    _, _, pos = _handle(footer, 0, path, "metaindex")
    index_offset, index_size, _ = _handle(footer, pos, path, "index")
    index = read_block(data, index_offset, index_size, path=path, what="index")
    budget = KeyBudget(len(data), path=path)
    next_free = 0  # where the next data block may start
    for _, handle in iter_block(index, path=path, what="index", budget=budget):
        offset, size, _ = _handle(handle, 0, path, "data")
        if offset < next_free:
            raise _truncated(
                path,
                f"a data block handle points at byte {offset:,}, inside or before the block that ends at byte "
                f"{next_free:,} (each block is listed once, in file order)",
            )
        block = read_block(data, offset, size, path=path, what="data")
        next_free = offset + size + TRAILER_SIZE
        yield from iter_block(block, path=path, what="data", budget=budget)
