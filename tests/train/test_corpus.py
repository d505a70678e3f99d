import gzip
import io
import sys

import pytest

from embedscope.errors import FormatError, NotFoundError, ParameterError
from embedscope.train import corpus as corpus_module
from embedscope.train.corpus import MAX_SENTENCE, Corpus, Tokenizer


def test_tokenizer_lowercase_and_punctuation_options():
    text = "I have a cat. Don't the LORD's cat_2 sleep?"
    assert Tokenizer()(text) == ["i", "have", "a", "cat", "don't", "the", "lord's", "cat_2", "sleep"]
    assert Tokenizer(lowercase=False)(text)[:4] == ["I", "have", "a", "cat"]
    assert Tokenizer(punctuation=True)(text) == [
        *["i", "have", "a", "cat", ".", "don't", "the", "lord's", "cat_2", "sleep", "?"]
    ]
    assert Tokenizer()("Ça coûte 3€ — café") == ["ça", "coûte", "3", "café"]


def test_a_line_is_a_sentence_and_the_corpus_is_reiterable(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("\ufeffThe cat sat.\n\n  \nOn the mat\n", encoding="utf-8")  # BOM, blank lines, no last newline
    corpus = Corpus(path)
    assert list(corpus) == [["the", "cat", "sat"], ["on", "the", "mat"]]
    assert list(corpus) == list(corpus)


def test_folder_and_compressed_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_text("one two\n")
    with gzip.open(tmp_path / "b" / "c.txt.gz", "wt") as fh:
        fh.write("three\n")
    (tmp_path / ".hidden").write_text("never\n")
    corpus = Corpus(tmp_path)
    assert [p.name for p in corpus.files] == ["a.txt", "c.txt.gz"]
    assert list(corpus) == [["one", "two"], ["three"]]


def test_long_lines_stream_in_pieces_and_split_at_the_sentence_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_module, "CHUNK_BYTES", 64)  # a line far longer than one read
    words = [f"w{i}" for i in range(MAX_SENTENCE + 5)]
    path = tmp_path / "text8.txt"
    path.write_text(" ".join(words))  # no line break at all, like text8
    sentences = list(Corpus(path))
    assert [len(s) for s in sentences] == [MAX_SENTENCE, 5]
    assert [w for s in sentences for w in s] == words  # no word cut at a piece boundary


def test_non_utf8_names_file_line_and_byte_offset(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"first line\ncaf\xe9 au lait\n")
    with pytest.raises(FormatError) as info:
        list(Corpus(path))
    err = info.value
    assert err.path == str(path) and err.line == 2
    assert "byte offset 14" in err.message and "E9" in err.message
    assert "--errors replace" in (err.fix or "")
    assert list(Corpus(path, errors="replace"))[1] == ["caf\ufffd", "au", "lait"]
    assert list(Corpus(path, errors="ignore"))[1] == ["caf", "au", "lait"]


def test_stdin_is_spooled_for_later_passes(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"a b\nc\n")))
    with Corpus("-") as corpus:
        first = list(corpus)
        assert corpus._spool is not None and corpus._spool.exists()
        assert list(corpus) == first == [["a", "b"], ["c"]]
        spool = corpus._spool
    assert not spool.exists()


def test_missing_corpus_and_bad_options(tmp_path):
    with pytest.raises(NotFoundError, match="no such corpus"):
        Corpus(tmp_path / "nope.txt")
    with pytest.raises(FormatError, match="holds no files"):
        Corpus(tmp_path)
    with pytest.raises(ParameterError, match="`errors` must be one of"):
        Corpus(tmp_path, errors="bogus")
