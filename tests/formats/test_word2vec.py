"""word2vec text/binary, GloVe and fastText .vec: files made by gensim, read back exactly as gensim reads them."""

from __future__ import annotations

import bz2
import gzip
import logging
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from gensim.models import KeyedVectors

import embedscope
from embedscope.errors import FormatError, ParameterError
from embedscope.formats import word2vec
from embedscope.formats.registry import sniff

FIXTURES = Path(__file__).parent.parent / "fixtures" / "word2vec"
GENSIM_FILES = [
    ("vectors.txt", "word2vec", {}),
    ("vectors.bin", "word2vec-binary", {"binary": True}),
    ("glove.txt", "glove", {"no_header": True}),
    ("vectors.txt.gz", "word2vec", {}),
    ("fasttext.vec", "word2vec", {}),
]


def gensim_load(path: Path, **kwargs: object) -> KeyedVectors:
    return KeyedVectors.load_word2vec_format(str(path), **kwargs)


def copy(tmp_path: Path, name: str, data: bytes | None = None) -> Path:
    out = tmp_path / name
    out.write_bytes((FIXTURES / name).read_bytes() if data is None else data)
    return out


def text_lines(name: str = "vectors.txt") -> list[str]:
    return (FIXTURES / name).read_text(encoding="utf-8").splitlines(keepends=True)


# -- reading real files ------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "variant", "kwargs"), GENSIM_FILES)
def test_reads_what_gensim_reads(name: str, variant: str, kwargs: dict[str, object]) -> None:
    path = FIXTURES / name
    assert sniff(path) == variant
    emb = embedscope.load(path)
    kv = gensim_load(path, **kwargs)
    assert emb.vectors.dtype == np.float32
    assert np.array_equal(emb.vectors, kv.vectors)
    assert emb.labels == list(kv.index_to_key)
    assert emb.name == name.split(".")[0]


def test_words_are_string_labels_even_when_they_look_like_numbers() -> None:
    emb = embedscope.load(FIXTURES / "vectors.txt")
    assert emb.metadata is not None
    assert emb.metadata.schema.field("label").type == pa.string()
    assert emb.label_column == "label"
    for word in ("1", "2.5", "NA", "nan", "true"):
        assert word in emb.labels


def test_unicode_tab_and_nbsp_words() -> None:
    kv = gensim_load(FIXTURES / "vectors.bin", binary=True)
    for name in ("vectors.txt", "vectors.bin", "glove.txt"):
        emb = embedscope.load(FIXTURES / name)
        for word in ("café", "日本語", "Ελλάδα", "emoji🙂", "a\u00a0b", "tab\tword"):
            assert np.array_equal(emb[word], kv[word])


def test_fasttext_vec_with_trailing_spaces() -> None:
    raw = (FIXTURES / "fasttext.vec").read_bytes()
    assert raw.split(b"\n")[1].endswith(b" ")
    emb = embedscope.load(FIXTURES / "fasttext.vec")
    assert emb.shape == (60, 12)
    assert emb.labels[0] == "the"


