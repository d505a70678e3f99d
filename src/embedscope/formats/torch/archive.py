"""The zip archive `torch.save` writes (torch >= 1.6), read without PyTorch.

`<name>/data.pkl` is a pickle of the dict, `<name>/data/<key>` one member per storage (stored uncompressed),
`<name>/byteorder` the byte order. The pickle is read by a restricted Unpickler that knows only dicts,
tensors and storages (anything else is refused, never imported or run); each tensor is rebuilt as a strided
NumPy view of its memory-mapped storage, read only when its values are asked for.
"""

from __future__ import annotations

import collections
import io
import logging
import math
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

from ...checks import as_float32
from ...errors import FormatError
from .._weights import corrupt_as_format_error, map_bytes, open_zip, zip_member_data_offset
from ..bounded_pickle import BoundedUnpickler, WorkBudget, unwrap
from ..zip_budget import ZipBudget

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
FLOAT_STORAGES = ("DoubleStorage", "FloatStorage", "HalfStorage", "BFloat16Storage")
# a tensor may claim at most this multiple of the file's size (plus a MiB): a stride-0 view of a one-element
# storage could otherwise claim any size, and converting it to float32 would allocate all of it
MAX_CLAIM_RATIO = 64
_MAX_RANK = 64  # NumPy's limit too
STATE_DICT_FIX = "save the weights with torch.save(model.state_dict(), path) and load that file"


class _StorageType:
    """Stands for `torch.FloatStorage` & co. in the pickle; holds the dtype, cannot be called."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.dtype = _STORAGE_DTYPES.get(name)


class _StorageRef:
    """A storage of the archive, read (memory-mapped where stored uncompressed) only when a tensor needs it."""

    __slots__ = ("_array", "archive", "key", "numel", "stype")

    def __init__(self, archive: Storages, key: str, stype: _StorageType, numel: int) -> None:
        self.archive = archive
        self.key = key
        self.stype = stype
        self.numel = numel
        self._array: np.ndarray | None = None

    @property
    def type_name(self) -> str:
        return self.stype.name

    @property
    def array(self) -> np.ndarray:
        if self._array is None:
            self._array = self.archive.load(self.key, self.stype, self.numel)
        return self._array


class _TensorType:
    """Stands for `torch.Tensor` / `torch.nn.Parameter` where the pickle names the type of a tensor."""


class Tensor:
    """A tensor rebuilt from the pickle: shape and type known at once, its values read only when asked for.

    A tensor whose layout does not fit its storage keeps the error, raised when its values are asked for.
    """

    __slots__ = ("_array", "error", "offset", "shape", "storage", "stride", "type_name")

    def __init__(
        self,
        storage: _StorageRef | None,
        offset: int,
        shape: tuple[int, ...],
        stride: tuple[int, ...],
        *,
        type_name: str,
        array: np.ndarray | None = None,
        error: FormatError | None = None,
    ) -> None:
        self.storage = storage
        self.offset = offset
        self.shape = shape
        self.stride = stride
        self.type_name = type_name
        self._array = array
        self.error = error

    @classmethod
    def of(cls, array: np.ndarray) -> Tensor:
        """A tensor holding an array already in memory (the legacy format, read by torch)."""
        kind = "FloatStorage" if array.dtype.kind == "f" else "LongStorage"
        return cls(None, 0, tuple(array.shape), (), type_name=kind, array=array)

    def __setstate__(self, state: object) -> None:
        """Python attributes pickled on a tensor are ignored."""

    @property
    def bfloat16(self) -> bool:
        return self.type_name == "BFloat16Storage"

    @property
    def is_float(self) -> bool:
        return self.type_name in FLOAT_STORAGES

    def raw(self) -> np.ndarray:
        """The values as stored (bfloat16 as uint16 bits): a strided view of the storage."""
        if self.error is not None:
            raise self.error
        if self._array is None:
            assert self.storage is not None
            array = self.storage.array
            base = array[self.offset :] if all(self.shape) else array[:0]
            strides = tuple(s * array.itemsize for s in self.stride)
            self._array = np.lib.stride_tricks.as_strided(base, shape=self.shape, strides=strides, writeable=False)
        return self._array

    def numpy(self) -> np.ndarray:
        return as_float32(self.raw(), bfloat16=True) if self.bfloat16 else self.raw()


class Storages:
    """The storages a pickle refers to, by key, each read only when a tensor needs it (see load)."""

    def __init__(self, path: Path, byteorder: str) -> None:
        self.path = path
        self.order = ">" if byteorder == "big" else "<"
        self.mapped = map_bytes(path)
        self.storages: dict[str, _StorageRef] = {}

    @property
    def claim_limit(self) -> int:
        """The most bytes one tensor may claim: MAX_CLAIM_RATIO times the file's size, plus a MiB."""
        return MAX_CLAIM_RATIO * int(self.mapped.shape[0]) + (1 << 20)

    def storage(self, key: str, stype: _StorageType, numel: int) -> _StorageRef:
        if key in self.storages:
            return self.storages[key]
        if stype.dtype is None:
            raise _Unsupported(stype.name)
        ref = _StorageRef(self, key, stype, numel)
        self.storages[key] = ref
        return ref

    def dtype(self, stype: _StorageType) -> np.dtype[Any]:
        assert stype.dtype is not None
        code = stype.dtype
        return np.dtype(code if np.dtype(code).itemsize == 1 else f"{self.order}{code}")

    def load(self, key: str, stype: _StorageType, numel: int) -> np.ndarray:
        raise NotImplementedError


