"""Helpers shared by the model-weight readers (safetensors, Keras, PyTorch): dtypes, zip members, checks."""

from __future__ import annotations

import contextlib
import logging
import mmap
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..checks import as_float32, check_finite
from ..embedding import Embedding
from ..errors import EmbedscopeError, FormatError

log = logging.getLogger(__name__)

_NAN_FIX = "fix or drop those rows in the model before exporting it, or choose another tensor with --tensor"
_ZIP_LOCAL_HEADER = struct.Struct("<4s22xHH")


def is_float_matrix(array: np.ndarray) -> bool:
    return array.ndim == 2 and array.dtype.kind == "f"


def weights_embedding(array: np.ndarray, *, name: str, path: Path, bfloat16: bool = False) -> Embedding:
    """A checked float32 Embedding of a 2-D float tensor read from a weights file (bfloat16 as uint16 bits)."""
    vectors = as_float32(array, bfloat16=bfloat16)
    check_finite(vectors, path=path, what=f"tensor `{name}`", field=name, fix=_NAN_FIX)
    return Embedding(vectors, name=name, source=str(path), checked=True)


def zip_member_data_offset(path: Path, info: zipfile.ZipInfo) -> int | None:
    """Where a stored (uncompressed) zip member's bytes start in the file, or None when it is compressed."""
    if info.compress_type != zipfile.ZIP_STORED:
        return None
    with path.open("rb") as fh:
        fh.seek(info.header_offset)
        header = fh.read(_ZIP_LOCAL_HEADER.size)
    if len(header) < _ZIP_LOCAL_HEADER.size:
        raise FormatError(f"zip member {info.filename} lies beyond the end of the file (truncated?)", path=path)
    magic, name_len, extra_len = _ZIP_LOCAL_HEADER.unpack(header)
    if magic != b"PK\x03\x04":
        raise FormatError(f"zip member {info.filename} has no local header (corrupt archive)", path=path)
    start = info.header_offset + _ZIP_LOCAL_HEADER.size + name_len + extra_len
    if start + info.file_size > path.stat().st_size:
        raise FormatError(
            f"zip member {info.filename} needs bytes up to {start + info.file_size:,} but the file has "
            f"{path.stat().st_size:,} (truncated?)",
            path=path,
        )
    return start


def map_bytes(path: Path) -> np.ndarray:
    """The whole file as a read-only uint8 memory map (an empty array for an empty file)."""
    if path.stat().st_size == 0:
        return np.zeros(0, dtype=np.uint8)
    return np.memmap(path, dtype=np.uint8, mode="r")


def release_pages(mapped: np.ndarray) -> None:
    """Drop the pages a check has read from this process's resident set; they come back from the page cache."""
    raw = getattr(mapped, "_mmap", None)
    if isinstance(raw, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        with contextlib.suppress(OSError, ValueError):
            raw.madvise(mmap.MADV_DONTNEED)


# what zipfile, zlib and h5py raise on damaged bytes
CORRUPT_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    OSError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    RuntimeError,
    EOFError,
    OverflowError,
)


@contextlib.contextmanager
def corrupt_as_format_error(path: Path, *, what: str) -> Iterator[None]:
    """Turn what a damaged archive or HDF5 file makes the libraries raise into a FormatError."""
    try:
        yield
    except EmbedscopeError:
        raise
    except CORRUPT_ERRORS as exc:
        raise FormatError(
            f"this {what} file is damaged ({type(exc).__name__}: {exc})",
            path=path,
            fix="the file may be truncated or corrupt: copy or save it again",
        ) from exc


def open_zip(path: Path, *, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FormatError(
            f"not a readable zip archive ({exc})",
            path=path,
            fix=f"{what} files are zip archives; the file may be truncated: copy or save it again",
        ) from exc