def test_bom_and_crlf(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + (FIXTURES / "vectors.txt").read_bytes().replace(b"\n", b"\r\n")
    path = copy(tmp_path, "vectors.txt", data)
    assert sniff(path) == "word2vec"
    emb = embedscope.load(path)
    assert np.array_equal(emb.vectors, embedscope.load(FIXTURES / "vectors.txt").vectors)
    assert emb.labels[0] == "the"


def test_irregular_file_is_read_line_by_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    lines = text_lines()
    lines[3] = lines[3].replace(" ", "  ", 3)  # double spaces
    lines[5] = lines[5].rstrip("\n") + " \n"  # a trailing space on one line only
    lines.insert(7, "\n")  # a blank line
    path = copy(tmp_path, "vectors.txt", "".join(lines).encode())
    with caplog.at_level(logging.WARNING):
        emb = embedscope.load(path)
    assert "read line by line" in caplog.text
    expected = embedscope.load(FIXTURES / "vectors.txt")
    assert np.array_equal(emb.vectors, expected.vectors)
    assert emb.labels == expected.labels


def test_glove_words_with_spaces(tmp_path: Path) -> None:
    path = tmp_path / "glove.txt"
    path.write_text("the 0.1 0.2 0.3\nnew york 1 2 3\n. . . 4 5 6\nat&t 7 8 9\n", encoding="utf-8")
    emb = embedscope.load(path)
    assert emb.labels == ["the", "new york", ". . .", "at&t"]
    assert np.array_equal(emb["new york"], np.array([1, 2, 3], dtype=np.float32))


def test_options_name_and_unicode_errors(tmp_path: Path) -> None:
    lines = text_lines()
    path = copy(tmp_path, "vectors.txt", "".join(lines).encode().replace("café".encode(), b"caf\xc3"))
    emb = word2vec.read_word2vec(path, unicode_errors="replace", name="custom")
    assert emb.name == "custom"
    assert "caf\ufffd" in emb.labels
    with pytest.raises(ParameterError, match="unknown unicode_errors 'nope'"):
        word2vec.read_word2vec(path, unicode_errors="nope")


# -- errors ------------------------------------------------------------------------------------------
def test_header_count_mismatch(tmp_path: Path) -> None:
    lines = text_lines()
    path = copy(tmp_path, "vectors.txt", "".join(["61 12\n", *lines[1:]]).encode())
    with pytest.raises(FormatError, match=r'vectors.txt line 1: the header says 61 words, found 60 .*"60 12"'):
        embedscope.load(path)
    path.write_text("".join(lines[:-2]), encoding="utf-8")
    with pytest.raises(FormatError, match="the header says 60 words, found 58 lines of vectors"):
        embedscope.load(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.rsplit(" ", 1)[0] + "\n", r"line 8: expected 12 numbers after the word, found 11 \(row for '1'\)"),
        (lambda s: s.rstrip("\n") + " 0.5\n", r"line 8: expected 12 numbers after the word, found 13 \(row for '1'\)"),
        (lambda s: "1\n", r"line 8: expected 12 numbers after the word, found 0 \(row for '1'\)"),
    ],
)
def test_ragged_rows(tmp_path: Path, edit: object, message: str) -> None:
    lines = text_lines()
    assert lines[7].startswith("1 ")  # line 8 holds the word "1" (line 1 is the header)
    lines[7] = edit(lines[7])  # type: ignore[operator]
    path = copy(tmp_path, "vectors.txt", "".join(lines).encode())
    with pytest.raises(FormatError, match=message):
        embedscope.load(path)


def test_ragged_glove_row(tmp_path: Path) -> None:
    lines = text_lines("glove.txt")
    lines[9] = lines[9].rsplit(" ", 2)[0] + "\n"
    path = copy(tmp_path, "glove.txt", "".join(lines).encode())
    with pytest.raises(FormatError, match=r"glove.txt line 10: expected 12 numbers after the word, found 10"):
        embedscope.load(path)


def test_not_a_number_names_line_and_column(tmp_path: Path) -> None:
    lines = text_lines()
    fields = lines[2].split(" ")
    fields[3] = "0.5x"
    lines[2] = " ".join(fields)
    column = len(" ".join(fields[:3])) + 2
    path = copy(tmp_path, "vectors.txt", "".join(lines).encode())
    with pytest.raises(
        FormatError,
        match=rf"line 3, column {column}: expected a number, found '0.5x' as number 3 of 12 \(row for 'café'\)",
    ):
        embedscope.load(path)


@pytest.mark.parametrize("bad", ["nan", "-inf", "1e39"])
def test_nan_inf_text(tmp_path: Path, bad: str) -> None:
    lines = text_lines()
    fields = lines[6].split(" ")
    fields[5] = bad
    lines[6] = " ".join(fields)
    path = copy(tmp_path, "vectors.txt", "".join(lines).encode())
    column = len(" ".join(fields[:5])) + 2
    message = (
        rf"line 7, column {column}: holds \S+ as number 5 of 12, expected a finite float32 number \(row for 'emoji🙂'\)"
    )
    with pytest.raises(FormatError, match=message):
        embedscope.load(path)
    lines.insert(3, "\n")  # the same error, found line by line
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(FormatError, match=rf"line 8, column {column}: holds \S+ as number 5 of 12, expected a finite"):
        embedscope.load(path)


