"""PyTorch `.pt`/`.pth`/`.bin` state dicts, read without PyTorch.

Since torch 1.6 `torch.save` writes a zip: `<name>/data.pkl` (a pickle of the dict), `<name>/data/<key>`
(one member per storage, stored uncompressed), `<name>/byteorder`. We unpickle `data.pkl` with a restricted
Unpickler that knows only dicts, tensors and storages (anything else is refused, never imported or run),
and rebuild each tensor as a strided NumPy view of its memory-mapped storage. Every 2-D float tensor (nested
dicts flattened with '.') becomes an Embedding. The pre-1.6 (non-zip) format needs torch itself.
"""

from __future__ import annotations

import collections
import io
import logging
import math
import pickle
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..embedding import Collection
from ..errors import FormatError, MissingExtraError
from ._weights import (
    bfloat16_to_float32,
    corrupt_as_format_error,
    is_float_matrix,
    map_bytes,
    open_zip,
    release_pages,
    weights_embedding,
    zip_member_data_offset,
)
from .registry import ReadOptions

log = logging.getLogger(__name__)

_STORAGE_DTYPES = {
    "DoubleStorage": "f8",
    "FloatStorage": "f4",
    "HalfStorage": "f2",
    "BFloat16Storage": "u2",  # converted to float32 after striding
    "LongStorage": "i8",
    "IntStorage": "i4",
    "ShortStorage": "i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "?",
}
_SKIPPED_TOP_LEVEL = ("optimizer", "lr_scheduler", "scheduler")
_MAX_DEPTH = 100
_MAX_ELEMENTS = 1 << 36  # a sanity bound: a stride-0 view could otherwise claim any size
_STATE_DICT_FIX = "save the weights with torch.save(model.state_dict(), path) and load that file"


class _StorageType:
    """Stands for `torch.FloatStorage` & co. in the pickle; holds the dtype, cannot be called."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.dtype = _STORAGE_DTYPES.get(name)


class _StorageRef:
    """A storage loaded from the archive: its elements as a 1-D array."""

    __slots__ = ("array", "type_name")

    def __init__(self, array: np.ndarray, type_name: str) -> None:
        self.array = array
        self.type_name = type_name


class _TensorType:
    """Stands for `torch.Tensor` / `torch.nn.Parameter` where the pickle names the type of a tensor."""


class Tensor:
    """A tensor rebuilt from the pickle: a NumPy view of its storage (bfloat16 kept as uint16 bits)."""

    __slots__ = ("array", "bfloat16")

    def __init__(self, array: np.ndarray, *, bfloat16: bool) -> None:
        self.array = array
        self.bfloat16 = bfloat16

    def __setstate__(self, state: object) -> None:
        """Python attributes pickled on a tensor are ignored."""

    def numpy(self) -> np.ndarray:
        return bfloat16_to_float32(self.array) if self.bfloat16 else self.array


class _Archive:
    """The storages of one zip archive, memory-mapped where stored uncompressed."""

    def __init__(self, path: Path, zf: zipfile.ZipFile, prefix: str, byteorder: str) -> None:
        self.path = path
        self.zf = zf
        self.prefix = prefix
        self.order = ">" if byteorder == "big" else "<"
        self.mapped = map_bytes(path)
        self.storages: dict[str, _StorageRef] = {}

    def storage(self, key: str, stype: _StorageType, numel: int) -> _StorageRef:
        if key in self.storages:
            return self.storages[key]
        if stype.dtype is None:
            raise _Unsupported(stype.name)
        name = f"{self.prefix}data/{key}"
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise FormatError(f"storage {name} is missing from the archive", path=self.path) from None
        code = stype.dtype
        dtype = np.dtype(code if np.dtype(code).itemsize == 1 else f"{self.order}{code}")
        nbytes = numel * np.dtype(dtype).itemsize
        if info.file_size < nbytes:
            raise FormatError(
                f"storage {name} holds {info.file_size:,} bytes, {numel:,} x {stype.name} needs {nbytes:,}",
                path=self.path,
            )
        start = zip_member_data_offset(self.path, info)
        raw = (
            np.frombuffer(self.zf.read(name), dtype=np.uint8)
            if start is None
            else self.mapped[start : start + info.file_size]
        )
        ref = _StorageRef(raw[:nbytes].view(dtype), stype.name)
        self.storages[key] = ref
        return ref


class _Unsupported(Exception):
    """A storage type we cannot turn into numbers (complex, float8, quantized...)."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _rebuild_tensor(storage: object, offset: object, size: object, stride: object, *_: object) -> Tensor | None:
    """torch._utils._rebuild_tensor_v2: a strided view of the storage, bounds checked first."""
    if storage is None:
        return None  # a storage type we skip
    if not isinstance(storage, _StorageRef):
        raise FormatError(f"a tensor's storage is {type(storage).__name__}, not a storage")
    array, type_name = storage.array, storage.type_name
    if not (
        _is_int(offset)
        and isinstance(size, tuple | list)
        and isinstance(stride, tuple | list)
        and len(size) == len(stride)
        and all(_is_int(v) and v >= 0 for v in (offset, *size, *stride))
    ):
        raise FormatError(f"a tensor has offset {offset!r}, size {size!r}, stride {stride!r}; expected whole numbers")
    assert isinstance(offset, int)
    if math.prod(size) > _MAX_ELEMENTS:
        raise FormatError(f"a tensor of size {tuple(size)} has more than {_MAX_ELEMENTS:,} elements")
    last = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True)) if all(size) else offset - 1
    if last >= array.shape[0]:
        raise FormatError(
            f"a tensor of size {tuple(size)} and stride {tuple(stride)} at offset {offset:,} reaches element "
            f"{last:,} of a storage of {array.shape[0]:,}"
        )
    base = array[offset:] if all(size) else array[:0]
    view = np.lib.stride_tricks.as_strided(
        base, shape=tuple(size), strides=tuple(s * array.itemsize for s in stride), writeable=False
    )
    return Tensor(view, bfloat16=type_name == "BFloat16Storage")


