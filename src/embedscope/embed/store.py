"""Vectors already computed, kept by model and content: a re-run, or a file that grew, embeds only what is new.

`<cache>/embed/<model key>/` holds chunks, each a pair of .npy files written once: `<n>.keys.npy` (the items'
16-byte content hashes, as N x 16 bytes) and `<n>.vectors.npy` (their float32 vectors). The index of every key is
read when the store opens; vectors are memory-mapped. A chunk that cannot be read (damaged, another shape) is passed
over with a warning, never trusted; chunks are written to a temporary name, then moved into place.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

KEY_BYTES = 16


def item_key(item: str | bytes) -> bytes:
    """An item's content hash: a text's UTF-8, or an image file's bytes."""
    data = item if isinstance(item, bytes) else item.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=KEY_BYTES).digest()


class VectorStore:
    """The cached vectors of one model (`folder`), `dim` numbers each."""

    def __init__(self, folder: Path, dim: int) -> None:
        self.folder = Path(folder)
        self.dim = dim
        self._index: dict[bytes, tuple[int, int]] = {}  # key -> (chunk, row)
        self._chunks: list[np.ndarray] = []
        if self.folder.is_dir():
            for path in sorted(self.folder.glob("*.keys.npy")):
                self._open(path)

    def __len__(self) -> int:
        return len(self._index)

    def _open(self, keys_path: Path) -> None:
        vectors_path = keys_path.with_name(keys_path.name.replace(".keys.npy", ".vectors.npy"))
        try:
            keys = np.load(keys_path, allow_pickle=False)
            vectors = np.load(vectors_path, mmap_mode="r", allow_pickle=False)
            ok = (
                keys.dtype == np.uint8 and keys.ndim == 2 and keys.shape[1] == KEY_BYTES and vectors.dtype == np.float32
            )
            if not ok or vectors.shape != (len(keys), self.dim):
                raise ValueError(f"keys {keys.dtype} {keys.shape}, vectors {vectors.dtype} {vectors.shape}")
        except (OSError, ValueError) as exc:
            log.warning("cached vectors %s cannot be used (%s): computing them again", keys_path, exc)
            return
        chunk = len(self._chunks)
        self._chunks.append(vectors)
        for row, key in enumerate(keys):
            self._index.setdefault(key.tobytes(), (chunk, row))

    def find(self, keys: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """(the positions in `keys` found, their vectors)."""
        found = [i for i, key in enumerate(keys) if key in self._index]
        out = np.empty((len(found), self.dim), dtype=np.float32)
        for j, i in enumerate(found):
            chunk, row = self._index[keys[i]]
            out[j] = self._chunks[chunk][row]
        return np.asarray(found, dtype=np.int64), out

    def add(self, keys: list[bytes], vectors: np.ndarray) -> None:
        """Keep these vectors (a new chunk); the cache folder's trouble is a warning, never a failure."""
        new = [i for i, key in enumerate(keys) if key not in self._index]
        if not new:
            return
        k = np.frombuffer(b"".join(keys[i] for i in new), dtype=np.uint8).reshape(len(new), KEY_BYTES)
        v = np.ascontiguousarray(vectors[new], dtype=np.float32)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            count = len(list(self.folder.glob("*.keys.npy")))
            stem = self.folder / f"{count:06d}-{os.getpid()}-{item_key(k.tobytes()).hex()[:8]}"
            _save(Path(f"{stem}.vectors.npy"), v)
            _save(Path(f"{stem}.keys.npy"), k)  # last: a chunk counts once its keys are there
        except OSError as exc:
            log.warning("cannot keep the vectors in %s (%s): they will be computed again next time", self.folder, exc)
            return
        chunk = len(self._chunks)
        self._chunks.append(v)
        for row, i in enumerate(new):
            self._index[keys[i]] = (chunk, row)


def _save(path: Path, array: np.ndarray) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, array, allow_pickle=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