def test_nan_binary(tmp_path: Path) -> None:
    kv = gensim_load(FIXTURES / "vectors.bin", binary=True)
    kv.vectors[4, 2] = np.inf
    kv.save_word2vec_format(str(tmp_path / "bad.bin"), binary=True)
    with pytest.raises(
        FormatError, match=r"bad\.bin: row 5, column 3 holds inf, expected a finite number \(row for 'Ελλάδα'\)"
    ):
        embedscope.load(tmp_path / "bad.bin")


def test_truncated_binary(tmp_path: Path) -> None:
    data = (FIXTURES / "vectors.bin").read_bytes()
    path = copy(tmp_path, "vectors.bin", data[:-10])
    with pytest.raises(FormatError, match=r"truncated: word 60 of 60 \('word46'\) needs 48 bytes of vector, found 38"):
        embedscope.load(path)
    record = len(b"word46 ") + 48
    path.write_bytes(data[:-record])
    with pytest.raises(FormatError, match="truncated: the header says 60 words, the file ends after word 59"):
        embedscope.load(path)


def test_binary_with_more_data_than_its_header(tmp_path: Path) -> None:
    data = (FIXTURES / "vectors.bin").read_bytes()
    path = copy(tmp_path, "vectors.bin", data.replace(b"60 12\n", b"59 12\n", 1))
    with pytest.raises(FormatError, match="line 1: the header says 59 words, but more data follows word 59"):
        embedscope.load(path, format="word2vec-binary")


def test_bad_utf8(tmp_path: Path) -> None:
    data = (FIXTURES / "vectors.txt").read_bytes().replace("naïve".encode(), b"na\xefve")
    path = copy(tmp_path, "vectors.txt", data)
    message = r"line 4, column 3: word 'na.ve' is not UTF-8 \(byte 0xef\); save it as UTF-8 \(e\.g\. iconv -f LATIN1"
    with pytest.raises(FormatError, match=message):
        embedscope.load(path)
    binary = (FIXTURES / "vectors.bin").read_bytes().replace("naïve".encode(), b"na\xefve")
    path = copy(tmp_path, "vectors.bin", binary)
    with pytest.raises(FormatError, match=r"vectors\.bin: word 3 'na.ve' is not UTF-8 \(byte 0xef\); save it as UTF-8"):
        embedscope.load(path)
    assert "na\ufffdve" in word2vec.read_word2vec(path, unicode_errors="replace").labels


def test_bad_utf8_in_numbers_found_line_by_line(tmp_path: Path) -> None:
    lines = text_lines()
    lines[9] = lines[9].replace(" ", " \udcff", 1)
    path = copy(tmp_path, "vectors.txt", "".join(lines).encode("utf-8", "surrogateescape"))
    with pytest.raises(FormatError, match=r"line 10, column \d+: the text '.\d.*' is not UTF-8 \(byte 0xff\)"):
        embedscope.load(path)