class _Archive(Storages):
    """The storages of one zip archive, memory-mapped where stored uncompressed."""

    def __init__(self, path: Path, zf: zipfile.ZipFile, prefix: str, byteorder: str, budget: ZipBudget) -> None:
        super().__init__(path, byteorder)
        self.zf = zf
        self.budget = budget
        self.prefix = prefix

    def load(self, key: str, stype: _StorageType, numel: int) -> np.ndarray:
        """A storage's elements as a 1-D array; a member missing or too short is an error naming it."""
        name = f"{self.prefix}data/{key}"
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise FormatError(f"storage {name} is missing from the archive", path=self.path) from None
        dtype = self.dtype(stype)
        nbytes = numel * dtype.itemsize
        if info.file_size < nbytes:
            raise FormatError(
                f"storage {name} holds {info.file_size:,} bytes, {numel:,} x {stype.name} needs {nbytes:,}",
                path=self.path,
            )
        start = zip_member_data_offset(self.path, info)
        if start is not None:
            return self.mapped[start : start + info.file_size][:nbytes].view(dtype)
        with corrupt_as_format_error(self.path, what="PyTorch"), zipfile.ZipFile(self.path) as zf:
            return np.frombuffer(self.budget.read(zf, info), dtype=np.uint8)[:nbytes].view(dtype)


class _Unsupported(Exception):
    """A storage type we cannot turn into numbers (complex, float8, quantized...)."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _rebuild_tensor(storage: object, offset: object, size: object, stride: object, *_: object) -> Tensor | None:
    """torch._utils._rebuild_tensor_v2: a strided view of the storage, its bounds checked first."""
    if storage is None:
        return None  # a storage type we skip
    if not isinstance(storage, _StorageRef):
        raise FormatError(f"a tensor's storage is {type(storage).__name__}, not a storage")
    if isinstance(size, tuple | list) and len(size) > _MAX_RANK:  # before walking it: a shared size is cheap
        raise FormatError(f"a tensor has {len(size):,} dimensions; at most {_MAX_RANK} are read")
    if not (
        _is_int(offset)
        and isinstance(size, tuple | list)
        and isinstance(stride, tuple | list)
        and len(size) == len(stride)
        and all(_is_int(v) and v >= 0 for v in (offset, *size, *stride))
    ):
        raise FormatError(f"a tensor has offset {offset!r}, size {size!r}, stride {stride!r}; expected whole numbers")
    assert isinstance(offset, int)
    shape, steps = tuple(int(v) for v in size), tuple(int(v) for v in stride)
    error = None
    claimed = math.prod(shape) * np.dtype(storage.stype.dtype or "u1").itemsize
    if claimed > storage.archive.claim_limit:
        error = FormatError(
            f"a tensor of size {shape} claims {claimed:,} bytes, over {MAX_CLAIM_RATIO}x the file's size "
            f"({storage.archive.claim_limit:,} bytes): converting it would allocate far more than the file holds",
            path=storage.archive.path,
            fix="save the tensor itself (tensor.contiguous().clone()), not a view repeating a small storage (stride 0)",
        )
    last = offset + sum((n - 1) * s for n, s in zip(shape, steps, strict=True)) if all(shape) else offset - 1
    if last >= storage.numel:
        error = FormatError(
            f"a tensor of size {shape} and stride {steps} at offset {offset:,} reaches element "
            f"{last:,} of a storage of {storage.numel:,}",
            path=storage.archive.path,
        )
    return Tensor(storage, offset, shape, steps, type_name=storage.type_name, error=error)


def _rebuild_parameter(data: object, *_: object) -> object:
    """torch._utils._rebuild_parameter(_with_state): the parameter's tensor."""
    return data


def _rebuild_from_type(func: object, new_type: object, args: object, state: object = None) -> object:
    """torch._tensor._rebuild_from_type_v2: only for plain tensors and parameters."""
    func = unwrap(func)
    if func not in (_rebuild_tensor, _rebuild_parameter) or not isinstance(new_type, _TensorType):
        raise FormatError("refusing to rebuild a tensor subclass: only tensors and dicts are loaded")
    if not isinstance(args, tuple):
        raise FormatError(f"tensor arguments are {type(args).__name__}, not a tuple")
    rebuild: Callable[..., object] = func
    return rebuild(*args)


