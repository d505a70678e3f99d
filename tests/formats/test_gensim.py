"""fastText .bin models and gensim's own saved files (.kv, .model): made by gensim (make_gensim_fixtures.py),
read back equal to what gensim itself loads; pickles that would run code are refused."""

from __future__ import annotations

import os
import pickle
import shutil
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

import embedscope
from embedscope.checks import is_memory_mapped
from embedscope.errors import FormatError, NotFoundError
from embedscope.formats import sniff

gensim_models = pytest.importorskip("gensim.models")
from gensim.models.fasttext import load_facebook_vectors  # noqa: E402

GENSIM = Path(__file__).parent.parent / "fixtures" / "gensim"


def _copy(tmp_path: Path, stem: str) -> Path:
    for path in GENSIM.glob(f"{stem}.*"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "fmt", "gensim_load"),
    [
        ("words.kv", "gensim", lambda p: gensim_models.KeyedVectors.load(p)),
        ("inline.kv", "gensim", lambda p: gensim_models.KeyedVectors.load(p)),
        ("word2vec.model", "gensim", lambda p: gensim_models.Word2Vec.load(p).wv),
        ("fasttext.model", "gensim", lambda p: gensim_models.FastText.load(p).wv),
        ("fasttext.bin", "fasttext", load_facebook_vectors),
    ],
)
def test_reads_what_gensim_reads(name, fmt, gensim_load):
    path = GENSIM / name
    assert sniff(path) == fmt
    emb = embedscope.load(path)
    expected = gensim_load(str(path))
    assert emb.labels == list(expected.index_to_key)
    assert "猫" in emb.labels and emb.vectors.dtype == np.float32
    np.testing.assert_array_equal(emb.vectors, expected.vectors)
    if name in ("words.kv", "word2vec.model"):
        assert is_memory_mapped(emb.vectors)  # the .npy beside it is mapped, not copied


def test_a_model_offers_its_word_vectors_as_wv_and_doc2vec_its_document_vectors_as_dv():
    assert embedscope.load(GENSIM / "word2vec.model").name == "wv"
    collection = embedscope.load_collection(GENSIM / "doc2vec.model")
    assert sorted(emb.name for _, emb in collection) == ["dv", "wv"]
    model = gensim_models.Doc2Vec.load(str(GENSIM / "doc2vec.model"))
    dv = embedscope.load(GENSIM / "doc2vec.model", tensor="dv")
    assert dv.labels == [f"doc{i}" for i in range(12)]
    np.testing.assert_array_equal(dv.vectors, model.dv.vectors)


class _System:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


@pytest.mark.parametrize("suffix", [".kv", ".model", ".bin"])
def test_a_pickle_that_calls_os_system_is_refused(tmp_path, suffix):
    marker = tmp_path / "ran"
    hostile = tmp_path / f"hostile{suffix}"
    kv = gensim_models.KeyedVectors(3)
    kv.add_vectors(["a", "b"], np.eye(2, 3, dtype=np.float32))
    kv.payload = _System(f"touch {marker}")  # looks like a gensim file: its first class is KeyedVectors
    hostile.write_bytes(pickle.dumps(kv, protocol=4))
    assert sniff(hostile) == "gensim"
    with pytest.raises(FormatError, match=r"refusing to unpickle (posix|nt|os)\.system") as info:
        embedscope.load(hostile)
    assert "could run code" in str(info.value) and "save_word2vec_format" in (info.value.fix or "")
    bare = tmp_path / "bare.kv"
    bare.write_bytes(pickle.dumps(_System(f"touch {marker}")))
    with pytest.raises(FormatError, match="refusing to unpickle"):
        embedscope.load(bare)
    assert not marker.exists()


class _Train:
    def __reduce__(self):
        return (gensim_models.Word2Vec, ([["a", "b", "c"]] * 50,))  # Word2Vec(sentences) trains on them


def test_gensim_classes_come_back_inert(tmp_path):
    """A pickle calling a gensim class gets an inert stand-in: no gensim code runs while unpickling."""
    evil = tmp_path / "evil.model"
    evil.write_bytes(pickle.dumps(_Train(), protocol=4))
    with pytest.raises(FormatError, match=r"holds a gensim\.models\.word2vec\.Word2Vec, which has no word vectors"):
        embedscope.load(evil)


def test_format_torch_on_a_gensim_file_says_what_it_is():
    with pytest.raises(FormatError, match="this is a gensim file") as info:
        embedscope.load(GENSIM / "word2vec.model", format="torch")
    assert "--format gensim" in (info.value.fix or "")


def test_a_missing_npy_file_is_named(tmp_path):
    _copy(tmp_path, "words")
    (tmp_path / "words.kv.vectors.npy").unlink()
    with pytest.raises(NotFoundError, match=r"`vectors` beside this file as words\.kv\.vectors\.npy, which is missing"):
        embedscope.load(tmp_path / "words.kv")


def test_a_truncated_fasttext_model_fails_at_once(tmp_path):
    data = (GENSIM / "fasttext.bin").read_bytes()
    for cut in (40, 100, 400, len(data) // 2):
        path = tmp_path / f"cut{cut}.bin"
        path.write_bytes(data[:cut])
        done: list[BaseException] = []
        reader = threading.Thread(target=_expect_format_error, args=(path, done), daemon=True)
        reader.start()
        reader.join(10)  # gensim alone loops forever on a vocabulary cut short
        assert done and isinstance(done[0], FormatError), f"cut at {cut}: {done}"


def _expect_format_error(path: Path, out: list[BaseException]) -> None:
    try:
        embedscope.load(path)
    except BaseException as exc:
        out.append(exc)


def test_supervised_and_quantized_models_say_what_to_do(tmp_path):
    data = bytearray((GENSIM / "fasttext.bin").read_bytes())
    size, nwords, _ = struct.unpack_from("<3i", data, 64)
    struct.pack_into("<3i", data, 64, size + 1, nwords, 1)
    path = tmp_path / "classifier.bin"
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="supervised fastText model") as info:
        embedscope.load(path)
    assert "print-word-vectors" in (info.value.fix or "")


def test_fasttext_words_that_are_not_utf8(tmp_path):
    data = (GENSIM / "fasttext.bin").read_bytes()
    start = 8 + 56 + 28  # magic and version, the arguments, the vocabulary's header: then the first word
    path = tmp_path / "latin1.bin"
    path.write_bytes(data[:start] + b"\xe9" + data[start + 1 :])
    with pytest.raises(FormatError, match=r"word 1 .* is not UTF-8") as info:
        embedscope.load(path)
    assert "--unicode-errors replace" in (info.value.fix or "")
    emb = embedscope.load(path, unicode_errors="replace")
    assert len(emb) == 30 and emb.labels[0].startswith("\\xe9")
