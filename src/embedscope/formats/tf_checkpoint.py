"""TensorFlow checkpoints (tensor bundles), read without TensorFlow.

A checkpoint `<prefix>` is `<prefix>.index`, an SSTable (see sstable.py) whose "" key holds a BundleHeaderProto
(num_shards, endianness, version) and whose other keys hold one BundleEntryProto each (dtype, shape, shard_id,
offset, size, masked crc32c, slices), plus `<prefix>.data-0000S-of-0000N` files holding the tensors' bytes.
Tensors are memory-mapped where they sit, and each one's CRC32C is checked over the bytes read. Every 2-D
float variable that is not optimizer state is offered as an Embedding named by its key.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

import google_crc32c
import numpy as np

from ..embedding import Collection, Embedding
from ..errors import FormatError, IntegrityError, NotFoundError
from . import pbtxt
from .protobuf_wire import FIXED32, WireError, as_bytes, as_int, iter_fields
from .registry import ReadOptions
from .sstable import iter_table, unmask_crc
from .tf_slices import Extent, decode_slice_key

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

    def describe(self) -> str:
        sliced = f", partitioned in {self.slices} slices" if self.slices else ""
        return f"{self.key} ({self.dtype_name}, shape {list(self.shape)}{sliced})"


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
    if entry.dtype == _BFLOAT16:
        return (raw.astype(np.uint32) << 16).view(np.float32)
    if raw.dtype == np.dtype("<f4"):
        return raw
    return np.array(raw, dtype=np.float32)


def check_finite(vectors: np.ndarray, *, what: str, path: str | Path | None) -> None:
    """Raise a FormatError naming the first row that holds NaN or Inf (checked in chunks, no full-size copy)."""
    step = max(1, (1 << 22) // max(1, vectors.shape[1]))
    for start in range(0, vectors.shape[0], step):
        ok = np.isfinite(vectors[start : start + step]).all(axis=1)
        if not ok.all():
            row = start + int(np.argmin(ok))
            raise FormatError(
                f"{what} row {row:,} holds NaN or Inf",
                path=path,
                fix="vectors must be finite numbers; a model that diverged in training has no usable embedding",
            )


class Bundle:
    """An opened checkpoint: its index parsed, its tensors read on demand."""

    def __init__(self, prefix: Path) -> None:
        self.prefix = prefix
        self.index_path = Path(f"{prefix}.index")
        try:
            data = self.index_path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError("checkpoint index not found", path=self.index_path) from None
        if not data:
            raise FormatError("the checkpoint index is empty", path=self.index_path, fix="copy it again")
        self.entries: dict[str, TensorEntry] = {}
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
                raise FormatError(f"bad entry for tensor {key!r}: {exc}", path=self.index_path) from None
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

    def entry(self, key: str) -> TensorEntry:
        if key not in self.entries:
            offered = [e.describe() for e in self.entries.values() if len(e.shape) == 2]
            raise NotFoundError(
                f"no tensor `{key}` in this checkpoint",
                path=self.index_path,
                field="tensor",
                fix=f"its 2-D tensors are: {', '.join(offered[:30]) or 'none'}",
            )
        return self.entries[key]

    def embedding_keys(self, *, required: bool = True) -> list[str]:
        """Keys of the 2-D float variables to offer, optimizer state left out."""
        keys = [
            key
            for key, e in self.entries.items()
            if len(e.shape) == 2 and e.dtype in _FLOATS and not is_optimizer_state(key)
        ]
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
        if entry.dtype not in _FLOATS:
            raise FormatError(
                f"tensor `{key}` has dtype {entry.dtype_name}; an embedding needs float32, float16, float64 "
                "or bfloat16",
                path=self.index_path,
                field="tensor",
                fix="choose a float variable",
            )
        if len(entry.shape) != 2:
            raise FormatError(
                f"tensor `{key}` has shape {list(entry.shape)}; an embedding needs a 2-D "
                "vocabulary_size x dimension matrix",
                path=self.index_path,
                field="tensor",
                fix="choose a 2-D variable",
            )
        dtype = np.dtype(_FLOATS[entry.dtype]).newbyteorder(">" if self.big_endian else "<")
        vectors = self._assemble(entry, dtype) if entry.slices else _as_float32(self._read_raw(entry, dtype), entry)
        check_finite(vectors, what=f"tensor `{key}`", path=self.index_path)
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
        if not path.is_file():
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
        have = path.stat().st_size
        if entry.offset + entry.size > have:
            raise FormatError(
                f"tensor `{entry.key}` needs bytes {entry.offset:,} to {entry.offset + entry.size:,}, but the file "
                f"has only {have:,} bytes (truncated)",
                path=path,
                fix="copy the data file again; it is incomplete",
            )
        if expected == 0:
            arr = np.zeros(entry.shape, dtype)
        else:
            arr = np.memmap(path, dtype=dtype, mode="r", offset=entry.offset, shape=entry.shape)
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
        return Embedding(self.read_matrix(key), name=name or key, source=str(self.index_path))


def _step(index: Path) -> tuple[int, float]:
    match = re.search(r"-(\d+)$", index.name[: -len(".index")])
    return (int(match.group(1)) if match else -1, index.stat().st_mtime)


def latest_checkpoint(folder: Path) -> Path | None:
    """The prefix the folder's `checkpoint` state file names, else that of its newest-step *.index file."""
    state = folder / "checkpoint"
    if state.is_file():
        message = pbtxt.read(state)
        named = message.string("model_checkpoint_path")
        if "\x00" in named:
            raise FormatError(
                "model_checkpoint_path holds a NUL character",
                path=state,
                line=message.where("model_checkpoint_path")[0],
            )
        if named:
            prefix = Path(named) if Path(named).is_absolute() else folder / named
            if Path(f"{prefix}.index").is_file():
                return prefix
            local = folder / Path(named).name
            if Path(f"{local}.index").is_file():
                log.warning("%s names %s, which is not there; using %s in the same folder", state, named, local)
                return local
            raise NotFoundError(
                f"the `checkpoint` file names {named!r}, but {prefix}.index does not exist",
                path=state,
                fix="point at a checkpoint's .index file, or fix model_checkpoint_path",
            )
    indexes = [p for p in folder.glob("*.index") if p.is_file()]
    if not indexes:
        return None
    newest = max(indexes, key=_step)
    return newest.with_name(newest.name[: -len(".index")])


