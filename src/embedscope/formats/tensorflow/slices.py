"""Index keys of the slices of partitioned TensorFlow variables (TensorFlow's OrderedCode encoding).

A variable saved in slices (TF1 partitioned variables, TF2 checkpoints saved with a sharding policy such as
`tf.train.experimental.MaxShardSizePolicy`) has a full entry listing its slices, and one entry per slice under
the key: NumIncreasing(0), String(name), NumIncreasing(rank), then SignedNumIncreasing(start) and
SignedNumIncreasing(length) per dimension (length -1 for a whole dimension).
"""

from __future__ import annotations

from .protobuf_wire import WireError

Extent = tuple[int, int]  # (start, length); length -1 means the whole dimension


def _unsigned(buf: bytes, pos: int) -> tuple[int, int]:
    """NumIncreasing: a length byte, then that many big-endian bytes."""
    if pos >= len(buf):
        raise WireError("slice key ends before a number")
    n = buf[pos]
    if n > 8 or pos + 1 + n > len(buf):
        raise WireError(f"bad number length {n} in a slice key")
    return int.from_bytes(buf[pos + 1 : pos + 1 + n], "big"), pos + 1 + n


def _signed(buf: bytes, pos: int) -> tuple[int, int]:
    """SignedNumIncreasing: two's complement, its first bits XORed with as many ones as it has bytes."""
    if pos >= len(buf):
        raise WireError("slice key ends before a signed number")
    mask = 0 if buf[pos] & 0x80 else 0xFF  # negative numbers are stored with every bit inverted
    first = buf[pos] ^ mask
    if first != 0xFF:
        n = 8 - (first ^ 0xFF).bit_length()
    else:
        second = buf[pos + 1] ^ mask if pos + 1 < len(buf) else 0
        third = buf[pos + 2] ^ mask if pos + 2 < len(buf) else 0
        if second < 0x80:
            n = 8
        elif second < 0xC0:
            n = 9
        elif second == 0xC0 and third < 0x80:
            n = 10
        else:
            raise WireError("bad signed number in a slice key")
    if pos + n > len(buf):
        raise WireError("signed number runs past the end of a slice key")
    bits = 8 * n
    twos = int.from_bytes(buf[pos : pos + n], "big") ^ (((1 << n) - 1) << (bits - n))
    value = twos - (1 << bits) if twos >> (bits - 1) else twos
    return value, pos + n


def _string(buf: bytes, pos: int) -> tuple[bytes, int]:
    """String: 0x00 escaped as 00 FF, 0xFF as FF 00, ended by 00 01."""
    out = bytearray()
    while pos + 1 < len(buf):
        byte, after = buf[pos], buf[pos + 1]
        if byte == 0x00 and after == 0x01:
            return bytes(out), pos + 2
        if byte in (0x00, 0xFF):
            if after != (0xFF if byte == 0x00 else 0x00):
                raise WireError("bad escape in a slice key's name")
            out.append(byte)
            pos += 2
        else:
            out.append(byte)
            pos += 1
    raise WireError("slice key's name is not terminated")


def decode_slice_key(key: bytes) -> tuple[str, tuple[Extent, ...]]:
    """The variable name and the (start, length) extents of a slice's key."""
    zero, pos = _unsigned(key, 0)
    if zero != 0:
        raise WireError("a slice key must start with the number 0")
    name, pos = _string(key, pos)
    rank, pos = _unsigned(key, pos)
    extents = []
    for _ in range(rank):
        start, pos = _signed(key, pos)
        length, pos = _signed(key, pos)
        if start < 0 or length < -1:
            raise WireError(f"bad slice extent ({start}, {length})")
        extents.append((start, length))
    if pos != len(key):
        raise WireError("trailing bytes after a slice key")
    return name.decode("utf-8", errors="replace"), tuple(extents)
