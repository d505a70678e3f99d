from typing import Any

import numpy as np
import pytest
from gensim.models import Word2Vec

from embedscope.errors import ParameterError
from embedscope.train.corpus import Corpus
from embedscope.train.vocabulary import Vocabulary
from embedscope.train.word2vec import Word2VecParams, train_word2vec

PARAMS: dict[str, Any] = {"vector_size": 16, "epochs": 2, "window": 3, "workers": 1, "seed": 7}


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_identical_to_gensim_with_one_worker(lee, model):
    corpus = Corpus(lee)
    emb = train_word2vec(corpus, model=model, min_count=3, **PARAMS)
    peer = Word2Vec(corpus, min_count=3, **Word2VecParams(model=model, **PARAMS).gensim_kwargs())
    assert emb.labels == peer.wv.index_to_key
    assert np.array_equal(emb.vectors, peer.wv.vectors)


def test_table_rows_are_word_ids_with_word_and_frequency(lee):
    corpus = Corpus(lee)
    vocab = Vocabulary.build(corpus, min_count=5, tokenizer=corpus.tokenizer)
    emb = train_word2vec(corpus, vocabulary=vocab, **PARAMS)
    assert emb.shape == (len(vocab), 16) and emb.vectors.dtype == np.float32
    assert emb.metadata is not None
    assert emb.metadata.column_names == ["Word", "Frequency"] and emb.label_column == "Word"
    assert emb.labels == vocab.words
    assert emb.metadata.column("Frequency").to_pylist() == vocab.counts.tolist()
    ids = vocab.word_ids("The government said")
    assert [emb.labels[i] for i in ids] == ["the", "government", "said"]
    assert np.array_equal(emb.lookup(ids), emb.vectors[ids])


def test_same_seed_same_table_other_seed_other_table(lee):
    corpus = Corpus(lee)
    a = train_word2vec(corpus, min_count=5, **PARAMS)
    b = train_word2vec(corpus, min_count=5, **PARAMS)
    c = train_word2vec(corpus, min_count=5, **{**PARAMS, "seed": 8})
    assert np.array_equal(a.vectors, b.vectors)
    assert not np.allclose(a.vectors, c.vectors)


def test_progress_epoch_reports_and_snapshots(lee, monkeypatch):
    from embedscope.train import word2vec

    monkeypatch.setattr(word2vec, "REPORT_SECONDS", 0.0)  # report after every sentence
    corpus = Corpus(lee)
    reports: list[Any] = []
    epochs: list[Any] = []
    snapshots: list[Any] = []
    emb = train_word2vec(
        corpus,
        min_count=5,
        progress=reports.append,
        on_epoch=epochs.append,
        snapshot=lambda epoch, table: snapshots.append((epoch, table.vectors.copy())),
        **{**PARAMS, "epochs": 3},
    )
    total = sum(len(s) for s in corpus)
    assert [e.epoch for e in epochs] == [1, 2, 3]
    assert all(e.words == total and e.loss > 0 and e.seconds > 0 for e in epochs)
    assert reports[-1].words == reports[-1].total_words == 3 * total and reports[-1].fraction == 1.0
    assert [r.epoch for r in reports] == sorted(r.epoch for r in reports)
    assert all(r.words_per_second > 0 for r in reports)
    assert [s[0] for s in snapshots] == [0, 1, 2, 3]
    assert np.array_equal(snapshots[-1][1], emb.vectors)
    assert not np.allclose(snapshots[0][1], snapshots[1][1])  # epoch 0 is the random start


def test_bad_parameters_and_one_shot_corpus(lee):
    with pytest.raises(ParameterError, match="`model` must be one of skipgram, cbow"):
        train_word2vec(Corpus(lee), model="glove")
    with pytest.raises(ParameterError, match="`vector_size` must be at least 1"):
        train_word2vec(Corpus(lee), vector_size=0)
    with pytest.raises(ParameterError, match="unknown word2vec option `size`"):
        train_word2vec(Corpus(lee), size=10)
    with pytest.raises(ParameterError, match="one-shot iterator"):
        train_word2vec(iter([["a", "b"]]))


def test_dim_is_a_deprecated_name_of_vector_size(lee, caplog):
    with caplog.at_level("WARNING", logger="embedscope"), pytest.raises(ParameterError, match="`vector_size` must"):
        train_word2vec(Corpus(lee), dim=0)
    assert "`dim` is deprecated: call it `vector_size`" in caplog.text
    with pytest.raises(ParameterError, match="give `vector_size` only"):
        train_word2vec(Corpus(lee), dim=8, vector_size=8)