def resolve_prefix(path: Path) -> Path:
    """The checkpoint prefix of a prefix, a `.index` file, a `.data-*` file or a folder."""
    if path.is_dir():
        prefix = latest_checkpoint(path)
        if prefix is None:
            raise NotFoundError(
                "no TensorFlow checkpoint here (no `checkpoint` file, no *.index file)",
                path=path,
                fix="point at a checkpoint prefix such as model.ckpt-100, or at its .index file",
            )
        return prefix
    name = path.name
    if name.endswith(".index"):
        prefix = path.with_name(name[: -len(".index")])
    elif re.search(r"\.data-\d+-of-\d+$", name):
        prefix = path.with_name(name[: name.rindex(".data-")])
    else:
        prefix = path
    if not Path(f"{prefix}.index").is_file():
        raise NotFoundError(
            f"no checkpoint index {prefix.name}.index",
            path=prefix.parent,
            fix="point at the checkpoint's prefix (model.ckpt-100), its .index file or its folder",
        )
    return prefix


def list_tensors(prefix: str | Path) -> list[tuple[str, str, tuple[int, ...]]]:
    """(key, dtype name, shape) of every tensor in the checkpoint, in key order (for `embedscope info`)."""
    bundle = Bundle(resolve_prefix(Path(prefix)))
    return [(key, e.dtype_name, e.shape) for key, e in sorted(bundle.entries.items())]


def read(path: Path, options: ReadOptions, fmt: str) -> Collection:
    """Every 2-D float variable of the checkpoint as an Embedding in run "."."""
    bundle = Bundle(resolve_prefix(path))
    collection = Collection(source=str(path))
    for key in bundle.embedding_keys():
        collection.add(".", bundle.embedding(key))
    return collection