_ALLOWED: dict[str, object] = {
    "collections.OrderedDict": collections.OrderedDict,
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor,
    "torch._utils._rebuild_tensor": _rebuild_tensor,  # torch < 1.0
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type,
    "torch._tensor.Tensor": _TensorType(),
    "torch.Tensor": _TensorType(),
    "torch.nn.parameter.Parameter": _TensorType(),
}


class Unpickler(BoundedUnpickler):
    """Loads dicts, lists, numbers, strings and tensors; refuses every other global; its calls are charged."""

    def __init__(self, file: IO[bytes], archive: Storages, budget: WorkBudget) -> None:
        super().__init__(file, budget)
        self.archive = archive
        self.skipped: set[str] = set()

    def find_class(self, module: str, name: str) -> Any:
        full = f"{module}.{name}"
        if full in _ALLOWED:
            found = _ALLOWED[full]
            return self.budget.call(found) if callable(found) else found
        if module == "torch" and name.endswith("Storage"):
            return _StorageType(name)
        if module.startswith("torch.nn.modules") or module == "__main__":
            raise FormatError(
                f"refusing to unpickle {full}: this file holds a whole pickled model, not a state dict "
                "(only tensors and dicts are loaded)",
                path=self.archive.path,
                fix=STATE_DICT_FIX,
            )
        raise FormatError(
            f"refusing to unpickle {full}: only tensors and dicts are loaded",
            path=self.archive.path,
            fix=f"if this is a whole pickled object, {STATE_DICT_FIX}",
        )

    def persistent_load(self, pid: Any) -> Any:
        self.budget.charge(1)
        if isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage" and pid[5] is not None:
            raise FormatError(
                "this legacy file holds storage views (torch < 0.4), which are not read",
                path=self.archive.path,
                fix=f"load it with torch and {STATE_DICT_FIX}",
            )
        if isinstance(pid, tuple) and len(pid) == 4 and pid[0] == "module":
            raise FormatError(
                "this file holds a whole pickled model, not a state dict", path=self.archive.path, fix=STATE_DICT_FIX
            )
        if not (isinstance(pid, tuple) and len(pid) in (5, 6) and pid[0] == "storage"):
            raise FormatError(f"unexpected persistent id {pid!r:.80} (expected a storage)", path=self.archive.path)
        _, stype, key, _location, numel = pid[:5]
        if not isinstance(stype, _StorageType) or not isinstance(key, str) or not _is_int(numel) or numel < 0:
            raise FormatError(f"malformed storage reference {pid!r:.80}", path=self.archive.path)
        try:
            return self.archive.storage(key, stype, numel)
        except _Unsupported:
            self.skipped.add(stype.name)
            return None


def load_zip(path: Path) -> tuple[object, np.ndarray]:
    with open_zip(path, what="PyTorch") as zf:
        names = zf.namelist()
        pickles = [n for n in names if n.endswith("data.pkl") and n.count("/") <= 1]
        if any(n.endswith(("constants.pkl", ".py")) for n in names):
            raise FormatError(
                "this is a TorchScript archive (torch.jit.save), not a state dict", path=path, fix=STATE_DICT_FIX
            )
        if not pickles:
            raise FormatError("this zip archive has no data.pkl: not a torch.save file", path=path, fix=STATE_DICT_FIX)
        prefix = pickles[0][: -len("data.pkl")]
        budget = ZipBudget(path, what="PyTorch")
        order = "little"
        if f"{prefix}byteorder" in names:
            order = budget.read(zf, f"{prefix}byteorder").decode("ascii", "replace")
        archive = _Archive(path, zf, prefix, order.strip(), budget)
        data = budget.read(zf, pickles[0])
        unpickler = Unpickler(io.BytesIO(data), archive, WorkBudget(len(data), path=path, what="PyTorch"))
        return unpickle(unpickler, pickles[0]), archive.mapped


def unpickle(unpickler: Unpickler, what: str) -> object:
    """The object the unpickler loads; anything but our own errors becomes a FormatError naming `what`."""
    path = unpickler.archive.path
    try:
        root = unpickler.load()
    except FormatError as exc:
        if exc.path is not None:
            raise
        raise FormatError(exc.message, path=path, field=exc.field, fix=exc.fix) from exc
    except Exception as exc:  # a malformed pickle can raise almost anything; it never runs code here
        raise FormatError(f"{what} could not be unpickled ({type(exc).__name__}: {exc})", path=path) from exc
    for name in sorted(unpickler.skipped):
        log.warning("%s: skipping tensors of %s, which cannot be read as float32", path, name)
    return root
