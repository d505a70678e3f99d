"""A Keras 3 callback that logs Embedding layers to a log dir as training steps (Keras 3 dropped `embeddings_freq`).

    from embedscope.keras import EmbeddingLogger  # the documented path; the callback lives here
    model.fit(x, y, epochs=20, callbacks=[EmbeddingLogger("logs/run1", every=5, vocabulary=words)])

Step 0 is the table before training (when the log dir holds no step of it yet); step E is the table after
epoch E (1-based, as Keras prints it; `fit(initial_epoch=...)` continues the count). Each logged layer is an
embedding named after the layer, with the vocabulary as its metadata; formats/tensorboard/snapshots.py has the
layout.
Importing this module imports keras (`pip install "embedscope[keras]"`); `import embedscope` does not.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MetadataError, NotFoundError, ParameterError, require
from ..formats.tensorboard.logdir import CONFIG_NAME, CONFIG_SCHEMA
from ..formats.tensorboard.snapshots import log_embedding
from ..formats.tensorboard.writer import step_entries
from ..formats.tensorflow import pbtxt

keras: Any = require("keras", extra="keras", purpose="embedscope.keras.EmbeddingLogger")

__all__ = ["EmbeddingLogger"]


def _walk(layer: Any) -> Iterator[Any]:
    for child in getattr(layer, "layers", []) or []:
        yield child
        yield from _walk(child)


def _words(vocabulary: Any) -> list[str] | None:
    if vocabulary is None:
        return None
    get = getattr(vocabulary, "get_vocabulary", None)  # a TextVectorization or StringLookup layer
    words = get() if callable(get) else vocabulary
    if isinstance(words, str | bytes) or not isinstance(words, Sequence | np.ndarray):
        raise ParameterError(
            f"`vocabulary` must be a list of words (row i's word first) or a TextVectorization layer, "
            f"got {type(vocabulary).__name__}",
            field="vocabulary",
        )
    return [w.decode("utf-8", "replace") if isinstance(w, bytes) else str(w) for w in words]


class EmbeddingLogger(keras.callbacks.Callback):
    """Log chosen Embedding layers every `every` epochs, with their vocabulary as metadata.

    `layers`: a layer name, a layer, or a list of them; None logs every keras.layers.Embedding of the model.
    `vocabulary`: the word of each row (a list, or a TextVectorization/StringLookup layer), or a
    {layer name: vocabulary} dict; its length must be the layer's input_dim.
    """

    def __init__(
        self,
        logdir: str | os.PathLike[str],
        *,
        layers: Any = None,
        every: int = 1,
        vocabulary: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ParameterError(f"`every` must be a whole number of epochs >= 1, got {every!r}", field="every")
        self.logdir = Path(logdir)
        self.every = every
        self.wanted = layers
        self.vocabulary = vocabulary
        self.logged: dict[str, list[int]] = {}  # layer name -> steps written by this callback

    # -- choosing ----------------------------------------------------------------------------------------------
    def _layers(self) -> list[Any]:
        everything = list(_walk(self.model))
        if self.wanted is None:
            found = [layer for layer in everything if isinstance(layer, keras.layers.Embedding)]
            if not found:
                raise NotFoundError(
                    "the model has no keras.layers.Embedding layer", field="layers", fix="name the layers to log"
                )
            return found
        wanted = self.wanted if isinstance(self.wanted, list | tuple) else [self.wanted]
        by_name = {layer.name: layer for layer in everything}
        out = []
        for item in wanted:
            if isinstance(item, str):
                if item not in by_name:
                    raise NotFoundError(
                        f"the model has no layer {item!r}",
                        field="layers",
                        fix=f"choose among: {', '.join(sorted(by_name)[:30])}",
                    )
                item = by_name[item]
            if self._table(item) is None:
                raise ParameterError(f"layer {item.name!r} has no embedding table", field="layers")
            out.append(item)
        return out

    @staticmethod
    def _table(layer: Any) -> Any:
        table = getattr(layer, "embeddings", None)
        if table is None:
            weights = [w for w in getattr(layer, "weights", []) if len(getattr(w, "shape", ())) == 2]
            table = weights[0] if weights else None
        return table

    def _vocabulary(self, layer: Any, rows: int) -> list[str] | None:
        given = self.vocabulary
        if isinstance(given, Mapping):
            given = given.get(layer.name)
        words = _words(given)
        if words is not None and len(words) != rows:
            raise MetadataError(
                f"the vocabulary for layer {layer.name!r} has {len(words):,} words for its {rows:,} rows",
                field="vocabulary",
                fix="give one word per row of the table (input_dim), in id order",
            )
        return words

    # -- logging -----------------------------------------------------------------------------------------------
    def _log(self, step: int) -> None:
        for layer in self._layers():
            table = keras.ops.convert_to_numpy(self._table(layer))
            words = self._vocabulary(layer, int(table.shape[0]))
            first = layer.name not in self.logged
            log_embedding(
                self.logdir, table, name=layer.name, metadata=words if first else None, step=step
            )  # metadata is written once (log_embedding keeps it for later steps)
            self.logged.setdefault(layer.name, []).append(step)

    def _has_steps(self, name: str) -> bool:
        config = self.logdir / CONFIG_NAME
        return config.is_file() and bool(step_entries(pbtxt.read(config, schema=CONFIG_SCHEMA), name))

    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        layers = self._layers()  # a wrong layer name or vocabulary fails now, not after the first N epochs
        for layer in layers:
            self._vocabulary(layer, int(self._table(layer).shape[0]))
        if not any(self._has_steps(layer.name) for layer in layers):
            self._log(0)

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        done = epoch + 1
        if done % self.every == 0:
            self._log(done)
