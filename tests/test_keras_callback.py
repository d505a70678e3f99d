"""embedscope.keras.EmbeddingLogger in a real Keras 3 fit, on the PyTorch backend.

keras is in the dev extra and PyTorch comes with `make setup`, so these run on every CI run: there a missing
keras fails the tests instead of skipping them. KERAS_BACKEND is set before keras is first imported (a
KERAS_BACKEND already set, jax say, is kept).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import embedscope
from embedscope.errors import MetadataError, NotFoundError, ParameterError

os.environ.setdefault("KERAS_BACKEND", "torch")
if os.environ["KERAS_BACKEND"] == "torch":
    pytest.importorskip("torch", reason="Keras's PyTorch backend needs torch (make setup installs its CPU wheel)")
if os.environ.get("CI"):
    import keras  # in the dev extra: CI must run these tests, not skip them
else:
    keras = pytest.importorskip("keras", reason='the Keras callback needs keras: pip install -e ".[dev]"')
if keras.__version__.split(".")[0] != "3":
    pytest.skip(f"EmbeddingLogger is for Keras 3, found {keras.__version__}", allow_module_level=True)
# Keras's PyTorch backend turns tensors into arrays with np.array(x), which NumPy 2 warns about
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")

from embedscope.keras import EmbeddingLogger  # noqa: E402

WORDS = ["<pad>", "the", "cat", "sat", "on", "mat", "dog", "ran"]


def _model() -> Any:
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(4,), dtype="int32")
    x = keras.layers.Embedding(len(WORDS), 3, name="words")(inputs)
    x = keras.layers.GlobalAveragePooling1D()(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="out")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy")
    return model


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.integers(1, len(WORDS), size=(64, 4)).astype("int32")
    y = (x == 2).any(axis=1).astype("float32")
    return x, y


def test_logs_every_n_epochs_with_the_vocabulary(tmp_path) -> None:
    model = _model()
    x, y = _data()
    logger = EmbeddingLogger(tmp_path, layers="words", every=2, vocabulary=WORDS)
    model.fit(x, y, epochs=4, batch_size=16, verbose=0, callbacks=[logger])
    emb = embedscope.load(tmp_path)
    assert emb.name == "words" and emb.labels == WORDS
    assert emb.steps is not None and emb.steps.numbers == [0, 2, 4]
    final = keras.ops.convert_to_numpy(model.get_layer("words").embeddings)
    np.testing.assert_allclose(emb.vectors, final, rtol=1e-6)  # the table after epoch 4
    assert not np.allclose(emb.at(0).vectors, emb.at(4).vectors)  # training moved the table


def test_every_embedding_layer_by_default_and_fit_continues(tmp_path) -> None:
    model = _model()
    x, y = _data()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[EmbeddingLogger(tmp_path)])
    model.fit(x, y, epochs=3, initial_epoch=2, verbose=0, callbacks=[EmbeddingLogger(tmp_path)])
    emb = embedscope.load(tmp_path)
    assert emb.steps is not None and emb.steps.numbers == [0, 1, 2, 3]
    assert emb.metadata is None


def test_bad_arguments(tmp_path) -> None:
    x, y = _data()
    with pytest.raises(ParameterError, match="`every` must be"):
        EmbeddingLogger(tmp_path, every=0)
    with pytest.raises(NotFoundError, match="no layer 'nope'"):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[EmbeddingLogger(tmp_path, layers="nope")])
    with pytest.raises(MetadataError, match=r"has 3 words for its 8 rows"):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[EmbeddingLogger(tmp_path, vocabulary=WORDS[:3])])
    assert not (tmp_path / "projector_config.pbtxt").exists()  # refused before anything was written


def test_import_embedscope_does_not_import_keras() -> None:
    code = "import sys, embedscope; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_runs_on_the_backend_it_was_given() -> None:
    assert keras.backend.backend() == os.environ["KERAS_BACKEND"]
