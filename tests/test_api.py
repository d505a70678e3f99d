"""The public API in embedscope/__init__.py: every promised name is there and callable, and the heavy parts
(compute, the server, Jupyter, gensim) are imported only when used."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import embedscope

PROMISED = ["load", "save", "Embedding", "neighbors", "analogy", "project", "serve", "show", "train", "log_embedding"]
PROMISED += ["embed", "project_shards", "index_shards"]


@pytest.mark.parametrize("name", PROMISED)
def test_each_promised_name_is_exported_and_callable(name):
    assert name in embedscope.__all__
    assert callable(getattr(embedscope, name))
    exec(f"from embedscope import {name}", {})


def test_unknown_names_are_attribute_errors():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = embedscope.nope


def test_importing_embedscope_leaves_the_heavy_parts_for_later():
    code = (
        "import sys, embedscope; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('gensim', 'fastapi', 'sklearn', 'openTSNE') "
        "or m.startswith(('embedscope.compute', 'embedscope.server', 'embedscope.jupyter'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_train_stays_the_function_when_the_train_package_is_imported():
    import embedscope.train.corpus
    from embedscope.train import Corpus  # noqa: F401

    assert embedscope.train.__module__ == "embedscope.train.word2vec"


def test_train_is_train_word2vec_with_gensim_names():
    pytest.importorskip("gensim")
    from embedscope.train import Word2VecParams, train_word2vec

    sentences = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "the", "log"]] * 20
    emb = embedscope.train(sentences, vector_size=8, epochs=2, min_count=1, workers=1, seed=3)
    params = Word2VecParams(vector_size=8, epochs=2, workers=1, seed=3)
    same = train_word2vec(sentences, params=params, min_count=1)
    assert emb.shape == (7, 8) and emb.labels[0] == "the"
    np.testing.assert_array_equal(emb.vectors, same.vectors)


def test_serve_takes_an_embedding_an_array_or_paths(monkeypatch, tmp_path):
    from embedscope.server import launch

    calls = []
    monkeypatch.setattr(launch, "serve", lambda collection, settings, **kw: calls.append((collection, settings, kw)))
    emb = embedscope.Embedding(np.eye(3, dtype=np.float32), name="eye")
    embedscope.serve(emb, open=True)
    collection, settings, kw = calls[-1]
    assert collection.get() is emb and (settings.host, settings.port) == ("127.0.0.1", 6006)
    assert kw["open_browser"] is True
    embedscope.serve(np.ones((4, 2), np.float32), port=0)
    assert calls[-1][0].get().shape == (4, 2) and calls[-1][1].port == 0
    path = emb.save(tmp_path / "eye.npy")
    embedscope.serve(path)
    assert calls[-1][0].get().shape == (3, 3) and list(calls[-1][1].paths) == [path]
    with pytest.raises(embedscope.errors.ParameterError, match="apply to paths"):
        embedscope.serve(emb, metadata="m.tsv")