def test_empty_and_header_only(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(FormatError, match=r"empty\.txt: the file is empty"):
        embedscope.load(path)
    for fmt in ("word2vec", "word2vec-binary", "glove"):
        with pytest.raises(FormatError, match="the file is empty"):
            embedscope.load(path, format=fmt)
    path.write_text("60 12\n")
    with pytest.raises(FormatError, match="line 2: no vectors found"):
        embedscope.load(path)


def test_missing_header(tmp_path: Path) -> None:
    path = copy(tmp_path, "glove.txt")
    with pytest.raises(
        FormatError, match=r"line 1: expected a header line `COUNT DIMENSIONS`, found 'the 0.06.*--format glove"
    ):
        embedscope.load(path, format="word2vec")


def test_wrong_variant_named(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="this is binary word2vec, not text; use --format word2vec-binary"):
        embedscope.load(FIXTURES / "vectors.bin", format="word2vec")
    with pytest.raises(FormatError, match="this is word2vec text, not binary; use --format word2vec"):
        embedscope.load(FIXTURES / "vectors.txt", format="word2vec-binary")


def test_sniff_refuses_other_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\nabout things\n")
    with pytest.raises(FormatError, match="line 1: cannot tell the format: the first line 'just some notes'"):
        embedscope.load(path)


def test_sniff_variants() -> None:
    for name, variant, _ in GENSIM_FILES:
        if not name.endswith(".vec"):
            assert word2vec.sniff_variant(FIXTURES / name) == variant


# -- writing -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("binary", [False, True])
def test_write_round_trip_through_gensim(tmp_path: Path, binary: bool) -> None:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((40, 9)).astype(np.float32) * np.float32(3e-3)
    vectors[0, :3] = [1e-40, 3.4e38, -0.0]  # subnormal, huge, negative zero
    words = [f"w{i}" for i in range(37)] + ["café", "日本語", "1"]
    emb = embedscope.Embedding(vectors, metadata=pa.table({"word": words}))
    out = word2vec.write(emb, tmp_path / ("out.bin" if binary else "out.txt"), binary=binary)
    kv = gensim_load(out, binary=binary)
    assert np.array_equal(kv.vectors, vectors)
    assert list(kv.index_to_key) == words
    back = embedscope.load(out)
    assert np.array_equal(back.vectors, vectors)
    assert back.labels == words


def test_save_through_registry(tmp_path: Path) -> None:
    emb = embedscope.load(FIXTURES / "vectors.bin")
    text = emb.save(tmp_path / "v.txt")
    binary = emb.save(tmp_path / "v.w2v", format="word2vec", binary=True)
    assert sniff(text) == "word2vec"
    assert sniff(binary) == "word2vec-binary"
    assert np.array_equal(embedscope.load(binary).vectors, emb.vectors)
    assert embedscope.load(text).labels == emb.labels
    with gzip.open(tmp_path / "v.txt.gz", "wb") as fh:
        fh.write(text.read_bytes())
    assert np.array_equal(embedscope.load(tmp_path / "v.txt.gz").vectors, emb.vectors)


def test_write_refuses_words_with_spaces(tmp_path: Path) -> None:
    emb = embedscope.Embedding(np.zeros((2, 3), np.float32), metadata=pa.table({"word": ["ok", "new york"]}))
    with pytest.raises(FormatError, match="label 'new york' of row 2 cannot be a word2vec word"):
        word2vec.write(emb, tmp_path / "out.txt")


def test_bz2_and_damaged_gzip(tmp_path: Path) -> None:
    path = tmp_path / "v.vec.bz2"
    path.write_bytes(bz2.compress((FIXTURES / "fasttext.vec").read_bytes()))
    assert word2vec.read_word2vec(path).shape == (60, 12)
    data = bytearray((FIXTURES / "vectors.txt.gz").read_bytes())
    data[len(data) // 2 : len(data) // 2 + 8] = b"\xff" * 8
    path = copy(tmp_path, "vectors.txt.gz", bytes(data))
    with pytest.raises(FormatError, match=r"vectors\.txt\.gz: the compressed data is damaged"):
        embedscope.load(path)


def test_word_cut_inside_a_character_suggests_unicode_errors(tmp_path: Path) -> None:
    fix = (
        r"the word was cut inside a multi-byte character .*--unicode-errors replace \(CLI\) / unicode_errors='replace'"
    )
    cut = "naïve".encode()[:3]  # b"na\xc3": word2vec.c cuts long words by bytes, not characters
    data = (FIXTURES / "vectors.txt").read_bytes().replace("naïve".encode(), cut)
    path = copy(tmp_path, "vectors.txt", data)
    with pytest.raises(FormatError, match=r"line 4, column 3: word 'na.' is not UTF-8 \(byte 0xc3\); " + fix):
        embedscope.load(path)
    assert "na\ufffd" in word2vec.read_word2vec(path, unicode_errors="replace").labels
    binary = (FIXTURES / "vectors.bin").read_bytes().replace("naïve".encode(), cut)
    path = copy(tmp_path, "vectors.bin", binary)
    with pytest.raises(FormatError, match=r"word 3 'na.' is not UTF-8 \(byte 0xc3\); " + fix):
        embedscope.load(path)


@pytest.mark.parametrize(("encoding", "name"), [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-32", "UTF-32")])
def test_utf16_text_says_so(tmp_path: Path, encoding: str, name: str) -> None:
    text = (FIXTURES / "vectors.txt").read_text(encoding="utf-8")
    path = copy(tmp_path, "vectors.txt", text.encode(encoding))
    message = rf"vectors\.txt: is {name}, expected UTF-8; save it as UTF-8 \(e\.g\. iconv -f {name} -t UTF-8\)"
    with pytest.raises(FormatError, match=message):
        embedscope.load(path)
    with pytest.raises(FormatError, match=message):
        embedscope.load(path, format="glove")
