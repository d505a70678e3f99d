"""One contract over every reader: real files load as float32 Embeddings, unicode labels survive, and any
mangled version of a valid file gives a loaded Embedding or an EmbedscopeError, never another exception."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import embedscope
from embedscope.errors import EmbedscopeError

FIXTURES = Path(__file__).parent.parent / "fixtures"
WORDS = ["the", "blåbær", "猫", "naïve", "emoji😀", "ß", "e\u0301", "Ωmega"]
VECTORS = np.random.default_rng(3).standard_normal((len(WORDS), 6)).astype(np.float32)


def _tsv(d: Path) -> Path:
    path = d / "vectors.tsv"
    path.write_text("\n".join("\t".join(repr(float(x)) for x in row) for row in VECTORS) + "\n", encoding="utf-8")
    (d / "vectors_metadata.tsv").write_text("word\tlength\n" + "".join(f"{w}\t{len(w)}\n" for w in WORDS))
    return path


def _kv():
    from gensim.models import KeyedVectors

    kv = KeyedVectors(VECTORS.shape[1])
    kv.add_vectors(WORDS, VECTORS)
    return kv


def _word2vec(d: Path) -> Path:
    _kv().save_word2vec_format(str(d / "w2v.txt"), binary=False)
    return d / "w2v.txt"


def _word2vec_binary(d: Path) -> Path:
    _kv().save_word2vec_format(str(d / "w2v.bin"), binary=True)
    return d / "w2v.bin"


def _glove(d: Path) -> Path:
    _kv().save_word2vec_format(str(d / "glove.txt"), binary=False, write_header=False)
    return d / "glove.txt"


def _gensim(d: Path) -> Path:
    _kv().save(str(d / "words.kv"), sep_limit=0)  # the vectors beside it, in words.kv.vectors.npy
    return d / "words.kv"


def _npy(d: Path) -> Path:
    np.save(d / "v.npy", VECTORS)
    return d / "v.npy"


def _npz(d: Path) -> Path:
    np.savez(d / "v.npz", vectors=VECTORS, labels=np.array(WORDS))
    return d / "v.npz"


def _table() -> pa.Table:
    return pa.table({"word": WORDS, "vector": pa.array(list(VECTORS), type=pa.list_(pa.float32()))})


def _parquet(d: Path) -> Path:
    pq.write_table(_table(), d / "t.parquet")
    return d / "t.parquet"


def _arrow(d: Path) -> Path:
    feather.write_feather(_table(), d / "t.arrow")
    return d / "t.arrow"


def _csv(d: Path) -> Path:
    columns = {"word": WORDS} | {f"dim_{j}": VECTORS[:, j] for j in range(VECTORS.shape[1])}
    pacsv.write_csv(pa.table(columns), d / "t.csv")
    return d / "t.csv"


def _safetensors(d: Path) -> Path:
    from safetensors.numpy import save_file

    save_file({"embeddings.word_embeddings.weight": VECTORS}, str(d / "model.safetensors"))
    (d / "vocab.txt").write_text("".join(f"{w}\n" for w in WORDS), encoding="utf-8")
    return d / "model.safetensors"


def _fixture(*parts: str) -> Callable[[Path], Path]:
    """A committed fixture made by the real library (TensorFlow, PyTorch, Keras): copied into the temp folder."""

    def make(d: Path) -> Path:
        src = FIXTURES.joinpath(*parts)
        if src.is_dir():
            shutil.copytree(src, d / src.name)
            return d / src.name
        for sibling in src.parent.glob(src.name.split(".")[0] + ".*"):
            shutil.copy(sibling, d / sibling.name)
        return d / src.name

    return make


@dataclass(frozen=True)
class Case:
    format: str
    make: Callable[[Path], Path]
    labelled: bool = False  # carries WORDS as labels
    text: bool = False  # a text format: a broken line is reported by its number


CASES = [
    Case("tsv", _tsv, labelled=True, text=True),
    Case("word2vec", _word2vec, labelled=True, text=True),
    Case("word2vec-binary", _word2vec_binary, labelled=True),
    Case("glove", _glove, labelled=True, text=True),
    Case("gensim", _gensim, labelled=True),
    Case("gensim", _fixture("gensim", "word2vec.model")),
    Case("fasttext", _fixture("gensim", "fasttext.bin")),
    Case("npy", _npy),
    Case("npz", _npz, labelled=True),
    Case("parquet", _parquet, labelled=True),
    Case("arrow", _arrow, labelled=True),
    Case("csv", _csv, labelled=True, text=True),
    Case("safetensors", _safetensors, labelled=True),
    Case("tf-checkpoint", _fixture("tf", "tf1", "model.ckpt-100.index")),
    Case("tensorboard", _fixture("tf", "logdir_guide")),
    Case("torch", _fixture("ml", "torch", "state_dict.pt")),
    Case("keras", _fixture("ml", "keras", "model.keras")),
    Case("keras", _fixture("ml", "keras", "model.weights.h5")),
]
IDS = [f"{c.format}-{i}" for i, c in enumerate(CASES)]


def _check(collection: embedscope.Collection) -> None:
    assert len(collection) >= 1
    for _, emb in collection:
        assert emb.vectors.dtype == np.float32
        assert emb.vectors.ndim == 2
        assert len(emb.labels) == len(emb)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reads_real_file(case: Case, tmp_path: Path) -> None:
    path = case.make(tmp_path)
    assert embedscope.formats.sniff(path) == case.format
    collection = embedscope.load_collection(path)
    _check(collection)
    if case.labelled:
        emb = collection.get()
        assert emb.labels == WORDS
        np.testing.assert_allclose(emb.vectors, VECTORS, rtol=1e-6)
        assert emb.index_of("猫") == 2


@pytest.mark.parametrize("fmt", ["tsv", "word2vec", "npy", "parquet", "tensorboard"])
def test_write_then_read_round_trip(fmt: str, tmp_path: Path) -> None:
    emb = embedscope.Embedding(VECTORS, name="words", metadata=pa.table({"word": WORDS}))
    suffix = {"tsv": ".tsv", "word2vec": ".txt", "npy": ".npy", "parquet": ".parquet", "tensorboard": ""}[fmt]
    written = emb.save(tmp_path / f"out{suffix}", format=fmt)
    back = embedscope.load(written)
    np.testing.assert_allclose(back.vectors, VECTORS, rtol=1e-6)
    if fmt != "npy":
        assert back.labels == WORDS
    else:
        assert embedscope.load(written, metadata=written.with_name("out_metadata.tsv")).labels == WORDS


@pytest.mark.parametrize("case", [c for c in CASES if c.text], ids=lambda c: c.format)
def test_broken_line_is_named(case: Case, tmp_path: Path) -> None:
    path = case.make(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[4] = (
        lines[4].replace(lines[4].split()[-1], "1.0x", 1)
        if case.format != "csv"
        else lines[4].replace(",", ",oops,", 1)
    )
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(EmbedscopeError) as info:
        embedscope.load_collection(path, format=case.format)
    assert path.name in str(info.value)
    assert "line 5" in str(info.value)


def _mangle(data: bytes, kind: str, at: int, chunk: bytes) -> bytes:
    at = at % (len(data) + 1)
    if kind == "truncate":
        return data[:at]
    if kind == "overwrite":
        return data[:at] + chunk + data[at + len(chunk) :]
    if kind == "insert":
        return data[:at] + chunk + data[at:]
    return data[:at] + data[at + max(1, len(chunk)) :]


def _primary_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    if path.suffix == ".index":
        return sorted(path.parent.glob(path.name.removesuffix(".index") + ".*"))
    return [path]


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_mangled_files_raise_only_embedscope_errors(case: Case) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "valid"
        base.mkdir()
        valid = case.make(base)
        targets = [p.relative_to(base) for p in _primary_files(valid)]
        counter = iter(range(1 << 30))
        tries: list[int] = []

        @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(
            target=st.sampled_from(targets),
            kind=st.sampled_from(["truncate", "overwrite", "insert", "delete"]),
            at=st.integers(min_value=0, max_value=1 << 20),
            chunk=st.binary(min_size=1, max_size=16),
        )
        def mangled(target: Path, kind: str, at: int, chunk: bytes) -> None:
            # a fresh copy each time: a file still memory-mapped by an earlier load must never shrink under it
            tries.append(1)
            work = Path(tmp) / f"try{next(counter)}"
            shutil.copytree(base, work)
            victim = work / target
            victim.write_bytes(_mangle(victim.read_bytes(), kind, at, chunk))
            try:
                collection = embedscope.load_collection(work / valid.relative_to(base), format=case.format)
            except EmbedscopeError:
                return
            _check(collection)

        mangled()
        assert len(tries) >= 30  # hypothesis really ran the mangled files
