"""Makers of hostile files for the tests of readers whose cost could outgrow their input (test_bombs_*.py).

Each maker writes a small file into a test's tmp_path: zip archives written by hand (so that a member's header
can lie, and a deflate stream of a gigabyte of zeros costs a megabyte and no time to make), pickles that name
torch's globals without importing torch, and legacy torch.save files.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

PIECE = 16 << 20  # zeros per repeated deflate piece


def deflate(head: bytes = b"", zeros: int = 0) -> bytes:
    """A raw deflate stream of `head` then `zeros` zero bytes (a multiple of PIECE), made in well under a second."""
    assert zeros % PIECE == 0
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = first.compress(head) + first.flush(zlib.Z_FULL_FLUSH)
    if zeros:
        again = zlib.compressobj(9, zlib.DEFLATED, -15)
        piece = again.compress(bytes(PIECE)) + again.flush(zlib.Z_FULL_FLUSH)  # independent of what came before
        out += piece * (zeros // PIECE)
    return out + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def write_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip of (name, data as stored, declared uncompressed size, method) members; CRCs are left 0 when deflated."""
    body, central = b"", b""
    for name, data, size, method in members:
        raw = name.encode()
        crc = zlib.crc32(data) if method == 0 else 0
        offset = len(body)
        body += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 33, crc, len(data), size, len(raw), 0)
        body += raw + data
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 33, crc, len(data), size, len(raw), 0, 0, 0,
            0, 0, offset,
        )  # fmt: skip
        central += raw
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(body), 0)
    path.write_bytes(body + central + end)
    return path


def stored(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    return (name, data, len(data), 0)


def npy_header(shape: tuple[int, ...], dtype: str = "<f4") -> bytes:
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    text = repr(header).encode("latin1")
    pad = 64 - (10 + len(text) + 1) % 64
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text) + pad + 1) + text + b" " * pad + b"\n"


# -- pickles naming torch's globals ----------------------------------------------------------------------------
class Global:
    """A global the pickle names (module, name) without importing it; calling it is a REDUCE."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args: Any) -> Any:
        return Call(self, args)


class Call:
    """REDUCE `func(*args)`, then BUILD with `state` when given."""

    def __init__(self, func: Global, args: tuple[Any, ...], state: Any = None) -> None:
        self.func, self.args, self.state = func, args, state

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.func, self.args) if self.state is None else (self.func, self.args, self.state)


class Storage:
    def __init__(self, key: str, numel: int, kind: str = "FloatStorage", legacy: bool = False) -> None:
        self.key, self.numel, self.kind, self.legacy = key, numel, kind, legacy


class _Pickler(pickle._Pickler):  # type: ignore[name-defined,misc]
    def save(self, obj: Any, save_persistent_id: bool = True) -> None:
        if isinstance(obj, Global):
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
            return
        super().save(obj, save_persistent_id)

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, Storage):
            pid = ("storage", Global("torch", obj.kind), obj.key, "cpu", obj.numel)
            return (*pid, None) if obj.legacy else pid
        return None


def dumps(obj: Any, protocol: int = 2) -> bytes:
    import io

    out = io.BytesIO()
    _Pickler(out, protocol=protocol).dump(obj)
    return out.getvalue()


REBUILD = Global("torch._utils", "_rebuild_tensor_v2")
ORDERED_DICT = Global("collections", "OrderedDict")


def tensor(storage: Storage, shape: tuple[int, ...], stride: tuple[int, ...] | None = None) -> Call:
    stride = stride or tuple(int(np.prod(shape[i + 1 :])) for i in range(len(shape)))
    return REBUILD(storage, 0, shape, stride, False, ORDERED_DICT())


def torch_zip(path: Path, root: Any, storages: dict[str, bytes] | None = None) -> Path:
    members = [stored("archive/data.pkl", dumps(root)), stored("archive/byteorder", b"little")]
    members += [stored(f"archive/data/{key}", data) for key, data in (storages or {}).items()]
    return write_zip(path, members)


def legacy_pt(path: Path, root: Any, storages: dict[str, tuple[int, bytes]]) -> Path:
    """A torch < 1.6 file: magic, version, sys_info pickles, the object, the keys, then (numel, bytes) each."""
    sys_info = {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}
    out = b"".join(pickle.dumps(v, protocol=2) for v in (0x1950A86A20F9469CFC6C, 1001, sys_info))
    out += dumps(root) + pickle.dumps(sorted(storages), protocol=2)
    for key in sorted(storages):
        numel, data = storages[key]
        out += struct.pack("<q", numel) + data
    path.write_bytes(out)
    return path