def _rebuild_parameter(data: object, *_: object) -> object:
    """torch._utils._rebuild_parameter(_with_state): the parameter's tensor."""
    return data


def _rebuild_from_type(func: object, new_type: object, args: object, state: object = None) -> object:
    """torch._tensor._rebuild_from_type_v2: only for plain tensors and parameters."""
    if func not in (_rebuild_tensor, _rebuild_parameter) or not isinstance(new_type, _TensorType):
        raise FormatError("refusing to rebuild a tensor subclass: only tensors and dicts are loaded")
    if not isinstance(args, tuple):
        raise FormatError(f"tensor arguments are {type(args).__name__}, not a tuple")
    rebuild: Callable[..., object] = func
    return rebuild(*args)


_ALLOWED: dict[str, object] = {
    "collections.OrderedDict": collections.OrderedDict,
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type,
    "torch._tensor.Tensor": _TensorType(),
    "torch.Tensor": _TensorType(),
    "torch.nn.parameter.Parameter": _TensorType(),
}


class _Unpickler(pickle.Unpickler):
    """Loads dicts, lists, numbers, strings and tensors; refuses every other global."""

    def __init__(self, data: bytes, archive: _Archive) -> None:
        super().__init__(io.BytesIO(data))
        self.archive = archive
        self.skipped: set[str] = set()

    def find_class(self, module: str, name: str) -> Any:
        full = f"{module}.{name}"
        if full in _ALLOWED:
            return _ALLOWED[full]
        if module == "torch" and name.endswith("Storage"):
            return _StorageType(name)
        if module.startswith("torch.nn.modules") or module == "__main__":
            raise FormatError(
                f"refusing to unpickle {full}: this file holds a whole pickled model, not a state dict "
                "(only tensors and dicts are loaded)",
                path=self.archive.path,
                fix=_STATE_DICT_FIX,
            )
        raise FormatError(
            f"refusing to unpickle {full}: only tensors and dicts are loaded",
            path=self.archive.path,
            fix=f"if this is a whole pickled object, {_STATE_DICT_FIX}",
        )

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise FormatError(f"unexpected persistent id {pid!r:.80} (expected a storage)", path=self.archive.path)
        _, stype, key, _location, numel = pid
        if not isinstance(stype, _StorageType) or not isinstance(key, str) or not _is_int(numel) or numel < 0:
            raise FormatError(f"malformed storage reference {pid!r:.80}", path=self.archive.path)
        try:
            return self.archive.storage(key, stype, numel)
        except _Unsupported:
            self.skipped.add(stype.name)
            return None


def read(path: Path, options: ReadOptions, fmt: str) -> Collection:
    with corrupt_as_format_error(path, what="PyTorch"):
        return _read(path)


