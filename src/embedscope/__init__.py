"""embedscope: train, load, query and explore embeddings."""

from .embedding import Collection, Embedding, Sprite
from .errors import EmbedscopeError
from .formats.registry import load, load_collection, save

__version__ = "0.1.0"

__all__ = ["Collection", "Embedding", "EmbedscopeError", "Sprite", "__version__", "load", "load_collection", "save"]
