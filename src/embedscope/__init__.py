"""embedscope: train, load, query and explore embeddings."""

import os as _os

# OpenMP threads (openTSNE, scikit-learn) otherwise spin while idle and starve the other core on small machines;
# this must be set before those libraries load. A value the user set wins.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .embedding import Collection, Embedding, Sprite
from .errors import EmbedscopeError
from .formats.registry import load, load_collection, save
from .formats.tensorboard.snapshots import log_embedding
from .jupyter import show  # anywidget is imported only when show() is called

__version__ = "0.1.0"

__all__ = [
    "Collection",
    "Embedding",
    "EmbedscopeError",
    "Sprite",
    "__version__",
    "load",
    "load_collection",
    "log_embedding",
    "save",
    "show",
]
