"""The projector TSV pair: vectors, labels, metadata rules, and every error by its message."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import embedscope
from embedscope import Embedding
from embedscope.errors import EmbedscopeError, FormatError, MetadataError, NotFoundError
from embedscope.formats import tsv
from embedscope.formats.options import ReadOptions

FIXTURES = Path(__file__).parent.parent / "fixtures" / "tsv"
WORDS = FIXTURES / "words_tensor.tsv"  # written by gensim's word2vec2tensor


def write(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def labeled_rows() -> tuple[list[str], np.ndarray]:
    vectors, labels = tsv.read_vectors(FIXTURES / "labeled.tsv")
    assert labels is not None
    return labels, vectors


# -- real files -------------------------------------------------------------------------------------------
def test_gensim_pair_attaches_its_metadata_file():
    emb = embedscope.load(WORDS)
    labels, vectors = labeled_rows()
    assert emb.shape == (len(labels), 8)
    assert emb.vectors.dtype == np.float32
    np.testing.assert_array_equal(emb.vectors, vectors)
    assert emb.metadata is not None and emb.metadata.column_names == ["label"]
    assert emb.labels == labels
    assert "東京" in emb.labels and "café" in emb.labels and "naïve" in emb.labels
    np.testing.assert_array_equal(emb["café"], vectors[labels.index("café")])


def test_labels_in_first_field_become_the_label_column():
    emb = embedscope.load(FIXTURES / "labeled.tsv")
    labels, vectors = labeled_rows()
    assert emb.metadata is not None and emb.metadata.column_names == ["label"]
    assert emb.label_column == "label"
    assert emb.labels == labels
    np.testing.assert_array_equal(emb.vectors, vectors)


def test_metadata_option_with_header_row_and_typed_columns():
    emb = embedscope.load(WORDS, metadata=FIXTURES / "multi_metadata.tsv")
    assert emb.metadata is not None
    assert emb.metadata.column_names == ["word", "count", "length"]
    assert emb.metadata.schema.field("count").type == pa.int64()
    assert emb.metadata.schema.field("word").type == pa.string()
    assert emb.label_column == "word"
    assert emb.labels == labeled_rows()[0]


# -- vectors ----------------------------------------------------------------------------------------------
def test_bom_and_crlf(tmp_path):
    plain = write(tmp_path / "a.tsv", "\ufeff1\t2\t3\r\n4\t5\t6\r\n")
    vectors, labels = tsv.read_vectors(plain)
    assert labels is None
    np.testing.assert_array_equal(vectors, [[1, 2, 3], [4, 5, 6]])
    named = write(tmp_path / "b.tsv", "\ufeffdog\t1\t2\r\ncat\t3\t4\r\n")
    vectors, labels = tsv.read_vectors(named)
    assert labels == ["dog", "cat"]
    np.testing.assert_array_equal(vectors, [[1, 2], [3, 4]])


def test_trailing_empty_line_is_not_a_row_and_last_newline_is_optional(tmp_path):
    assert tsv.read_vectors(write(tmp_path / "a.tsv", "1\t2\n3\t4\n"))[0].shape == (2, 2)
    assert tsv.read_vectors(write(tmp_path / "b.tsv", "1\t2\n3\t4"))[0].shape == (2, 2)


def test_what_the_projector_tolerates(tmp_path):
    # blank lines are skipped; trailing tabs and spaces around numbers are ignored
    vectors, labels = tsv.read_vectors(write(tmp_path / "a.tsv", "1\t2\t\n\n 3 \t4\n   \n"))
    assert labels is None
    np.testing.assert_array_equal(vectors, [[1, 2], [3, 4]])


def test_labels_may_look_like_numbers_after_the_first_row(tmp_path):
    vectors, labels = tsv.read_vectors(write(tmp_path / "a.tsv", "the\t1\t2\n1984\t3\t4\n"))
    assert labels == ["the", "1984"]
    assert vectors.shape == (2, 2)


def test_fast_and_line_by_line_readers_agree(tmp_path):
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((3000, 7)) * 1e3 ** rng.integers(-3, 3, (3000, 7))).astype(np.float32)
    path = tsv.write_vectors(data, tmp_path / "v.tsv")
    fast, _ = tsv.read_vectors(path)
    slow, _ = tsv._read_slow(path)
    np.testing.assert_array_equal(fast, data)
    np.testing.assert_array_equal(slow, data)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("1\t2\t3\n4\t5\t6\n\n7\t8\n", r"line 4: expected 3 tab-separated numbers, found 2; every row"),
        ("a\t1\t2\nthe\t3\n", r'line 2: expected 2 tab-separated numbers, found 1 \(row for "the"\)'),
        ("1\t2\t3\n4\tfive\t6\n", r"line 2, column 2: expected a number, found 'five'"),
        ("x\t1\t2\ny\t3\t\n", r"line 2: expected 2 tab-separated numbers, found 1"),
        ("x\t1\t2\ny\t3\t-\n", r"""line 2, column 3: expected a number, found '-' \(row for "y"\)"""),
        ("1\t2\n3\tnan\n", r"line 2, column 2: holds nan, expected a finite number"),
        ("w\t1\t2\nv\t-inf\t3\n", r"""line 2, column 2: holds -inf, expected a finite number \(row for "v"\)"""),
        ("1\t2\nthe\t3\t4\n", r"line 2: this row starts with the label 'the', but the first row has no label"),
        ("the\t1\t2\n3\t4\n", r"line 2: this row has no label, but the first row starts with one"),
        ("the\nfox\n", r"line 1: expected tab-separated numbers, found only the label 'the'"),
        ("", r"the file is empty"),
        ("\n  \n\n", r"the file is empty"),
    ],
)
def test_bad_vectors_name_line_and_column(tmp_path, text, pattern):
    path = write(tmp_path / "vectors.tsv", text)
    with pytest.raises(FormatError, match=r"vectors\.tsv " + pattern if text.strip() else pattern):
        tsv.read_vectors(path)


def test_error_far_down_a_long_file_names_its_line(tmp_path):
    rows = ["\t".join(str(i + j) for j in range(4)) for i in range(9000)]
    rows[8765] = "1\t2\t3"
    path = write(tmp_path / "long.tsv", "\n".join(rows) + "\n")
    with pytest.raises(FormatError, match=r"line 8,766: expected 4 tab-separated numbers, found 3") as info:
        tsv.read_vectors(path)
    assert info.value.line == 8766
    rows[8765] = "1\t2\t3\tinf"
    with pytest.raises(FormatError, match=r"line 8,766, column 4: holds inf, expected a finite number"):
        tsv.read_vectors(write(tmp_path / "long.tsv", "\n".join(rows)))


def test_not_utf8_names_the_line(tmp_path):
    path = write(tmp_path / "v.tsv", "caf\t1\t2\nnaïve\t3\t4\n", encoding="latin-1")
    pattern = r"v\.tsv line 2, column 3: is not UTF-8: byte 0xef.*save it as UTF-8 \(e\.g\. iconv"
    with pytest.raises(FormatError, match=pattern):
        tsv.read_vectors(path)


def test_load_wraps_errors_with_the_file(tmp_path):
    path = write(tmp_path / "vectors.tsv", "1\t2\t3\n4\t5\n")
    with pytest.raises(FormatError, match=r"vectors\.tsv line 2: expected 3 tab-separated numbers, found 2"):
        embedscope.load(path)


# -- the pair -------------------------------------------------------------------------------------------
def test_metadata_that_does_not_fit_through_load(tmp_path):
    vectors = write(tmp_path / "v.tsv", "1\t2\n3\t4\n")
    meta = write(tmp_path / "labels.tsv", "word\nthe\nfox\n")
    with pytest.raises(MetadataError, match="single-column metadata must not have a header row"):
        embedscope.load(vectors, metadata=meta)


def test_sibling_metadata_is_attached_only_when_it_fits(tmp_path, caplog):
    write(tmp_path / "vectors.tsv", "dog\t1\t2\ncat\t3\t4\n")
    write(tmp_path / "metadata.tsv", "name\tlegs\nrex\t4\ntom\t4\n")
    emb = embedscope.load(tmp_path / "vectors.tsv")
    assert emb.metadata is not None and emb.metadata.column_names == ["name", "legs"]
    assert emb.labels == ["rex", "tom"]
    write(tmp_path / "metadata.tsv", "rex\ntom\nmax\n")
    with caplog.at_level(logging.WARNING):
        emb = embedscope.load(tmp_path / "vectors.tsv")
    assert "not attaching metadata.tsv" in caplog.text
    assert emb.labels == ["dog", "cat"]  # the vectors file's own labels


def test_metadata_option_wins_over_sibling(tmp_path):
    write(tmp_path / "v.tsv", "1\t2\n3\t4\n")
    write(tmp_path / "v_metadata.tsv", "a\nb\n")
    write(tmp_path / "other.tsv", "x\ny\n")
    assert embedscope.load(tmp_path / "v.tsv").labels == ["a", "b"]
    assert embedscope.load(tmp_path / "v.tsv", metadata=tmp_path / "other.tsv").labels == ["x", "y"]


# -- writing ----------------------------------------------------------------------------------------------
def test_round_trip_exact_floats_and_unicode_metadata(tmp_path):
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((50, 6)).astype(np.float32)
    vectors[0] = [0.1, 1 / 3, 1e-8, 3.4028235e38, -0.0, 1e-45]
    metadata = pa.table({"word": [f"wörd{i}" for i in range(49)] + ["東京"], "score": np.arange(50) / 7})
    emb = Embedding(vectors, metadata=metadata)
    out = emb.save(tmp_path / "out" / "vectors.tsv")
    assert out == tmp_path / "out" / "vectors.tsv"
    assert (tmp_path / "out" / "vectors_metadata.tsv").read_text(encoding="utf-8").startswith("word\tscore\n")
    back = embedscope.load(out)
    np.testing.assert_array_equal(back.vectors, vectors)
    assert back.metadata is not None
    assert back.metadata.column("word").to_pylist() == metadata.column("word").to_pylist()
    assert back.metadata.column("score").to_pylist() == metadata.column("score").to_pylist()
    assert back["東京"].tolist() == vectors[49].tolist()


def test_single_column_written_without_header(tmp_path):
    emb = Embedding(np.eye(3, dtype=np.float32), metadata=pa.table({"token": ["a", "", "c"]}))
    tsv.write(emb, tmp_path / "v.tsv", metadata_path=tmp_path / "labels.tsv")
    assert (tmp_path / "labels.tsv").read_text(encoding="utf-8") == "a\n\nc\n"
    back = embedscope.load(tmp_path / "v.tsv", metadata=tmp_path / "labels.tsv")
    assert back.metadata is not None and back.metadata.column("label").to_pylist() == ["a", "", "c"]


def test_written_vectors_are_short(tmp_path):
    path = tsv.write_vectors(np.array([[0.1, -2.5, 1e-8]], dtype=np.float32), tmp_path / "v.tsv")
    assert path.read_text() == "0.1\t-2.5\t1e-8\n"


# -- mangled files ----------------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mangled_files_raise_only_embedscope_errors(tmp_path, data):
    source = data.draw(st.sampled_from([FIXTURES / "labeled.tsv", WORDS, FIXTURES / "multi_metadata.tsv"]))
    raw = bytearray(source.read_bytes())
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(raw)))
        junk = data.draw(st.sampled_from([b"", b"\t", b"\n", b"nan", b"\r\n", b"\xff", b"x", b'"', b"\xef\xbb\xbf"]))
        raw[at : at + data.draw(st.integers(0, 40))] = junk
    path = tmp_path / "mangled.tsv"
    path.write_bytes(bytes(raw))
    for attempt in (lambda: tsv.read(path, ReadOptions(), "tsv"), lambda: tsv.read_metadata(path, n=26)):
        with contextlib.suppress(EmbedscopeError):
            attempt()


def test_missing_files_are_not_found(tmp_path):
    write(tmp_path / "v.tsv", "1\t2\n")
    with pytest.raises(NotFoundError, match=r"nope\.tsv: no such file"):
        embedscope.load(tmp_path / "v.tsv", metadata=tmp_path / "nope.tsv")
    with pytest.raises(NotFoundError, match=r"is a folder, not a file"):
        tsv.read_vectors(tmp_path)


def test_utf16_vectors_say_so(tmp_path):
    path = write(tmp_path / "v.tsv", "\ufeff0.1\t0.2\n0.3\t0.4\n", encoding="utf-16-le")
    pattern = r"v\.tsv: is UTF-16, expected UTF-8; save it as UTF-8 \(e\.g\. iconv -f UTF-16 -t UTF-8\)"
    with pytest.raises(FormatError, match=pattern):
        tsv.read_vectors(path)
    path = write(tmp_path / "v.tsv", "0.1\t0.2\n0.3\t0.4\n", encoding="utf-16-be")  # no BOM: the NUL bytes tell
    with pytest.raises(FormatError, match=r"is UTF-16, expected UTF-8"):
        embedscope.load(path)
