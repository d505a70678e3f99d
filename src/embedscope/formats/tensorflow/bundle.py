"""TensorFlow tensor bundles, read without TensorFlow: the `.index` entries and the tensors' bytes.

A checkpoint `<prefix>` is `<prefix>.index`, an SSTable (see sstable.py) whose "" key holds a BundleHeaderProto
(num_shards, endianness, version) and whose other keys hold one BundleEntryProto each (dtype, shape, shard_id,
offset, size, masked crc32c, slices), plus `<prefix>.data-0000S-of-0000N` files holding the tensors' bytes.
Tensors are memory-mapped where they sit, and each one's CRC32C is checked over the bytes read, only for the
tensors read. An entry that cannot be parsed is kept aside, so that the others can still be read.
"""

from __future__ import annotations

import logging
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import google_crc32c
import numpy as np

from ...checks import as_float32, check_finite
from ...embedding import Embedding
from ...errors import FormatError, IntegrityError, NotFoundError
from ...files import open_regular, read_regular
from .._selection import choose, missing, not_a_matrix, not_float, shape_text
from ..side_files import present
from .protobuf_wire import FIXED32, WireError, as_bytes, as_int, iter_fields
from .slices import Extent, decode_slice_key
from .sstable import iter_table, unmask_crc

log = logging.getLogger(__name__)

