"""Files a reader looks for beside its input (metadata.tsv, vocab.txt, checkpoint shards, gensim's .npy files).

`present` says whether one is there, as `Path.is_file` would, except that a FIFO, socket or device where a side
file is looked for is refused with a typed error (a reader opening it would block, or read without end) instead
of being passed over in silence. With `root`, the file must also lie under `root` once every link is resolved.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..files import open_fd


def present(path: Path, *, what: str, root: Path | None = None) -> bool:
    """True for a regular file at `path` (under `root`); False when nothing (or a folder) is there; else an error."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    if stat.S_ISDIR(mode):
        return False
    os.close(open_fd(path, root=root, what=what))  # refuses a FIFO or device without blocking, and a link out
    return True
