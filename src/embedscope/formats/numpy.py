"""NumPy `.npy` (memory-mapped, never unpickled) and `.npz` (every 2-D numeric array, labels from a string array).

A float32 `.npy` stays a read-only memory map: opening a 1,000,000 x 300 file reads its header, then scans
the rows for NaN/Inf in blocks whose pages are handed back to the OS, so memory stays low. Other numeric
dtypes are converted to float32 in memory, with a warning. Object arrays (pickles) are refused: loading
them can run arbitrary code. In an `.npz`, a chosen array (`tensor`) is the only one read and checked;
reading them all, one that cannot be used is skipped with a warning.
"""

from __future__ import annotations

import io
import logging
import math
import os
import tempfile
import warnings
import zipfile
import zlib
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..checks import as_float32, check_finite, describe_content
from ..embedding import Collection, Embedding
from ..errors import EmbedscopeError, FormatError, IntegrityError
from ._selection import choose, missing, not_a_matrix, read_each, shape_text
from .npy_file import npy_header
from .side_files import present
from .zip_budget import ZipBudget

log = logging.getLogger(__name__)

NPY_MAGIC = b"\x93NUMPY"
LABEL_KEYS = ("labels", "label", "words", "word", "vocab", "vocabulary", "tokens", "token", "names", "name")
_PICKLE_FIX = (
    "embedscope does not unpickle (it can run code): save plain arrays, e.g. np.save(path, vectors.astype(np.float32))"
)
_NPZ_ERRORS = (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, NotImplementedError, KeyError)
_SUGGEST = {  # what a file looks like -> how to read it
    "tab-separated text": "a projector vectors TSV is read with --format tsv",
    "comma-separated text": "a CSV table is read with --format csv",
    "text": "word2vec/GloVe text is read with --format word2vec or --format glove",
    "a zip archive": "an .npz archive is read with --format npz",
    "a NumPy .npy file": "read it with --format npy",
    "a Parquet file": "read it with --format parquet",
    "an Arrow file": "read it with --format arrow",
    "an HDF5 file": "Keras weights are read with --format keras",
}


def read(path: Path, options: Any, fmt: str) -> Embedding | Collection:
    """Read `.npy` (fmt "npy") as one Embedding or `.npz` (fmt "npz") as a Collection of its 2-D arrays."""
    with path.open("rb") as fh:
        head = fh.read(1024)
    if not head:
        raise FormatError("the file is empty", path=path, fix="write the array with np.save")
    if fmt == "npz" and not head.startswith(b"PK"):
        looks = describe_content(head)
        raise FormatError(
            f"not a zip archive (.npz): it looks like {looks}",
            path=path,
            fix=_suggest(looks, "an .npz file is written by np.savez(path, vectors=vectors)"),
        )
    if head.startswith(b"PK"):
        return _read_npz(path, options)
    return _read_npy(path, options, head)


def _suggest(looks: str, default: str) -> str:
    kind = looks.split(" (", 1)[0]
    return _SUGGEST.get(kind, default)


# -- .npy --------------------------------------------------------------------------------------------
def _read_npy(path: Path, options: Any, head: bytes) -> Embedding:
    if not head.startswith(NPY_MAGIC):
        if head[:1] == b"\x80":
            raise FormatError("this is a Python pickle, not a NumPy .npy file", path=path, fix=_PICKLE_FIX)
        looks = describe_content(head)
        raise FormatError(
            f"not a NumPy .npy file: it starts with {head[:8]!r}, not {NPY_MAGIC!r}; it looks like {looks}",
            path=path,
            fix=_suggest(looks, "a .npy file is written by np.save(path, vectors)"),
        )
    shape, fortran, dtype, offset = npy_header(path)
    if dtype.hasobject:
        raise FormatError(f"the array holds Python objects (dtype {dtype}), not numbers", path=path, fix=_PICKLE_FIX)
    _check_matrix(path, shape, dtype)
    expected = offset + math.prod(shape) * dtype.itemsize  # Python ints: a forged shape cannot wrap around
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
        vectors = as_float32(np.asarray(vectors))
    check_finite(vectors, path=path)
    emb = Embedding(vectors, name=getattr(options, "name", None) or path.stem, source=str(path), checked=True)
    return _with_metadata_beside(path, emb, options)


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


