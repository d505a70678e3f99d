import numpy as np
import pytest

from embedscope.errors import FormatError, NotFoundError, ParameterError
from embedscope.train.corpus import Tokenizer
from embedscope.train.vocabulary import Vocabulary

SENTENCES = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat", "and", "the", "dog"]]


def test_ids_by_frequency_with_gensims_tie_order():
    vocab = Vocabulary.build(SENTENCES, min_count=1)
    # the: 3; cat, sat, dog: 2 (first seen in that order; gensim puts the later-seen first); a, and: 1
    assert vocab.words == ["the", "dog", "sat", "cat", "and", "a"]
    assert vocab.counts.tolist() == [3, 2, 2, 2, 1, 1]
    assert (vocab.corpus_words, vocab.corpus_sentences, vocab.distinct_words) == (11, 3, 6)


def test_same_ids_as_gensim():
    gensim = pytest.importorskip("gensim")
    sentences = [s.split() for s in ["b a c a", "d c b e", "e e f a g", "c d"]]
    model = gensim.models.Word2Vec(sentences, min_count=1, vector_size=4, epochs=1, workers=1)
    assert Vocabulary.build(sentences, min_count=1).words == model.wv.index_to_key


def test_min_count_and_max_vocab():
    vocab = Vocabulary.build(SENTENCES, min_count=2)
    assert vocab.words == ["the", "dog", "sat", "cat"]
    top = Vocabulary.build(SENTENCES, min_count=1, max_vocab=2)
    assert top.words == ["the", "dog"]
    assert list(top.raw_counts()) == ["the", "dog"]  # kept words in order of first appearance


def test_word_ids_as_in_the_guide():
    vocab = Vocabulary.build([["i", "have", "a", "dog"], ["i", "have"]], min_count=1, tokenizer=Tokenizer())
    assert vocab.word_ids("I have a cat.") == [vocab.id_of("i"), vocab.id_of("have"), vocab.id_of("a")]
    assert vocab.word_ids("I have a cat.", unknown=-1)[-1] == -1
    assert vocab.word_ids(["have", "i"]) == [0, 1]
    with pytest.raises(NotFoundError, match="'cat' is not in the vocabulary"):
        vocab.word_ids("a cat", unknown="error")


def test_metadata_columns_word_and_frequency():
    table = Vocabulary.build(SENTENCES, min_count=2).metadata()
    assert table.column_names == ["Word", "Frequency"]
    assert table.column("Frequency").to_pylist() == [3, 2, 2, 2]
    assert np.dtype(table.schema.field("Frequency").type.to_pandas_dtype()) == np.int64


def test_empty_corpus_and_empty_vocabulary_are_clear_errors():
    with pytest.raises(FormatError, match="holds no words"):
        Vocabulary.build([], source="empty.txt")
    with pytest.raises(ParameterError) as info:
        Vocabulary.build(SENTENCES, min_count=4)
    err = info.value
    assert err.field == "min_count"
    assert "no word occurs at least 4 times" in err.message and "('the') occurs 3 times" in err.message
    assert "to 3 or less" in (err.fix or "")
