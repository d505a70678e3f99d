"""The protocol-buffer wire format, read by hand: varints, fixed32/64 and length-delimited fields.

Only what TensorFlow's checkpoint index needs (BundleHeaderProto, BundleEntryProto, TensorShapeProto,
TensorSliceProto); no protobuf dependency. Malformed input raises WireError, which callers turn into a
FormatError naming the file and key.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

VARINT = 0
FIXED64 = 1
LENGTH_DELIMITED = 2
FIXED32 = 5


class WireError(Exception):
    """Bytes that are not a valid protocol-buffer message."""


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """Decode the varint starting at `pos`; return (value, position after it)."""
    result = 0
    shift = 0
    end = len(buf)
    while True:
        if pos >= end:
            raise WireError(f"varint runs past the end of the data at byte {pos}")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise WireError(f"varint longer than 10 bytes ending at byte {pos}")


def iter_fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """Yield (field number, wire type, value) for each field: ints for varint/fixed, bytes for length-delimited."""
    pos = 0
    end = len(buf)
    while pos < end:
        tag, pos = read_varint(buf, pos)
        number, wire = tag >> 3, tag & 7
        if number == 0:
            raise WireError(f"field number 0 at byte {pos}")
        value: int | bytes
        if wire == VARINT:
            value, pos = read_varint(buf, pos)
        elif wire == FIXED64:
            if pos + 8 > end:
                raise WireError(f"fixed64 field {number} runs past the end")
            (value,) = struct.unpack_from("<Q", buf, pos)
            pos += 8
        elif wire == FIXED32:
            if pos + 4 > end:
                raise WireError(f"fixed32 field {number} runs past the end")
            (value,) = struct.unpack_from("<I", buf, pos)
            pos += 4
        elif wire == LENGTH_DELIMITED:
            length, pos = read_varint(buf, pos)
            if pos + length > end:
                raise WireError(f"field {number} of {length} bytes runs past the end")
            value = bytes(buf[pos : pos + length])
            pos += length
        else:
            raise WireError(f"unsupported wire type {wire} for field {number}")
        yield number, wire, value


def as_int(value: int | bytes, *, signed: bool = True) -> int:
    """A varint field's value as an int (int32/int64 negatives are 10-byte two's complement)."""
    if isinstance(value, bytes):
        raise WireError("expected a number, found a length-delimited field")
    if signed and value >= 1 << 63:
        value -= 1 << 64
    return value


def as_bytes(value: int | bytes) -> bytes:
    if not isinstance(value, bytes):
        raise WireError("expected a length-delimited field, found a number")
    return value