def _with_metadata_beside(path: Path, emb: Embedding, options: Any) -> Embedding:
    """Attach `<stem>_metadata.tsv` written beside the .npy by `write`, unless --metadata names another."""
    beside = path.with_name(f"{path.stem}_metadata.tsv")
    if getattr(options, "metadata", None) is not None or not present(beside, what="metadata file"):
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
        archive = np.load(path, allow_pickle=False)
    except _NPZ_ERRORS as exc:
        raise FormatError(f"not a readable .npz archive ({exc})", path=path, fix="write it with np.savez") from None
    with archive:
        npz = _Npz(path, archive)
        want = getattr(options, "tensor", None)
        if want is not None:
            return _read_chosen(npz, want)
        return _read_all(npz)


class _Npz:
    """An open .npz archive whose members are read through one ZipBudget (never numpy's NpzFile.__getitem__,
    which allocates the shape a member's header declares before reading a byte of it)."""

    def __init__(self, path: Path, archive: Any) -> None:
        self.path = path
        self.archive = archive
        self.files: list[str] = list(archive.files)
        self.budget = ZipBudget(path, what=".npz")

    def member(self, key: str) -> np.ndarray:
        """One array of the archive; a damaged member, a pickle or a header larger than its data is an error."""
        names = self.archive.zip.namelist()
        name = f"{key}.npy" if f"{key}.npy" in names else key
        if not name.endswith(".npy"):
            raise FormatError("not an .npy array", path=self.path, field=key, fix="write it with np.savez")
        try:
            return self._array(key, self.budget.read(self.archive.zip, name))
        except _NPZ_ERRORS as exc:
            raise _damaged(self.path, key, exc) from None

    def _array(self, key: str, data: bytes) -> np.ndarray:
        fh = io.BytesIO(data)
        fmt = np.lib.format
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            version = fmt.read_magic(fh)
            read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
            shape, fortran, dtype = read_header(fh)
        if dtype.hasobject:
            raise FormatError(
                "Python objects (a pickle), which embedscope does not load; save strings as dtype=str",
                path=self.path,
                field=key,
                fix=_PICKLE_FIX,
            )
        count = math.prod(shape)
        need, held = count * dtype.itemsize, len(data) - fh.tell()
        if need > held:
            raise FormatError(
                f"the header declares {tuple(shape)} {dtype} = {need:,} bytes, the member holds {held:,}",
                path=self.path,
                field=key,
                fix="the archive is damaged or forged: write it again with np.savez",
            )
        array = np.frombuffer(data, dtype=dtype, count=count, offset=fh.tell()) if count else np.zeros(0, dtype)
        return array.reshape(shape, order="F" if fortran else "C")


def _damaged(path: Path, key: str, exc: Exception) -> FormatError:
    if "CRC" in str(exc):
        return IntegrityError(f"`{key}` fails its CRC-32 check ({exc})", path=path, field=key, fix="write it again")
    return FormatError(f"`{key}` cannot be read ({exc})", path=path, field=key, fix="write it with np.savez")


def _why_not(arr: np.ndarray) -> str | None:
    """Why an array cannot be vectors, or None when it can."""
    if arr.ndim != 2:
        return f"{arr.ndim}-D with shape {tuple(arr.shape)}, vectors need 2-D"
    if arr.dtype.kind not in "fiu" or arr.dtype.fields is not None:
        return f"dtype {arr.dtype} is not numbers"
    return None


