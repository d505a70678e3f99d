"""Embedding raw data: texts (and images) through a sentence-transformers model, cached by model and content.

model.py finds and loads the model (offline unless allowed), inputs.py reads the items from a table or text file,
store.py keeps vectors already computed, encode.py runs the model in batches with progress; ``embed`` (here) puts
them together into an Embedding that keeps every input column.
"""

from __future__ import annotations

from .embedding import embed, embed_file
from .model import TextModel, load_model

__all__ = ["TextModel", "embed", "embed_file", "load_model"]
