"""The format torch.save wrote before 1.6, read without PyTorch and without trusting its declared sizes.

The file is five pickles and then the storages: a magic number, the protocol version, `sys_info`, the object
(its storages as persistent ids `("storage", type, key, location, numel, None)`), the list of storage keys;
then for each key in that order an 8-byte little-endian element count and the storage's bytes. torch.load
allocates every storage the pickle declares before reading a byte of it (a 649-byte file can ask for gigabytes);
here every storage's place and size are checked against the file's size first, and its bytes are memory-mapped.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import IO, Any

import numpy as np

from ...errors import FormatError
from ..bounded_pickle import BoundedUnpickler, WorkBudget
from .archive import STATE_DICT_FIX, Storages, Unpickler, _StorageType, unpickle

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
_OTHER_SIZES = {  # element sizes of storage types we skip, to find the storages after them
    "ComplexFloatStorage": 8,
    "ComplexDoubleStorage": 16,
    "QInt8Storage": 1,
    "QUInt8Storage": 1,
    "QInt32Storage": 4,
}


class _Plain(BoundedUnpickler):
    """The small pickles around the object: numbers, strings, lists and dicts only."""

    def find_class(self, module: str, name: str) -> Any:
        raise FormatError(f"unexpected global {module}.{name} in a legacy PyTorch header")


class _LegacyStorages(Storages):
    """Storages laid out one after another at the end of the file, found by walking their size headers."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, "little")
        self.declared: dict[str, tuple[str, int]] = {}  # key -> (storage type, element count), as the pickle says
        self.places: dict[str, int] = {}  # key -> offset of its bytes in the file

    def storage(self, key: str, stype: _StorageType, numel: int) -> Any:
        self.declared.setdefault(key, (stype.name, numel))
        return super().storage(key, stype, numel)

    def locate(self, fh: IO[bytes], keys: object) -> None:
        """Walk the storages after the pickles, checking each count and size against the file before use."""
        size = int(self.mapped.shape[0])
        if not isinstance(keys, list) or not all(isinstance(k, str) and k in self.declared for k in keys):
            raise FormatError(f"the storage list {keys!r:.80} does not match the storages the pickle names")
        at = fh.tell()
        for key in keys:
            kind, numel = self.declared[key]
            stype = _StorageType(kind)
            itemsize = self.dtype(stype).itemsize if stype.dtype is not None else _OTHER_SIZES.get(kind)
            if itemsize is None:
                raise FormatError(f"storage {key} is a {kind}, whose size is unknown", fix=STATE_DICT_FIX)
            head = bytes(self.mapped[at : at + 8])
            found = struct.unpack("<q", head)[0] if len(head) == 8 else None
            if found != numel or at + 8 + numel * itemsize > size:
                raise FormatError(
                    f"storage {key} ({numel:,} x {kind} = {numel * itemsize:,} bytes) does not fit: at byte {at:,} "
                    f"the file says {found if found is not None else 'nothing'} elements, and holds {size:,} bytes "
                    "in all (truncated, or sizes forged to make a reader allocate)",
                    fix="save the file again: torch.save(model.state_dict(), path)",
                )
            self.places[key] = at + 8
            at += 8 + numel * itemsize

    def load(self, key: str, stype: _StorageType, numel: int) -> np.ndarray:
        if key not in self.places:
            raise FormatError(f"storage {key} is missing from the file", path=self.path)
        start = self.places[key]
        dtype = self.dtype(stype)
        return self.mapped[start : start + numel * dtype.itemsize].view(dtype)


def load_legacy(path: Path) -> tuple[object, np.ndarray]:
    """The object of a torch < 1.6 file, its tensors over memory-mapped storages, and the map."""
    budget = WorkBudget.of_file(path, what="PyTorch")
    storages = _LegacyStorages(path)
    with path.open("rb") as fh:
        magic, version, _sys_info = (_header(fh, budget, path) for _ in range(3))
        if magic != MAGIC_NUMBER or version != PROTOCOL_VERSION:
            raise FormatError(
                f"not a torch.save file: magic number {magic!r:.40} and version {version!r:.40}",
                path=path,
                fix=STATE_DICT_FIX,
            )
        root = unpickle(Unpickler(fh, storages, budget), "the pickle")
        try:
            storages.locate(fh, _header(fh, budget, path))
        except FormatError as exc:
            raise FormatError(exc.message, path=path, fix=exc.fix) from None
    return root, storages.mapped


def _header(fh: IO[bytes], budget: WorkBudget, path: Path) -> object:
    try:
        return _Plain(fh, budget).load()
    except FormatError:
        raise
    except Exception as exc:  # a damaged pickle raises almost anything; it runs no code here
        raise FormatError(f"not a readable legacy PyTorch file ({type(exc).__name__}: {exc})", path=path) from None