# TensorFlow's DataType names, by code.
_DTYPE_NAMES = (
    *("invalid", "float32", "float64", "int32", "uint8", "int16", "int8", "string", "complex64", "int64", "bool"),
    *("qint8", "quint8", "qint32", "bfloat16", "qint16", "quint16", "uint16", "complex128", "float16", "resource"),
    *("variant", "uint32", "uint64", "float8_e5m2", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e4m3b11fnuz"),
    *("float8_e5m2fnuz", "int4", "uint4"),
)
# TensorFlow DataType codes of the float types an embedding may have -> numpy storage type (bfloat16 as uint16).
_FLOATS = {1: "f4", 2: "f8", 14: "u2", 19: "f2"}
_BFLOAT16 = 14
_CRC_CHUNK = 1 << 26
_TF1_SLOT = re.compile(
    r"/(Adam|Momentum|Adagrad|AdagradDA|ProximalAdagrad|RMSProp|Ftrl|Adadelta|Nadam|Adamax|LazyAdam)(_\d+)?$"
)
_OBJECT_GRAPH = "_CHECKPOINTABLE_OBJECT_GRAPH"
_NAN_FIX = "vectors must be finite numbers (a model that diverged in training has no usable embedding)"


def dtype_name(code: int) -> str:
    """TensorFlow's name for a DataType code (`float32`, `bfloat16`, ...)."""
    return _DTYPE_NAMES[code] if 0 <= code < len(_DTYPE_NAMES) else f"dtype {code}"


def is_optimizer_state(key: str) -> bool:
    """Optimizer slots and state (TF2 `.OPTIMIZER_SLOT`, `optimizer/...`, TF1 `var/Adam`...) and the object graph."""
    return (
        ".OPTIMIZER_SLOT" in key or key.startswith("optimizer/") or key == _OBJECT_GRAPH or bool(_TF1_SLOT.search(key))
    )


@dataclass(frozen=True)
class TensorEntry:
    """One BundleEntryProto: where a tensor's bytes are and what they hold."""

    key: str
    dtype: int
    shape: tuple[int, ...]
    shard_id: int = 0
    offset: int = 0
    size: int = 0
    crc32c: int = 0
    slices: int = 0

    @property
    def dtype_name(self) -> str:
        return dtype_name(self.dtype)

    def summary(self) -> str:
        """Its dtype and shape, as in "float32, shape [50, 8]" (and the slices of a partitioned variable)."""
        sliced = f", partitioned in {self.slices} slices" if self.slices else ""
        return f"{self.dtype_name}, shape {shape_text(self.shape)}{sliced}"

    def describe(self) -> str:
        return f"{self.key} ({self.summary()})"


def _parse_shape(raw: bytes) -> tuple[int, ...]:
    dims = []
    for number, _, value in iter_fields(raw):
        if number == 2:
            size = 0
            for dim_number, _, dim_value in iter_fields(as_bytes(value)):
                if dim_number == 1:
                    size = as_int(dim_value)
            dims.append(size)
        elif number == 3 and as_int(value):
            raise WireError("the tensor's shape is of unknown rank")
    return tuple(dims)


def _parse_entry(key: str, raw: bytes) -> TensorEntry:
    fields: dict[str, int] = {"dtype": 0, "shard_id": 0, "offset": 0, "size": 0, "crc32c": 0, "slices": 0}
    shape: tuple[int, ...] = ()
    names = {1: "dtype", 3: "shard_id", 4: "offset", 5: "size"}
    for number, wire, value in iter_fields(raw):
        if number in names:
            fields[names[number]] = as_int(value)
        elif number == 2:
            shape = _parse_shape(as_bytes(value))
        elif number == 6:
            if wire != FIXED32:
                raise WireError("crc32c is not a fixed32 field")
            fields["crc32c"] = as_int(value)
        elif number == 7:
            fields["slices"] += 1
    if any(d < 0 for d in shape) or fields["offset"] < 0 or fields["size"] < 0:
        raise WireError(f"negative shape, offset or size ({list(shape)}, {fields['offset']}, {fields['size']})")
    return TensorEntry(key=key, shape=shape, **fields)


def _as_float32(raw: np.ndarray, entry: TensorEntry) -> np.ndarray:
    """Stored floats as float32: little-endian float32 stays as it is (memory-mapped), the rest is converted."""
    return as_float32(raw, bfloat16=entry.dtype == _BFLOAT16)


class Bundle:
    """An opened checkpoint: its index parsed, its tensors read on demand.

    Its files are opened as regular files only; with `root` (a log dir), each must lie under it, links resolved.
    """

    def __init__(self, prefix: Path, *, root: Path | None = None) -> None:
        self.prefix = prefix
        self.root = root
        self.index_path = Path(f"{prefix}.index")
        data = read_regular(self.index_path, root=root, what="checkpoint index")
        if not data:
            raise FormatError("the checkpoint index is empty", path=self.index_path, fix="copy it again")
        self.entries: dict[str, TensorEntry] = {}
        self.broken: dict[str, FormatError] = {}  # entries that cannot be parsed, by key
        self.slices: dict[str, list[tuple[tuple[Extent, ...], TensorEntry]]] = {}
        header: bytes | None = None
        for raw_key, value in iter_table(data, path=self.index_path):
            key = raw_key.decode("utf-8", errors="replace")
            try:
                if not raw_key:
                    header = value
                elif raw_key[:1] == b"\x00":  # the slice of a partitioned variable
                    name, extents = decode_slice_key(raw_key)
                    key = f"{name} slice {[list(e) for e in extents]}"
                    self.slices.setdefault(name, []).append((extents, _parse_entry(key, value)))
                else:
                    self.entries[key] = _parse_entry(key, value)
            except WireError as exc:
                self.broken[key] = FormatError(f"bad entry for tensor `{key}`: {exc}", path=self.index_path, field=key)
        if header is None:
            raise FormatError("the checkpoint index has no header entry", path=self.index_path)
        self.num_shards, self.big_endian = self._parse_header(header)

    def _parse_header(self, raw: bytes) -> tuple[int, bool]:
        num_shards, endianness, min_consumer = 1, 0, 0
        try:
            for number, _, value in iter_fields(raw):
                if number == 1:
                    num_shards = as_int(value)
                elif number == 2:
                    endianness = as_int(value)
                elif number == 3:
                    for v_number, _, v_value in iter_fields(as_bytes(value)):
                        min_consumer = as_int(v_value) if v_number == 2 else min_consumer
        except WireError as exc:
            raise FormatError(f"bad checkpoint header: {exc}", path=self.index_path) from None
        if min_consumer > 1:
            raise FormatError(
                f"this checkpoint needs a reader of bundle version {min_consumer} or newer; embedscope reads version 1",
                path=self.index_path,
            )
        return max(num_shards, 1), endianness == 1

    def data_path(self, shard: int) -> Path:
        return Path(f"{self.prefix}.data-{shard:05d}-of-{self.num_shards:05d}")

    def resolve(self, want: str) -> str:
        """The key `want` names (exact, else without `/.ATTRIBUTES/VARIABLE_VALUE`); else list every tensor."""
        key = choose(want, [*self.entries, *self.broken])
        if key is None:
            listing = [(k, e.summary()) for k, e in sorted(self.entries.items())]
            listing += [(k, "unreadable entry") for k in self.broken]
            raise missing(want, listing, path=self.index_path)
        return key

    def entry(self, key: str) -> TensorEntry:
        key = self.resolve(key)
        if key in self.broken:
            raise self.broken[key]
        return self.entries[key]

    def embedding_keys(self, *, required: bool = True) -> list[str]:
        """Keys of the 2-D float variables to offer (and of unreadable entries), optimizer state left out."""
        keys = [
            key
            for key, e in self.entries.items()
            if len(e.shape) == 2 and e.dtype in _FLOATS and not is_optimizer_state(key)
        ]
        keys += [key for key in self.broken if not is_optimizer_state(key)]
        if not keys and required:
            listing = ", ".join(e.describe() for e in list(self.entries.values())[:30])
            raise FormatError(
                f"no 2-D float variable to offer as an embedding among {len(self.entries)} tensors: {listing}",
                path=self.index_path,
                fix="an embedding is a vocabulary_size x dimension float matrix; optimizer slots are not offered",
            )
        return keys

    def read_matrix(self, key: str) -> np.ndarray:
        """A 2-D float tensor as float32 (memory-mapped when stored as little-endian float32), CRC checked."""
        entry = self.entry(key)
        key = entry.key
        if len(entry.shape) != 2:
            raise not_a_matrix(key, entry.shape, path=self.index_path, dtype=entry.dtype_name)
        if entry.dtype not in _FLOATS:
            raise not_float(key, entry.dtype_name, path=self.index_path)
        dtype = np.dtype(_FLOATS[entry.dtype]).newbyteorder(">" if self.big_endian else "<")
        vectors = self._assemble(entry, dtype) if entry.slices else _as_float32(self._read_raw(entry, dtype), entry)
        check_finite(vectors, path=self.index_path, what=f"tensor `{key}`", field=key, fix=_NAN_FIX)
        return vectors

    def _assemble(self, entry: TensorEntry, dtype: np.dtype) -> np.ndarray:
        """A partitioned variable put together from its slices (each one CRC checked)."""
        parts = self.slices.get(entry.key, [])
        if len(parts) != entry.slices:
            raise FormatError(
                f"variable `{entry.key}` lists {entry.slices} slices, but the index holds {len(parts)}",
                path=self.index_path,
                fix="the index is incomplete or corrupt; copy the checkpoint again",
            )
        out = np.empty(entry.shape, np.float32)
        filled = 0
        for extents, part in parts:
            region = tuple(
                slice(start, full if length < 0 else start + length)
                for (start, length), full in zip(extents, entry.shape, strict=False)
            )
            want = tuple(r.stop - r.start for r in region)
            fits = len(extents) == len(entry.shape) and all(
                r.stop <= n for r, n in zip(region, entry.shape, strict=True)
            )
            if not fits or part.shape != want or part.dtype != entry.dtype:
                raise FormatError(
                    f"`{part.key}` ({part.dtype_name}, shape {list(part.shape)}) does not fit variable "
                    f"`{entry.key}` ({entry.dtype_name}, shape {list(entry.shape)})",
                    path=self.index_path,
                )
            out[region] = _as_float32(self._read_raw(part, dtype), part)
            filled += math.prod(want)
        if filled != math.prod(entry.shape):
            raise FormatError(
                f"the slices of variable `{entry.key}` cover {filled:,} of its {math.prod(entry.shape):,} values",
                path=self.index_path,
            )
        return out

    def _read_raw(self, entry: TensorEntry, dtype: np.dtype) -> np.ndarray:
        if entry.shard_id >= self.num_shards:
            raise FormatError(
                f"tensor `{entry.key}` names data shard {entry.shard_id}, but the header says {self.num_shards}",
                path=self.index_path,
            )
        path = self.data_path(entry.shard_id)
        if not present(path, what="checkpoint data shard", root=self.root):
            raise NotFoundError(
                f"data shard {path.name} of tensor `{entry.key}` is missing",
                path=path,
                fix=f"copy every {self.prefix.name}.data-*-of-{self.num_shards:05d} file together with the .index",
            )
        expected = math.prod(entry.shape) * dtype.itemsize
        if entry.size != expected:
            raise FormatError(
                f"tensor `{entry.key}` has {entry.size:,} bytes in the index, but shape {list(entry.shape)} of "
                f"{entry.dtype_name} needs {expected:,}",
                path=self.index_path,
            )
        with open_regular(path, root=self.root, what="checkpoint data shard") as fh:
            return self._checked(entry, dtype, path, fh)

    def _checked(self, entry: TensorEntry, dtype: np.dtype, path: Path, fh: IO[bytes]) -> np.ndarray:
        """The tensor's bytes from the opened data shard `fh`, memory-mapped, their CRC32C checked."""
        have = os.fstat(fh.fileno()).st_size
        if entry.offset + entry.size > have:
            raise FormatError(
                f"tensor `{entry.key}` needs bytes {entry.offset:,} to {entry.offset + entry.size:,}, but the file "
                f"has only {have:,} bytes (truncated)",
                path=path,
                fix="copy the data file again; it is incomplete",
            )
        if entry.size == 0:
            arr = np.zeros(entry.shape, dtype)
        else:
            arr = np.memmap(fh, dtype=dtype, mode="r", offset=entry.offset, shape=entry.shape)
        flat = arr.reshape(-1).view(np.uint8)
        crc = 0
        for start in range(0, flat.size, _CRC_CHUNK):
            crc = google_crc32c.extend(crc, flat[start : start + _CRC_CHUNK])
        stored = unmask_crc(entry.crc32c)
        if crc != stored:
            raise IntegrityError(
                f"tensor `{entry.key}`: CRC32C mismatch (stored {stored:#010x}, computed {crc:#010x} over "
                f"{entry.size:,} bytes at offset {entry.offset:,})",
                path=path,
                fix="the data file is corrupt or was changed after saving; copy the checkpoint again",
            )
        return arr

    def embedding(self, key: str, *, name: str | None = None) -> Embedding:
        key = self.resolve(key)
        return Embedding(self.read_matrix(key), name=name or key, source=str(self.index_path), checked=True)
