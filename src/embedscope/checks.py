"""The checks every reader shares: float32 conversion, NaN/Inf scans, and decoding text as UTF-8.

Positions in messages are 1-based: "row 3, column 2" for a tensor, "line L, column C" for a text file (C is
the character on that line for an encoding error).
"""

from __future__ import annotations

import contextlib
import mmap
from collections.abc import Sequence
from os import PathLike
from typing import Any

import numpy as np

from .errors import FormatError

_SCAN_BYTES = 32 << 20  # bytes checked for NaN/Inf at a time: no full-size temporary for a big matrix
_WIDE_SAMPLE = 1024
_FINITE_FIX = "NaN and infinity cannot be shown or compared: fix or drop that row before loading"
BOM = b"\xef\xbb\xbf"

PathLikeStr = str | PathLike[str]


# -- numbers ----------------------------------------------------------------------------------------------
def bfloat16_to_float32(bits: np.ndarray) -> np.ndarray:
    """bfloat16 stored as uint16 bit patterns -> float32 (the same bits in the upper half)."""
    return (bits.astype(np.uint32) << 16).view(np.float32)


def as_float32(array: np.ndarray, *, bfloat16: bool = False) -> np.ndarray:
    """Native float32 of any numeric array; native float32 comes back as it is (a memory map stays one).

    `bfloat16=True` says the array holds bfloat16 bit patterns as uint16 (how files store them); an array of
    the `ml_dtypes` bfloat16 type (JAX, TensorFlow) is recognised by its dtype name. Values too large for
    float32 become inf, which `check_finite` then reports.
    """
    if bfloat16 or array.dtype.name == "bfloat16":
        return bfloat16_to_float32(array.view(np.uint16) if array.dtype.itemsize == 2 else array)
    if array.dtype == np.float32 and array.dtype.isnative:
        return array
    with np.errstate(over="ignore", invalid="ignore"):
        return array.astype(np.float32)


def _mapping(array: np.ndarray) -> mmap.mmap | None:
    """The read-only memory map under `array` (through views), or None for an array in memory."""
    base: Any = array
    for _ in range(64):
        if isinstance(base, np.memmap):
            raw = getattr(base, "_mmap", None)
            if isinstance(raw, mmap.mmap):
                return raw if getattr(base, "mode", "r") == "r" else None
        if isinstance(base, mmap.mmap):
            return base
        base = getattr(base, "base", None)
        if base is None:
            return None
    return None


def is_memory_mapped(array: np.ndarray) -> bool:
    """Whether `array`'s memory is a file mapping: an mmap under it, through views.

    Being an np.memmap is not enough: numpy keeps that class for copies in memory (`astype`, `copy`).
    """
    base: Any = array
    for _ in range(64):
        if isinstance(base, mmap.mmap):
            return True
        base = getattr(base, "base", None)
        if base is None:
            return False
    return False


def _release(raw: mmap.mmap | None) -> None:
    """Hand the pages a scan has read back to the OS (they stay in the page cache, not in this process)."""
    if raw is not None and hasattr(mmap, "MADV_DONTNEED"):
        with contextlib.suppress(OSError, ValueError):
            raw.madvise(mmap.MADV_DONTNEED)