def _read(path: Path) -> Collection:
    with path.open("rb") as fh:
        head = fh.read(4)
    if not head:
        raise FormatError("empty file", path=path, fix="a PyTorch file is a zip archive written by torch.save")
    if head.startswith(b"PK"):
        root, mapped = _load_zip(path)
    elif head.startswith(b"\x80"):
        root, mapped = _load_legacy(path), None
    else:
        raise FormatError(
            f"not a PyTorch file: expected a zip archive or a pickle, found bytes {head!r}",
            path=path,
            fix="save it with torch.save(model.state_dict(), path)",
        )
    collection = Collection(source=str(path))
    try:
        flat = list(_flatten(root, path.stem))
    except FormatError as exc:
        raise FormatError(exc.message, path=path) from exc
    for key, array in flat:
        if is_float_matrix(array):
            collection.add(".", weights_embedding(array, name=key, path=path))
    if mapped is not None:
        release_pages(mapped)
    if not len(collection):
        raise FormatError(
            "no 2-D float tensor in this state dict to use as an embedding",
            path=path,
            fix="an embedding is a 2-D float tensor such as `embedding.weight` (num_embeddings x embedding_dim)",
        )
    return collection


def _load_zip(path: Path) -> tuple[object, np.ndarray]:
    with open_zip(path, what="PyTorch") as zf:
        names = zf.namelist()
        pickles = [n for n in names if n.endswith("data.pkl") and n.count("/") <= 1]
        if any(n.endswith(("constants.pkl", ".py")) for n in names):
            raise FormatError(
                "this is a TorchScript archive (torch.jit.save), not a state dict", path=path, fix=_STATE_DICT_FIX
            )
        if not pickles:
            raise FormatError("this zip archive has no data.pkl: not a torch.save file", path=path, fix=_STATE_DICT_FIX)
        prefix = pickles[0][: -len("data.pkl")]
        order = zf.read(f"{prefix}byteorder").decode("ascii", "replace") if f"{prefix}byteorder" in names else "little"
        archive = _Archive(path, zf, prefix, order.strip())
        unpickler = _Unpickler(zf.read(pickles[0]), archive)
        try:
            root = unpickler.load()
        except FormatError as exc:
            if exc.path is not None:
                raise
            raise FormatError(exc.message, path=path, field=exc.field, fix=exc.fix) from exc
        except Exception as exc:  # a malformed pickle can raise almost anything; it never runs code here
            raise FormatError(f"{pickles[0]} could not be unpickled ({type(exc).__name__}: {exc})", path=path) from exc
        for name in sorted(unpickler.skipped):
            log.warning("%s: skipping tensors of %s, which cannot be read as float32", path, name)
        return root, archive.mapped


def _load_legacy(path: Path) -> object:
    """torch < 1.6 wrote a bare pickle stream with storages appended; only torch itself reads it."""
    try:
        import torch
    except ImportError:
        raise MissingExtraError(
            "torch", "torch", purpose=f"{path}: reading a legacy (non-zip, torch < 1.6) PyTorch file"
        ) from None
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise FormatError(f"torch.load refused it ({exc})", path=path, fix=_STATE_DICT_FIX) from exc

    def convert(obj: object) -> object:
        if isinstance(obj, torch.Tensor):
            t = obj.detach()
            return Tensor(t.float().numpy() if t.is_floating_point() else t.numpy(), bfloat16=False)
        if isinstance(obj, dict):
            return {k: convert(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [convert(v) for v in obj]
        return obj

    return convert(loaded)


def _flatten(obj: object, name: str, prefix: str = "", depth: int = 0) -> Iterator[tuple[str, np.ndarray]]:
    """(dotted key, array) for every tensor in nested dicts and lists; optimizer state is left out."""
    if depth > _MAX_DEPTH:
        raise FormatError(f"`{prefix[:-1]:.80}` is nested more than {_MAX_DEPTH} levels deep (a cycle?)")
    if isinstance(obj, Tensor):
        yield prefix[:-1] or name, obj.numpy()
    elif isinstance(obj, dict):
        for key, value in obj.items():
            if not prefix and isinstance(key, str) and key.startswith(_SKIPPED_TOP_LEVEL):
                log.info("leaving out `%s`: optimizer and scheduler state are not embeddings", key)
                continue
            yield from _flatten(value, name, f"{prefix}{key}.", depth + 1)
    elif isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            yield from _flatten(value, name, f"{prefix}{i}.", depth + 1)


def tensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a state dict by its dotted key (float32 views where the file allows)."""
    root, _ = _load_zip(path)
    return dict(_flatten(root, path.stem))
