"""NumPy `.npy` (memory-mapped, never unpickled) and `.npz` (every 2-D numeric array, labels from a string array).

A float32 `.npy` stays a read-only memory map: opening a 1,000,000 x 300 file reads its header, then scans
the rows for NaN/Inf in blocks whose pages are handed back to the OS, so memory stays low. Other numeric
dtypes are converted to float32 in memory, with a warning. Object arrays (pickles) are refused: loading
them can run arbitrary code.
"""

from __future__ import annotations

import logging
import mmap
import os
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..embedding import Collection, Embedding
from ..errors import EmbedscopeError, FormatError, IntegrityError

log = logging.getLogger(__name__)

NPY_MAGIC = b"\x93NUMPY"
LABEL_KEYS = ("labels", "label", "words", "word", "vocab", "vocabulary", "tokens", "token", "names", "name")
_PICKLE_FIX = (
    "embedscope does not unpickle (it can run code): save plain arrays, e.g. np.save(path, vectors.astype(np.float32))"
)
_SCAN_BYTES = 32 << 20


def read(path: Path, options: Any, fmt: str) -> Embedding | Collection:
    """Read `.npy` (fmt "npy") as one Embedding or `.npz` (fmt "npz") as a Collection of its 2-D arrays."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise FormatError("the file is empty", path=path, fix="write the array with np.save")
    if head.startswith(b"PK") or fmt == "npz":
        return _read_npz(path, options)
    return _read_npy(path, options, head)


# -- .npy --------------------------------------------------------------------------------------------
def _read_npy(path: Path, options: Any, head: bytes) -> Embedding:
    if not head.startswith(NPY_MAGIC):
        if head[:1] == b"\x80":
            raise FormatError("this is a Python pickle, not a NumPy .npy file", path=path, fix=_PICKLE_FIX)
        raise FormatError(
            f"not a NumPy .npy file: it starts with {head!r}, not {NPY_MAGIC!r}",
            path=path,
            fix="name its format with --format",
        )
    shape, fortran, dtype, offset = _npy_header(path)
    if dtype.hasobject:
        raise FormatError(f"the array holds Python objects (dtype {dtype}), not numbers", path=path, fix=_PICKLE_FIX)
    _check_matrix(path, shape, dtype)
    expected = offset + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    size = path.stat().st_size
    if size < expected:
        raise FormatError(
            f"truncated: the header says {shape} {dtype} = {expected - offset:,} bytes of data, "
            f"the file holds {max(size - offset, 0):,}",
            path=path,
            fix="the file is cut short: write it again",
        )
    if 0 in shape:
        vectors: np.ndarray = np.zeros(shape, dtype=np.float32)
    else:
        vectors = np.memmap(path, dtype=dtype, mode="r", shape=shape, order="F" if fortran else "C", offset=offset)
    if vectors.dtype != np.float32:
        log.warning("%s: converting %s to float32 in memory (only float32 .npy files are memory-mapped)", path, dtype)
        with np.errstate(over="ignore"):  # too large for float32 becomes inf, refused below
            vectors = np.asarray(vectors, dtype=np.float32)
    _check_finite(path, vectors, key=None)
    emb = Embedding(vectors, name=getattr(options, "name", None) or path.stem, source=str(path))
    return _with_metadata_beside(path, emb, options)


def _npy_header(path: Path) -> tuple[tuple[int, ...], bool, np.dtype[Any], int]:
    fmt = np.lib.format
    with path.open("rb") as fh:
        try:
            version = fmt.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = fmt.read_array_header_1_0(fh)
            else:
                shape, fortran, dtype = fmt.read_array_header_2_0(fh)
        except Exception as exc:  # numpy parses the header with tokenize/ast: many kinds of error for bad bytes
            raise FormatError(
                f"the .npy header cannot be read ({exc})", path=path, fix="the file is damaged: write it again"
            ) from None
        return tuple(int(s) for s in shape), bool(fortran), dtype, fh.tell()


def _check_matrix(path: Path, shape: tuple[int, ...], dtype: np.dtype[Any], key: str | None = None) -> None:
    if len(shape) != 2:
        raise FormatError(
            f"expected a 2-D N x D matrix, found {len(shape)}-D with shape {shape}",
            path=path,
            field=key,
            fix="save a vocabulary_size x embedding_size array (reshape it to (N, D) first)",
        )
    if dtype.kind not in "fiu" or dtype.fields is not None:
        raise FormatError(
            f"expected numbers, found dtype {dtype}",
            path=path,
            field=key,
            fix="save the vectors as float32: np.save(path, vectors.astype(np.float32))",
        )


def _check_finite(path: Path, vectors: np.ndarray, *, key: str | None) -> None:
    """Raise naming the first row with NaN/Inf; a memory map is scanned in blocks whose pages are released."""
    if vectors.size == 0:
        return
    transposed = not vectors.flags.c_contiguous
    blocks = vectors.T if transposed else vectors
    step = max(1, _SCAN_BYTES // max(1, blocks.shape[1] * blocks.itemsize))
    mapping = getattr(vectors, "_mmap", None)
    for start in range(0, blocks.shape[0], step):
        block = blocks[start : start + step]
        if not np.isfinite(block).all():
            i, j = (int(x[0]) for x in np.nonzero(~np.isfinite(block)))
            row, col = (j, start + i) if transposed else (start + i, j)
            raise FormatError(
                f"row {row:,} holds {vectors[row, col]} at column {col:,}: expected finite numbers",
                path=path,
                field=key,
                fix="replace NaN/Inf values (or drop those rows) before saving",
            )
        if mapping is not None and hasattr(mmap, "MADV_DONTNEED"):
            mapping.madvise(mmap.MADV_DONTNEED)  # the pages stay in the page cache, not in this process


def _with_metadata_beside(path: Path, emb: Embedding, options: Any) -> Embedding:
    """Attach `<stem>_metadata.tsv` written beside the .npy by `write`, unless --metadata names another."""
    beside = path.with_name(f"{path.stem}_metadata.tsv")
    if getattr(options, "metadata", None) is not None or not beside.is_file():
        return emb
    from . import tsv

    try:
        metadata = tsv.read_metadata(beside, n=len(emb))
    except EmbedscopeError as exc:
        log.warning("%s is beside %s but does not fit it (%s); not using it", beside.name, path.name, exc)
        return emb
    log.info("%s: metadata from %s", path, beside.name)
    return emb.with_metadata(metadata)


# -- .npz --------------------------------------------------------------------------------------------
def _read_npz(path: Path, options: Any) -> Collection:
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays, skipped = _npz_members(path, archive)
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, NotImplementedError) as exc:
        if "CRC" in str(exc):
            raise IntegrityError(f"a member fails its CRC-32 check ({exc})", path=path, fix="write it again") from None
        raise FormatError(f"not a readable .npz archive ({exc})", path=path, fix="write it with np.savez") from None
    matrices = {k: a for k, a in arrays.items() if a.ndim == 2 and a.dtype.kind in "fiu"}
    if not matrices:
        reasons = "; ".join(f"`{k}`: {why}" for k, why in skipped.items()) or "it holds no arrays"
        raise FormatError(
            f"no 2-D numeric array to use as vectors ({reasons})",
            path=path,
            fix="save the vectors as a 2-D N x D array: np.savez(path, vectors=vectors)",
        )
    for key, why in skipped.items():
        log.warning("%s: skipping `%s`: %s", path, key, why)
    collection = Collection(source=str(path))
    for key, matrix in matrices.items():
        if matrix.dtype != np.float32:
            log.warning("%s: converting `%s` from %s to float32", path, key, matrix.dtype)
        with np.errstate(over="ignore"):
            vectors = np.asarray(matrix, dtype=np.float32)
        _check_finite(path, vectors, key=key)
        label_key = _label_key(arrays, len(vectors))
        metadata = None if label_key is None else pa.table({"label": _strings(path, label_key, arrays[label_key])})
        label_column = None if metadata is None else "label"
        collection.add(
            ".", Embedding(vectors, name=key, metadata=metadata, label_column=label_column, source=str(path))
        )
    return collection


def _npz_members(path: Path, archive: Any) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    arrays: dict[str, np.ndarray] = {}
    skipped: dict[str, str] = {}
    for key in archive.files:
        try:
            arr = archive[key]
        except ValueError as exc:
            if "Object arrays" not in str(exc) and "pickle" not in str(exc):
                raise
            skipped[key] = "Python objects (a pickle), which embedscope does not load; save strings as dtype=str"
            continue
        if arr.dtype.kind in "US" and arr.ndim == 1:
            arrays[key] = arr
        elif arr.ndim != 2:
            skipped[key] = f"{arr.ndim}-D with shape {tuple(arr.shape)}, vectors need 2-D"
        elif arr.dtype.kind not in "fiu" or arr.dtype.fields is not None:
            skipped[key] = f"dtype {arr.dtype} is not numbers"
        else:
            arrays[key] = arr
    return arrays, skipped


def _label_key(arrays: dict[str, np.ndarray], n: int) -> str | None:
    names = {k.lower(): k for k, a in arrays.items() if a.dtype.kind in "US" and len(a) == n}
    return next((names[k] for k in LABEL_KEYS if k in names), None)


def _strings(path: Path, key: str, arr: np.ndarray) -> pa.Array:
    if arr.dtype.kind == "U":
        return pa.array(arr.tolist(), type=pa.string())
    try:
        return pa.array([b.decode("utf-8") for b in arr.tolist()], type=pa.string())
    except UnicodeDecodeError as exc:
        raise FormatError(f"labels are not UTF-8 ({exc})", path=path, field=key, fix="save labels as str") from None


# -- writing -----------------------------------------------------------------------------------------
def write(embedding: Embedding, path: Path) -> Path:
    """Write the vectors as float32 `.npy`, and the metadata (if any) beside it as `<stem>_metadata.tsv`."""
    path = Path(path)
    vectors = np.ascontiguousarray(embedding.vectors, dtype=np.float32)
    # write beside, then rename: the source may be this very file, memory-mapped
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.lib.format.write_array(fh, vectors, allow_pickle=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if embedding.metadata is not None and embedding.metadata.num_columns:
        from .tsv import write_metadata

        write_metadata(embedding.metadata, path.with_name(f"{path.stem}_metadata.tsv"))
    return path