def find_non_finite(array: np.ndarray) -> tuple[int, int] | None:
    """0-based (row, column) of the first NaN/Inf of a 2-D array in row order, or None when all are finite.

    Scanned in blocks along the array's memory order; a memory map's pages are handed back after each block,
    so checking a large file costs no resident memory.
    """
    if array.size == 0 or array.dtype.kind not in "fc":
        return None
    raw = _mapping(array)
    transposed = not array.flags.c_contiguous and array.flags.f_contiguous
    blocks = array.T if transposed else array
    step = max(1, _SCAN_BYTES // max(1, blocks.shape[1] * blocks.itemsize))
    found = False
    for start in range(0, blocks.shape[0], step):
        block = blocks[start : start + step]
        ok = np.isfinite(block)
        _release(raw)
        if not ok.all():
            if not transposed:
                row, col = (int(i) for i in np.argwhere(~ok)[0])
                return start + row, col
            found = True
            break
    if not found:
        return None
    # column-major data: find the first bad row, one block of rows at a time
    step = max(1, _SCAN_BYTES // max(1, array.shape[1] * array.itemsize))
    for start in range(0, array.shape[0], step):
        ok = np.isfinite(array[start : start + step])
        if not ok.all():
            row, col = (int(i) for i in np.argwhere(~ok)[0])
            return start + row, col
    return None  # pragma: no cover - the first pass found one


def check_finite(
    array: np.ndarray,
    *,
    path: PathLikeStr | None,
    what: str = "",
    field: str | None = None,
    labels: Sequence[str] | None = None,
    fix: str | None = None,
) -> None:
    """Raise a FormatError naming the first NaN/Inf as "`what` row R, column C holds nan" (1-based).

    `labels`, when given, name each row's word in the message.
    """
    bad = find_non_finite(array)
    if bad is None:
        return
    row, col = bad
    value = float(array[row, col])
    row_for = f" (row for {labels[row]!r})" if labels is not None and row < len(labels) else ""
    head = f"{what} " if what else ""
    raise FormatError(
        f"{head}row {row + 1:,}, column {col + 1:,} holds {value}, expected a finite number{row_for}",
        path=path,
        field=field,
        fix=fix or _FINITE_FIX,
    )


# -- text -------------------------------------------------------------------------------------------------
def wide_encoding(head: bytes) -> str | None:
    """The wide encoding ("UTF-16", "UTF-32") the first bytes show by a byte-order mark or NUL bytes, else None."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = head[:_WIDE_SAMPLE]
    if len(sample) < 16 or b"\x00" not in sample:
        return None
    sample = sample[: len(sample) // 4 * 4]

    def nul_share(part: bytes) -> float:
        return part.count(0) / max(1, len(part))

    by_four = sorted(nul_share(sample[i::4]) for i in range(4))
    if by_four[0] < 0.1 and by_four[1] > 0.7:  # ASCII in UTF-32: three NULs to a character
        return "UTF-32"
    even, odd = nul_share(sample[0::2]), nul_share(sample[1::2])
    if min(even, odd) < 0.1 and max(even, odd) > 0.3:  # ASCII in UTF-16: a NUL every other byte
        return "UTF-16"
    return None


def check_not_wide(head: bytes, *, path: PathLikeStr | None) -> None:
    """Raise when a text file is UTF-16 or UTF-32 rather than UTF-8."""
    encoding = wide_encoding(head)
    if encoding is not None:
        raise FormatError(
            f"is {encoding}, expected UTF-8",
            path=path,
            fix=reencode_fix(encoding),
        )


def reencode_fix(encoding: str | None = None) -> str:
    """How to make a file UTF-8; without a known source encoding, Latin-1 stands as the example."""
    if encoding is None:
        return "save it as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8, naming its real encoding)"
    return f"save it as UTF-8 (e.g. iconv -f {encoding} -t UTF-8)"


def position(data: bytes, offset: int, *, first_line: int = 1) -> tuple[int, int]:
    """1-based (line, character column) of byte `offset` in `data` (whose first line is `first_line`)."""
    line = data.count(b"\n", 0, offset) + first_line
    start = data.rfind(b"\n", 0, offset) + 1
    if start == 0 and data.startswith(BOM):
        start = len(BOM)
    return line, len(data[start:offset].decode("utf-8", "replace")) + 1


def utf8_error(
    data: bytes,
    exc: UnicodeDecodeError,
    *,
    path: PathLikeStr | None,
    first_line: int = 1,
    what: str = "",
    fix: str | None = None,
) -> FormatError:
    """A FormatError for bytes of `data` that are not UTF-8: line, column, the byte, and how to re-encode."""
    offset = exc.start
    line, column = position(data, offset, first_line=first_line)
    head = f"{what} " if what else ""
    return FormatError(
        f"{head}is not UTF-8: byte 0x{data[offset]:02x} cannot be decoded",
        path=path,
        line=line,
        column=column,
        fix=fix or reencode_fix(),
    )


def decode_text(data: bytes, *, path: PathLikeStr | None) -> str:
    """UTF-8 text (with or without a BOM); UTF-16/32 or undecodable bytes are a FormatError saying where."""
    check_not_wide(data[:_WIDE_SAMPLE], path=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise utf8_error(data, exc, path=path) from None


def describe_content(head: bytes) -> str:
    """What the first bytes of a file look like, for a message such as "it looks like tab-separated text"."""
    if not head:
        return "an empty file"
    for magic, what in (
        (b"\x93NUMPY", "a NumPy .npy file"),
        (b"PK\x03\x04", "a zip archive"),
        (b"PAR1", "a Parquet file"),
        (b"ARROW1", "an Arrow file"),
        (b"\x89HDF", "an HDF5 file"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"\x1f\x8b", "a gzip file"),
        (b"BZh", "a bzip2 file"),
    ):
        if head.startswith(magic):
            return what
    if head[:1] == b"\x80":
        return "a Python pickle"
    encoding = wide_encoding(head)
    if encoding is not None:
        return f"{encoding} text"
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:
            return "binary data"
        text = head[: exc.start].decode("utf-8-sig")
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
        return "binary data"
    first = text.split("\n", 1)[0].rstrip("\r")
    kind = "tab-separated text" if "\t" in first else "comma-separated text" if "," in first else "text"
    shown = first if len(first) <= 40 else first[:40] + "…"
    return f"{kind} (first line {shown!r})"
