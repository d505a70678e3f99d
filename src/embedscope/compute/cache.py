"""On-disk cache of projection results, keyed by a hash of the data and of every parameter.

An entry is one uncompressed ``.npz`` file holding the result arrays and a JSON ``__meta__`` record. It is
written to a temporary file in the same folder and moved into place with ``os.replace``, so a reader sees either
the whole entry or none. The cache folder is ``$EMBEDSCOPE_CACHE_DIR``, else ``$XDG_CACHE_HOME/embedscope``, else
``~/.cache/embedscope``; projections go to its ``projections/`` subfolder. An entry is opened as a regular file
under the cache folder (`files.open_regular`), and a damaged one is a miss: warned about, removed, computed again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import weakref
import zipfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EmbedscopeError, NotFoundError, ParameterError
from ..files import open_regular

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
META = "__meta__"
HASH_CHUNK = 1 << 26  # bytes per chunk digest (64 MiB)
_KEY = re.compile(r"[0-9a-f]{64}")

Entry = tuple[dict[str, np.ndarray], dict[str, Any]]  # an entry's arrays and its metadata
Check = Callable[[dict[str, np.ndarray], dict[str, Any]], None]  # raises when an entry's content does not fit


def cache_root() -> Path:
    """The cache folder (not created): $EMBEDSCOPE_CACHE_DIR, $XDG_CACHE_HOME/embedscope or ~/.cache/embedscope."""
    explicit = os.environ.get("EMBEDSCOPE_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "embedscope"


def _canonical(value: Any) -> Any:
    """JSON-ready form in which equal parameters look the same (30 == 30.0, tuples as lists, numpy as Python)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_canonical(v) for v in value)
    if isinstance(value, np.ndarray):
        return {"array": data_hash(value)}
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise ParameterError(f"cannot use a {type(value).__name__} in a cache key: {value!r}", field="key")


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def make_key(**parts: Any) -> str:
    """sha256 of the canonical JSON of `parts` (sorted keys, no spaces), with the cache format version."""
    doc = {"format": FORMAT_VERSION, **_canonical(parts)}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ProjectionCache:
    """Projection results on disk: ``key(**parts)`` names an entry, ``get``/``put`` read and write it."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else cache_root() / "projections"

    def key(self, **parts: Any) -> str:
        return make_key(**parts)

    def path(self, key: str) -> Path:
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ParameterError(f"a cache key is 64 lowercase hex digits, got {key!r}", field="key")
        return self.directory / f"{key}.npz"

    def get(self, key: str, *, check: Check | None = None) -> Entry | None:
        """The arrays and metadata stored under `key`, or None when there is no such entry.

        A damaged entry is a miss too: anything that fails while reading it (an empty or cut file, a zip of other
        content, compressed members, text or NaN arrays, metadata that is not a JSON object, a FIFO or a link out
        of the cache folder) and anything `check(arrays, meta)` raises is logged as a warning, and the entry is
        removed so that the projection is computed and stored again.
        """
        path = self.path(key)
        try:
            arrays, meta = _read_entry(path, self.directory)
            if check is not None:
                check(arrays, meta)
        except NotFoundError:
            return None
        except Exception as exc:  # whatever the damage, the entry is a miss (it is only a cache)
            reason = exc.message if isinstance(exc, EmbedscopeError) else f"{type(exc).__name__}: {exc}"
            log.warning("ignoring unreadable cache entry %s (%s): removed, to be computed again", path, reason)
            self._remove(path)
            return None
        return arrays, meta

    @staticmethod
    def _remove(path: Path) -> None:
        """Remove a damaged entry (a link itself, not what it points to; a folder only when empty)."""
        try:
            path.unlink()
        except IsADirectoryError:
            with suppress(OSError):
                path.rmdir()
        except OSError as exc:
            log.warning("could not remove the damaged cache entry %s (%s)", path, exc)

    def put(self, key: str, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> bool:
        """Store `arrays` and `meta` under `key` atomically. Returns False (and logs) if the disk refuses."""
        path = self.path(key)
        payload = self._payload(arrays, meta)
        tmp: str | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}-", suffix=".tmp", dir=self.directory)
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, allow_pickle=False, **payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            tmp = None
            return True
        except OSError as exc:
            log.warning("could not write cache entry %s (%s); the result is not cached", path, exc)
            return False
        finally:
            if tmp is not None:
                with suppress(OSError):
                    os.unlink(tmp)

    @staticmethod
    def _payload(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> dict[str, np.ndarray]:
        payload: dict[str, np.ndarray] = {}
        for name, value in arrays.items():
            arr = np.asarray(value)
            if name == META or arr.dtype.hasobject:
                raise ParameterError(f"cannot cache array {name!r} of dtype {arr.dtype}", field=name)
            payload[name] = arr
        text = json.dumps(dict(meta), default=_jsonable, ensure_ascii=False)
        payload[META] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
        return payload

    def clear(self) -> int:
        """Delete every entry; returns how many were removed."""
        removed = 0
        if self.directory.is_dir():
            for entry in self.directory.glob("*.npz"):
                with suppress(OSError):
                    entry.unlink()
                    removed += 1
        return removed


def _read_entry(path: Path, root: Path) -> Entry:
    """Read one entry, opened as a regular file under `root`; raises on any damage (see ProjectionCache.get)."""
    with open_regular(path, root=root, what="cache entry") as handle:
        size = os.fstat(handle.fileno()).st_size
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
            if any(m.compress_type != zipfile.ZIP_STORED for m in members):
                raise ValueError("compressed members (entries are stored uncompressed)")
            if sum(m.file_size for m in members) > size:
                raise ValueError(f"members of {sum(m.file_size for m in members):,} bytes in a {size:,}-byte file")
        handle.seek(0)
        with np.load(handle, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    raw = arrays.pop(META, None)
    if raw is None:
        raise ValueError("no metadata")
    meta = json.loads(raw.tobytes().decode("utf-8"))
    if not isinstance(meta, dict):
        raise ValueError(f"metadata is a JSON {type(meta).__name__}, not an object")
    for name, arr in arrays.items():
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"array {name!r} holds {arr.dtype}, not numbers")
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            raise ValueError(f"array {name!r} holds NaN or infinite values")
    return arrays, meta


# id(array) -> (weak reference, (shape, dtype, strides, data address), digest)
_hashes: dict[int, tuple[weakref.ref[np.ndarray], tuple[Any, ...], str]] = {}


def _identity(arr: np.ndarray) -> tuple[Any, ...]:
    return (arr.shape, arr.dtype.str, arr.strides, arr.__array_interface__["data"][0])


def _chunks(arr: np.ndarray) -> list[memoryview | bytes]:
    """The array's C-order bytes in chunks of whole rows (about HASH_CHUNK bytes), without copying contiguous data.

    Chunk bounds depend only on the shape and dtype, so a strided view hashes like its contiguous copy.
    """
    if arr.ndim == 0 or arr.size == 0:
        return [arr.tobytes()]
    row_bytes = arr.nbytes // len(arr)
    rows = max(1, HASH_CHUNK // row_bytes)
    if arr.flags.c_contiguous:
        flat = arr.reshape(-1).view(np.uint8).data
        step = rows * row_bytes
        return [flat[i : i + step] for i in range(0, arr.nbytes, step)]
    return [np.ascontiguousarray(arr[i : i + rows]).tobytes() for i in range(0, len(arr), rows)]


def _digest(chunk: memoryview | bytes) -> bytes:
    return hashlib.blake2b(chunk, digest_size=32).digest()


def data_hash(vectors: np.ndarray) -> str:
    """blake2b of an array's dtype, shape and bytes (hashed in 64 MiB chunks on two threads), memoised per array.

    The memo is keyed by the array object (its id, guarded by a weak reference, shape, dtype, strides and data
    address), so it never outlives the array. Arrays are treated as immutable: changing one in place after
    hashing it is not noticed.
    """
    arr = np.asarray(vectors)
    ident = _identity(arr)
    hit = _hashes.get(id(vectors))
    if hit is not None and hit[0]() is vectors and hit[1] == ident:
        return hit[2]
    chunks = _chunks(arr)
    if len(chunks) > 1:
        with ThreadPoolExecutor(max_workers=2) as pool:
            digests = list(pool.map(_digest, chunks))
    else:
        digests = [_digest(chunks[0])]
    head = json.dumps({"dtype": arr.dtype.str, "shape": list(arr.shape)}).encode()
    whole = hashlib.blake2b(head, digest_size=32)
    for d in digests:
        whole.update(d)
    digest = whole.hexdigest()
    _remember(vectors, ident, digest)
    return digest


def _remember(obj: Any, ident: tuple[Any, ...], digest: str) -> None:
    key = id(obj)

    def gone(dead: weakref.ref[Any]) -> None:
        _forget(key, dead)

    try:
        ref = weakref.ref(obj, gone)
    except TypeError:  # not weak-referenceable (a list, say): not memoised
        return
    _hashes[key] = (ref, ident, digest)


def _forget(key: int, ref: weakref.ref[Any]) -> None:
    entry = _hashes.get(key)
    if entry is not None and entry[0] is ref:
        del _hashes[key]
