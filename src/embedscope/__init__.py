"""embedscope: train, load, query and explore embeddings.

The public API. What needs the compute stage, the server or Jupyter is imported when first used, so that
`import embedscope` stays quick.
"""

import importlib as _importlib
import os as _os
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

# OpenMP threads (openTSNE, scikit-learn) otherwise spin while idle and starve the other core on small machines;
# this must be set before those libraries load. A value the user set wins.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from ._version import __version__

# Bound now, as `train` below: `embed` is also the embed/ package's name (its heavy imports wait for first use).
from .embed.embedding import embed
from .embedding import Collection, Embedding, Sprite
from .errors import EmbedscopeError
from .formats.registry import load, load_collection, save

# Bound now, not when first used: `train` is also the train/ package's name, and importing any module of that
# package puts the package under this name unless the function is already here.
from .train.word2vec import train

# name -> the module (under embedscope) defining it, imported on first use
_LAZY = {
    "analogy": "compute.neighbors",
    "index_shards": "distributed.run",
    "log_embedding": "formats.tensorboard.snapshots",
    "neighbors": "compute.neighbors",
    "project": "compute.projection",
    "project_shards": "distributed.run",
    "serve": "server",
    "show": "jupyter",
}

if _TYPE_CHECKING:
    from .compute.neighbors import analogy, neighbors
    from .compute.projection import project
    from .distributed.run import index_shards, project_shards
    from .formats.tensorboard.snapshots import log_embedding
    from .jupyter import show
    from .server import serve


def __getattr__(name: str) -> _Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'embedscope' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Collection",
    "Embedding",
    "EmbedscopeError",
    "Sprite",
    "__version__",
    "analogy",
    "embed",
    "index_shards",
    "load",
    "load_collection",
    "log_embedding",
    "neighbors",
    "project",
    "project_shards",
    "save",
    "serve",
    "show",
    "train",
]
