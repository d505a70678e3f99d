"""The projector's metadata TSV rules: header rows, counts that do not fit, encodings, and writing."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa
import pytest

from embedscope.errors import FormatError, MetadataError
from embedscope.formats.tsv_metadata import read_labels, read_metadata, write_metadata


def write(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_single_column_metadata_has_no_header(tmp_path):
    table = read_metadata(write(tmp_path / "m.tsv", '\ufeffword\r\nthe\r\n\r\n"quoted"\r\n'), n=4)
    assert table.column_names == ["label"]
    assert table.column("label").to_pylist() == ["word", "the", "", '"quoted"']


def test_multi_column_metadata_header_rows_and_empty_cells(tmp_path):
    text = 'word\tcount\tnote\nthe\t10\t"a"\nfox\t\tb\ncafé\t3\n'
    table = read_metadata(write(tmp_path / "m.tsv", text), n=3)
    assert table.column_names == ["word", "count", "note"]
    assert table.column("word").to_pylist() == ["the", "fox", "café"]
    assert table.column("count").to_pylist() == [10, None, 3]
    assert table.column("note").to_pylist() == ['"a"', "b", ""]


def test_numeric_single_column(tmp_path):
    table = read_metadata(write(tmp_path / "m.tsv", "1\n2\n\n"), n=None)
    assert table.column("label").to_pylist() == [1, 2, None]


def test_single_column_with_header_row_is_named(tmp_path):
    path = write(tmp_path / "metadata.tsv", "word\nthe\nfox\n")
    message = r"metadata\.tsv: 3 lines for 2 vectors: single-column metadata must not have a header row"
    with pytest.raises(MetadataError, match=message + r"; remove the first line \('word'\)"):
        read_metadata(path, n=2)


def test_multi_column_without_header_row_is_named(tmp_path):
    path = write(tmp_path / "metadata.tsv", "the\t1\nfox\t2\n")
    with pytest.raises(MetadataError, match=r"2 lines for 2 vectors: multi-column metadata needs a header row"):
        read_metadata(path, n=2)


@pytest.mark.parametrize(
    ("text", "n", "pattern"),
    [
        ("a\nb\nc\n", 5, r"3 lines \(one label per line, no header\) for 5 vectors"),
        ("w\tc\na\t1\nb\t2\nc\t3\n", 1, r"3 rows after the header row for 1 vectors"),
        ("a\nb\n\n\n", 2, r"4 lines for 2 vectors: the file ends with 2 blank lines; remove the blank lines"),
        ("w\tc\na\t1\n\n", 1, r"3 lines for 1 vectors: the file ends with 1 blank line;"),
    ],
)
def test_metadata_counts_that_do_not_fit(tmp_path, text, n, pattern):
    with pytest.raises(MetadataError, match=pattern):
        read_metadata(write(tmp_path / "m.tsv", text), n=n)


def test_metadata_rows_wider_than_the_header(tmp_path):
    message = r"m\.tsv line 3: expected 2 tab-separated columns \(as in the header\), found 3"
    with pytest.raises(MetadataError, match=message):
        read_metadata(write(tmp_path / "m.tsv", "w\tc\na\t1\nb\t2\t3\n"), n=None)


def test_tab_after_a_single_column_first_line(tmp_path):
    with pytest.raises(MetadataError, match=r"m\.tsv line 2: this line has 2 tab-separated columns but the first"):
        read_metadata(write(tmp_path / "m.tsv", "the\nfox\tx\n"), n=None)


def test_header_names_made_unique(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        table = read_metadata(write(tmp_path / "m.tsv", "w\t\tw\na\tb\tc\n"), n=1)
    assert table.column_names == ["w", "column_2", "w_2"]
    assert "renamed" in caplog.text


def test_metadata_errors(tmp_path):
    with pytest.raises(FormatError, match=r"m\.tsv: the metadata file is empty"):
        read_metadata(write(tmp_path / "m.tsv", ""), n=3)
    assert read_metadata(tmp_path / "m.tsv", n=0).num_rows == 0
    with pytest.raises(FormatError, match=r"n\.tsv line 3, column 3: is not UTF-8"):
        read_metadata(write(tmp_path / "n.tsv", "a\nb\nnaïve\n", encoding="latin-1"), n=3)


def test_tabs_and_newlines_in_values_become_spaces(tmp_path, caplog):
    table = pa.table({"word": ["a\tb", "c\nd", "e\r\nf"], "n": [1, 2, None]})
    with caplog.at_level(logging.WARNING):
        write_metadata(table, tmp_path / "m.tsv")
    assert (tmp_path / "m.tsv").read_text(encoding="utf-8") == "word\tn\na b\t1\nc d\t2\ne f\t\n"
    assert "replaced by spaces in 3 values" in caplog.text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_metadata_says_so(tmp_path, encoding):
    path = write(tmp_path / "m.tsv", "word\tn\nthe\t1\n", encoding=encoding)
    message = r"m\.tsv: is UTF-16, expected UTF-8; save it as UTF-8 \(e\.g\. iconv -f UTF-16 -t UTF-8\)"
    with pytest.raises(FormatError, match=message):
        read_metadata(path, n=1)


def test_utf32_metadata_says_so(tmp_path):
    path = write(tmp_path / "m.tsv", "the\nfox\n", encoding="utf-32")
    with pytest.raises(FormatError, match=r"is UTF-32, expected UTF-8; .*iconv -f UTF-32 -t UTF-8"):
        read_metadata(path, n=2)


def test_read_labels_uses_the_single_column_rules(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_bytes(b"\xef\xbb\xbf[PAD]\r\nthe\r\n\r\n007\r\n")
    assert read_labels(path) == ["[PAD]", "the", "", "007"]  # kept as text: no typing, empty lines are rows
    path.write_bytes(b"the\nnew\tyork\n")
    with pytest.raises(
        MetadataError, match=r"vocab\.txt line 2: expected one label per line, found 2 tab-separated columns"
    ):
        read_labels(path)
