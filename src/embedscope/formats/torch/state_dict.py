"""PyTorch `.pt`/`.pth`/`.bin` state dicts, read without PyTorch (the zip archive is read by archive.py).

Every 2-D float tensor (nested dicts flattened with '.') becomes an Embedding, each read and checked on its
own: with a tensor chosen, only that one; reading them all, one that cannot be used is skipped with a
warning. The pre-1.6 (non-zip) format is read by legacy.py, without torch too. Flattening charges a WorkBudget
(bounded_pickle.py), so a pickle whose dicts share each other (a DAG) is refused instead of expanded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np

from ...embedding import Collection, Embedding
from ...errors import FormatError
from .._selection import choose, missing, not_a_matrix, not_float, read_each, shape_text
from .._weights import (
    corrupt_as_format_error,
    release_pages,
    weights_embedding,
)
from ..bounded_pickle import WALK_PER_BYTE, WorkBudget
from ..options import ReadOptions
from .archive import Tensor, load_zip
from .legacy import load_legacy

_DTYPE_NAMES = {  # storage type -> torch's dtype name
    "DoubleStorage": "float64",
    "FloatStorage": "float32",
    "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16",
    "LongStorage": "int64",
    "IntStorage": "int32",
    "ShortStorage": "int16",
    "CharStorage": "int8",
    "ByteStorage": "uint8",
    "BoolStorage": "bool",
}
_SKIPPED_TOP_LEVEL = ("optimizer", "lr_scheduler", "scheduler")
_MAX_DEPTH = 100

log = logging.getLogger(__name__)


def read(path: Path, options: ReadOptions, fmt: str) -> Collection:
    """Every 2-D float tensor of the state dict (or only `options.tensor`), each read and checked on its own."""
    with corrupt_as_format_error(path, what="PyTorch"):
        return _read(path, options.tensor)


def _read(path: Path, want: str | None) -> Collection:
    with path.open("rb") as fh:
        head = fh.read(64)
    if not head:
        raise FormatError("empty file", path=path, fix="a PyTorch file is a zip archive written by torch.save")
    if head.startswith(b"\x80") and b"gensim." in head:
        raise FormatError(
            "this is a gensim file (saved with gensim's .save()), not a PyTorch one",
            path=path,
            fix="read it with --format gensim (format='gensim'), or leave the format out",
        )
    if head.startswith(b"PK"):
        root, mapped = load_zip(path)
    elif head.startswith(b"\x80"):
        root, mapped = load_legacy(path)
    else:
        raise FormatError(
            f"not a PyTorch file: expected a zip archive or a pickle, found bytes {head[:4]!r}",
            path=path,
            fix="save it with torch.save(model.state_dict(), path)",
        )
    try:
        flat = dict(_flatten(root, path.stem, WorkBudget.of_file(path, what="PyTorch", per_byte=WALK_PER_BYTE)))
    except FormatError as exc:
        raise FormatError(exc.message, path=path) from exc
    collection = Collection(source=str(path))
    if want is not None:
        collection.add(".", _chosen(path, flat, want))
    else:
        items = [
            (key, partial(_embedding, path, key, t)) for key, t in flat.items() if t.is_float and len(t.shape) == 2
        ]
        for emb in read_each(items, path=path):
            collection.add(".", emb)
    if mapped is not None:
        release_pages(mapped)
    if not len(collection):
        raise FormatError(
            "no 2-D float tensor in this state dict to use as an embedding",
            path=path,
            fix="an embedding is a 2-D float tensor such as `embedding.weight` (num_embeddings x embedding_dim)",
        )
    return collection


def _chosen(path: Path, flat: dict[str, Tensor], want: str) -> Embedding:
    key = choose(want, flat)
    if key is None:
        listing = [(k, f"{_dtype(t)}, shape {shape_text(t.shape)}") for k, t in flat.items()]
        raise missing(want, listing, path=path)
    tensor = flat[key]
    if len(tensor.shape) != 2:
        raise not_a_matrix(key, tensor.shape, path=path, dtype=_dtype(tensor))
    if not tensor.is_float:
        raise not_float(key, _dtype(tensor), path=path)
    return _embedding(path, key, tensor)


def _dtype(tensor: Tensor) -> str:
    return _DTYPE_NAMES.get(tensor.type_name, tensor.type_name)


def _embedding(path: Path, key: str, tensor: Tensor) -> Embedding:
    error = tensor.error
    if error is not None and error.path is None:
        raise FormatError(f"tensor `{key}`: {error.message}", path=path, field=key, fix=error.fix)
    return weights_embedding(tensor.raw(), name=key, path=path, bfloat16=tensor.bfloat16)


def _flatten(
    obj: object, name: str, budget: WorkBudget, prefix: str = "", depth: int = 0
) -> Iterator[tuple[str, Tensor]]:
    """(dotted key, tensor) for every tensor in nested dicts and lists; optimizer state is left out.

    Each visit is charged its key's length: dicts shared by reference are walked again each time they are met,
    within the budget (a DAG of shared dicts 100 deep would otherwise be 2**100 visits).
    """
    budget.charge(1 + len(prefix))
    if depth > _MAX_DEPTH:
        raise FormatError(f"`{prefix[:-1]:.80}` is nested more than {_MAX_DEPTH} levels deep (a cycle?)")
    if isinstance(obj, Tensor):
        yield prefix[:-1] or name, obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            if not prefix and isinstance(key, str) and key.startswith(_SKIPPED_TOP_LEVEL):
                log.info("leaving out `%s`: optimizer and scheduler state are not embeddings", key)
                continue
            yield from _flatten(value, name, budget, f"{prefix}{key}.", depth + 1)
    elif isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            yield from _flatten(value, name, budget, f"{prefix}{i}.", depth + 1)


def tensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a state dict by its dotted key (float32 views where the file allows)."""
    root, _ = load_zip(path)
    budget = WorkBudget.of_file(path, what="PyTorch", per_byte=WALK_PER_BYTE)
    return {key: tensor.numpy() for key, tensor in _flatten(root, path.stem, budget)}
