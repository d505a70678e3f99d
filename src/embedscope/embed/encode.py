"""Running the model: items in rounds of batches, progress after each round (items per second, time left), texts
longer than the model reads counted (they are cut to its limit, not dropped), vectors as the model gives them
(normalised when its card says so: its last module is Normalize)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..compute.progress import CancelToken, Progress, ProgressCallback, check, report
from .model import TextModel
from .store import VectorStore, item_key

log = logging.getLogger(__name__)

ROUND_BATCHES = 16  # batches per call of the model's encode: it sorts by length within a call, and progress goes out


@dataclass
class Encoded:
    vectors: np.ndarray  # N x D float32
    computed: int  # items the model ran on (the others came from the cache)
    truncated: int  # texts longer than the model reads (cut to its limit)
    seconds: float


def encode_items(
    model: TextModel,
    items: Sequence[Any],
    *,
    keys: list[bytes] | None = None,
    batch_size: int = 64,
    store: VectorStore | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Encoded:
    """Vectors of `items` (texts, or PIL images with `keys` their content hashes), those in `store` read from it."""
    start = time.perf_counter()
    n = len(items)
    keys = keys if keys is not None else [item_key(str(t)) for t in items]
    out = np.empty((n, model.dim), dtype=np.float32)
    todo = np.arange(n)
    if store is not None and n:
        found, vectors = store.find(keys)
        out[found] = vectors
        todo = np.setdiff1d(todo, found, assume_unique=True)
    # each distinct item once
    first: dict[bytes, int] = {}
    for i in todo.tolist():
        first.setdefault(keys[i], i)
    unique = np.fromiter(first.values(), dtype=np.int64, count=len(first))
    truncated = count_truncated(model, [items[i] for i in unique]) if unique.size and _texts(items) else 0
    done = 0
    step = max(1, batch_size * ROUND_BATCHES)
    report(progress, Progress(stage="embed", fraction=0.0, iteration=0, total=int(unique.size), message=_rate(0, 0.0)))
    began = time.perf_counter()
    for lo in range(0, unique.size, step):
        check(cancel)
        rows = unique[lo : lo + step]
        vectors = model.st.encode(
            [items[i] for i in rows], batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False
        )
        out[rows] = np.asarray(vectors, dtype=np.float32)
        if store is not None:
            store.add([keys[i] for i in rows], out[rows])
        done += len(rows)
        elapsed = time.perf_counter() - began
        report(
            progress,
            Progress(
                stage="embed",
                fraction=done / unique.size,
                iteration=done,
                total=int(unique.size),
                message=_rate(done, elapsed),
            ),
        )
    for i in todo.tolist():  # repeats of an item take its vector
        out[i] = out[first[keys[i]]]
    return Encoded(out, int(unique.size), truncated, time.perf_counter() - start)


def _texts(items: Sequence[Any]) -> bool:
    return len(items) > 0 and isinstance(items[0], str)


def _rate(done: int, seconds: float) -> str:
    return f"{done / seconds:,.0f} items/s" if seconds > 0 and done else ""


def count_truncated(model: TextModel, texts: Sequence[str]) -> int:
    """How many texts are longer than the model reads. Only texts of more UTF-8 bytes than its token limit can be
    (no tokenizer makes more tokens than bytes, special tokens aside), so only those are tokenized."""
    limit = model.max_tokens
    tokenizer = getattr(model.st, "tokenizer", None)
    if not limit or tokenizer is None:
        return 0
    long = [t for t in texts if len(t.encode("utf-8", "surrogatepass")) > limit - 2]
    if not long:
        return 0
    count = 0
    for lo in range(0, len(long), 1024):
        encoded = tokenizer(long[lo : lo + 1024], add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
        count += sum(1 for ids in encoded if len(ids) > limit)
    return count
