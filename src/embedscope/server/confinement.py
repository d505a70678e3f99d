"""What the server may open after start-up: the served folder of each run, and the one way to open a file in it.

A run's root is decided when the server starts: the log dir it was read from, or the folder of the file given
(`Collection.roots`). A file an embedding names (its sprite, its config's bookmarks) is read again on request;
it is opened by `ServedFiles.open`, which confines it at open time (embedscope.files.open_regular): resolved,
under its root, a regular file. A file given beside the data from elsewhere (`--sprite ../pics/sprite.png`) is
confined to its own folder as it was at start-up. So a file swapped for a symlink leaving its folder, or for a
FIFO, after start-up is refused with a typed error instead of being served.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..embedding import Collection, Embedding
from ..errors import AccessDeniedError
from ..files import open_regular


def _named_files(emb: Embedding) -> Iterator[str]:
    if emb.sprite is not None and emb.sprite.path:
        yield emb.sprite.path
    if emb.bookmarks_path:
        yield emb.bookmarks_path


class ServedFiles:
    """The served roots (run name -> folder) and the root of each file named at start-up."""

    def __init__(self, collection: Collection) -> None:
        self.roots: dict[str, Path] = {
            run: Path(root).resolve() for run, root in collection.roots.items() if run in collection.runs
        }
        self._file_roots: dict[str, Path] = {}
        for run, emb in collection:
            for path in _named_files(emb):
                self._file_roots[path] = self._root_for(run, path)

    def _root_for(self, run: str, path: str) -> Path:
        """The run's root when the file lies under it now (at start-up), else the folder the file lies in now."""
        real = Path(path).resolve()
        root = self.roots.get(run)
        return root if root is not None and real.is_relative_to(root) else real.parent

    def open(self, run: str, path: str, *, what: str) -> IO[bytes]:
        """`path` (named by an embedding of `run`) opened for reading, confined to its root at open time."""
        root = self._file_roots.get(path) or self.roots.get(run)
        if root is None:
            raise AccessDeniedError(
                f"the {what} was not among the files served at start-up", path=path, fix="restart the server"
            )
        return open_regular(path, root=root, what=what)