def _is_labels(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "US" and arr.ndim == 1


def _read_all(npz: _Npz) -> Collection:
    path = npz.path
    arrays: dict[str, np.ndarray] = {}
    broken: dict[str, EmbedscopeError] = {}
    skipped: dict[str, str] = {}
    for key in npz.files:
        try:
            arrays[key] = npz.member(key)
        except FormatError as exc:
            if npz.budget.refused:
                raise
            broken[key] = exc
    labels = {k: a for k, a in arrays.items() if _is_labels(a)}
    matrices: list[str] = []
    for key, arr in arrays.items():
        why = None if key in labels else _why_not(arr)
        if why is not None:
            skipped[key] = why
        elif key not in labels:
            matrices.append(key)
    if not matrices and not broken:
        reasons = "; ".join(f"`{k}`: {why}" for k, why in skipped.items()) or "it holds no arrays"
        raise FormatError(
            f"no 2-D numeric array to use as vectors ({reasons})",
            path=path,
            fix="save the vectors as a 2-D N x D array: np.savez(path, vectors=vectors)",
        )
    for key, why in skipped.items():
        log.warning("%s: skipping `%s`: %s", path, key, why)
    items = [(key, partial(_embedding, path, key, arrays[key], labels)) for key in matrices]
    items += [(key, partial(_raise, exc)) for key, exc in broken.items()]
    collection = Collection(source=str(path))
    for emb in read_each(items, path=path, what="array"):
        collection.add(".", emb)
    return collection


def _raise(exc: EmbedscopeError) -> Embedding:
    raise exc


def _read_chosen(npz: _Npz, want: str) -> Collection:
    path, archive = npz.path, npz.archive
    key = choose(want, npz.files)
    if key is None:
        raise missing(want, [(k, _describe_member(archive, k)) for k in npz.files], path=path)
    arr = npz.member(key)
    if arr.ndim != 2:
        raise not_a_matrix(key, arr.shape, path=path, dtype=str(arr.dtype))
    why = _why_not(arr)
    if why is not None:
        raise FormatError(f"array `{key}`: {why}", path=path, field="tensor", fix="choose a 2-D numeric array")
    labels: dict[str, np.ndarray] = {}
    for other in npz.files:
        if other.lower() in LABEL_KEYS and other != key:
            try:
                candidate = npz.member(other)
            except FormatError as exc:
                log.warning("%s: not using `%s` as labels: %s", path, other, exc.message)
                continue
            if _is_labels(candidate):
                labels[other] = candidate
    collection = Collection(source=str(path))
    collection.add(".", _embedding(path, key, arr, labels))
    return collection


def _describe_member(archive: Any, key: str) -> str:
    """The dtype and shape a member's .npy header gives, without reading its data."""
    try:
        with archive.zip.open(f"{key}.npy") as fh:
            version = np.lib.format.read_magic(fh)
            read_header = (
                np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            )
            shape, _, dtype = read_header(fh)
    except Exception:  # a damaged member: the listing still names it
        return "unreadable"
    return f"{dtype}, shape {shape_text(shape)}"


def _embedding(path: Path, key: str, matrix: np.ndarray, labels: dict[str, np.ndarray]) -> Embedding:
    if matrix.dtype != np.float32:
        log.warning("%s: converting `%s` from %s to float32", path, key, matrix.dtype)
    vectors = as_float32(np.asarray(matrix))
    check_finite(vectors, path=path, what=f"array `{key}`", field=key)
    label_key = _label_key(labels, len(vectors))
    metadata = None if label_key is None else pa.table({"label": _strings(path, label_key, labels[label_key])})
    label_column = None if metadata is None else "label"
    return Embedding(vectors, name=key, metadata=metadata, label_column=label_column, source=str(path), checked=True)


def _label_key(arrays: dict[str, np.ndarray], n: int) -> str | None:
    names = {k.lower(): k for k, a in arrays.items() if _is_labels(a) and len(a) == n}
    return next((names[k] for k in LABEL_KEYS if k in names), None)


def _strings(path: Path, key: str, arr: np.ndarray) -> pa.Array:
    if arr.dtype.kind == "U":
        return pa.array(arr.tolist(), type=pa.string())
    try:
        return pa.array([b.decode("utf-8") for b in arr.tolist()], type=pa.string())
    except UnicodeDecodeError as exc:
        raise FormatError(f"labels are not UTF-8 ({exc})", path=path, field=key, fix="save labels as str") from None


# -- writing -----------------------------------------------------------------------------------------
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write(embedding: Embedding, path: Path) -> Path:
    """Write the vectors as float32 `.npy`, and the metadata (if any) beside it as `<stem>_metadata.tsv`."""
    path = Path(path)
    vectors = np.ascontiguousarray(embedding.vectors, dtype=np.float32)
    # write beside, then rename: the source may be this very file, memory-mapped
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.lib.format.write_array(fh, vectors, allow_pickle=False)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; the file gets the mode open() would give it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if embedding.metadata is not None and embedding.metadata.num_columns:
        from .tsv import write_metadata

        write_metadata(embedding.metadata, path.with_name(f"{path.stem}_metadata.tsv"))
    return path
