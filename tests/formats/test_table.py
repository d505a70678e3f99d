"""Parquet, Arrow/Feather and CSV tables: list columns, numbered columns, metadata, memory-mapping, errors."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import embedscope
from embedscope import Embedding
from embedscope.errors import AmbiguousError, EmbedscopeError, FormatError, NotFoundError
from embedscope.formats import tables as table_format
from embedscope.formats import tsv
from embedscope.formats.options import ReadOptions

FIXTURES = Path(__file__).parent.parent / "fixtures"
TABLES = FIXTURES / "table"


@pytest.fixture(scope="module")
def expected() -> tuple[np.ndarray, list[str]]:
    """The vectors and words every table fixture holds (the same gensim model wrote the TSV fixture)."""
    vectors, labels = tsv.read_vectors(FIXTURES / "tsv" / "labeled.tsv")
    assert labels is not None
    return vectors, labels


def write_ipc(table: pa.Table, path: Path) -> Path:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return path


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("words_list.parquet", ["word", "count"]),  # list<float32>, two row groups
        ("words_fixed.arrow", ["label"]),  # fixed_size_list<float32>, Arrow IPC file
        ("words_v.feather", ["word"]),  # v0..v7 numeric columns, lz4-compressed Feather
        ("words_dims.csv", ["word", "count"]),  # dim_0..dim_7 numeric columns, written by pandas
    ],
)
def test_real_tables(expected, name, columns):
    vectors, words = expected
    emb = embedscope.load(TABLES / name)
    assert emb.vectors.dtype == np.float32
    np.testing.assert_array_equal(emb.vectors, vectors)
    assert emb.metadata is not None and emb.metadata.column_names == columns
    assert emb.labels == words
    assert "東京" in emb.labels
    if "count" in columns:
        assert emb.metadata.schema.field("count").type == pa.int64()


def test_arrow_file_is_memory_mapped(tmp_path):
    vectors = np.random.default_rng(0).standard_normal((20_000, 64)).astype(np.float32)
    column = pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), 64)
    path = write_ipc(pa.table({"vector": column, "id": np.arange(20_000)}), tmp_path / "big.arrow")
    before = pa.total_allocated_bytes()
    emb = embedscope.load(path)
    assert pa.total_allocated_bytes() - before < vectors.nbytes // 10  # not read into memory
    assert not emb.vectors.flags.owndata
    np.testing.assert_array_equal(emb.vectors, vectors)


def test_parquet_round_trip(tmp_path, expected):
    vectors, words = expected
    metadata = pa.table({"word": words, "vector": [str(i) for i in range(len(words))], "tag": ["x"] * len(words)})
    emb = Embedding(vectors, metadata=metadata, label_column="tag")
    out = emb.save(tmp_path / "out.parquet")
    schema = pq.read_schema(out)
    assert schema.field("_vector").type == pa.list_(pa.float32(), 8)
    back = embedscope.load(out)
    np.testing.assert_array_equal(back.vectors, vectors)
    assert back.metadata is not None and back.metadata.column_names == ["word", "vector", "tag"]
    assert back.label_column == "tag"
    assert back.metadata.column("word").to_pylist() == words


def test_written_vector_column_is_found_among_other_lists(tmp_path):
    vectors = np.arange(12, dtype=np.float32).reshape(4, 3)
    metadata = pa.table({"tags": [["a"], ["b", "c"], [], ["d"]], "ids": [[1], [2], [3], [4]]})
    out = table_format.write(Embedding(vectors, metadata=metadata), tmp_path / "t.parquet")
    np.testing.assert_array_equal(embedscope.load(out).vectors, vectors)


def test_vector_column_by_name_and_by_prefix(tmp_path):
    a = np.arange(6, dtype=np.float64).reshape(3, 2)
    table = pa.table(
        {
            "a": pa.array(list(a), pa.list_(pa.float64())),
            "b": pa.array([[1, 2, 3]] * 3, pa.list_(pa.int32())),
            "x_1": [1.0, 2.0, 3.0],
            "x_0": [4.0, 5.0, 6.0],
            "y0": [7, 8, 9],
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    with pytest.raises(AmbiguousError, match=r"2 list columns could hold the vectors: a, b; choose one"):
        embedscope.load(path)
    np.testing.assert_array_equal(embedscope.load(path, vector_column="a").vectors, a)
    assert embedscope.load(path, vector_column="b").vectors.tolist() == [[1, 2, 3]] * 3
    by_prefix = embedscope.load(path, vector_column="x")
    assert by_prefix.vectors.tolist() == [[4, 1], [5, 2], [6, 3]]
    assert by_prefix.metadata is not None and by_prefix.metadata.column_names == ["a", "b", "y0"]
    with pytest.raises(NotFoundError, match=r"no column `z` and no numeric columns named `z0`"):
        embedscope.load(path, vector_column="z")


def test_numbered_groups_and_plain_numeric_columns(tmp_path):
    frame = pd.DataFrame({"id": [1, 2], "name": ["p", "q"], "x": [0.5, 1.5], "y": [2.5, 3.5]})
    frame.to_csv(tmp_path / "xy.csv", index=False)
    emb = embedscope.load(tmp_path / "xy.csv")  # no numbered group: every numeric column
    assert emb.vectors.tolist() == [[1, 0.5, 2.5], [2, 1.5, 3.5]]
    assert emb.labels == ["p", "q"]
    frame = pd.DataFrame(np.eye(3), columns=["0", "1", "2"])
    frame["year"] = [2001, 2002, 2003]
    frame.to_parquet(tmp_path / "n.parquet")
    emb = embedscope.load(tmp_path / "n.parquet")
    np.testing.assert_array_equal(emb.vectors, np.eye(3))
    assert emb.metadata is not None and emb.metadata.column_names == ["year"]
    pd.DataFrame({"a0": [1.0], "a1": [2.0], "b0": [3.0], "b1": [4.0]}).to_parquet(tmp_path / "tie.parquet")
    with pytest.raises(AmbiguousError, match=r"several groups of numbered columns"):
        embedscope.load(tmp_path / "tie.parquet")


def test_csv_with_vectors_as_text_lists(tmp_path):
    frame = pd.DataFrame({"text": ["hello, world", "bye"], "embedding": [str([0.25, -1.0]), str([3.0, 4.5])]})
    frame.to_csv(tmp_path / "e.csv", index=False)
    emb = embedscope.load(tmp_path / "e.csv")
    assert emb.vectors.tolist() == [[0.25, -1.0], [3.0, 4.5]]
    assert emb.labels == ["hello, world", "bye"]
    frame["embedding"] = ["[1, 2]", "[3, x]"]
    frame.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(FormatError, match=r"bad\.csv line 3, field `embedding`: holds 'x', expected a number"):
        embedscope.load(tmp_path / "bad.csv")


def test_categorical_metadata_is_decoded(tmp_path):
    frame = pd.DataFrame({"v0": [1.0, 2.0], "v1": [3.0, 4.0], "kind": pd.Categorical(["a", "b"])})
    frame.to_parquet(tmp_path / "c.parquet")
    emb = embedscope.load(tmp_path / "c.parquet")
    assert emb.metadata is not None and emb.metadata.schema.field("kind").type == pa.string()


@pytest.mark.parametrize(
    ("column", "pattern"),
    [
        (pa.array([[1.0, 2.0], [3.0], [4.0, 5.0]]), r"row 2 holds 1 numbers, expected 2 \(as in row 1\)"),
        (pa.array([[1.0, 2.0], None, [4.0, 5.0]]), r"row 2 is null, expected a vector"),
        (pa.array([[1.0, 2.0], [3.0, 4.0], [5.0, None]]), r"row 3, column 2 holds a null, expected a number"),
        (pa.array([[1.0, 2.0], [3.0, float("nan")], [4, 5]]), r"row 2, column 2 holds nan, expected a finite number"),
        (pa.array([[], [], []], pa.list_(pa.float32())), r"row 1 holds an empty vector"),
    ],
)
def test_bad_list_columns_name_row_and_column(tmp_path, column, pattern):
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"vec": column, "word": ["a", "b", "c"]}), path)
    with pytest.raises(FormatError, match=r"bad\.parquet field `vec`: " + pattern):
        embedscope.load(path)


def test_bad_numeric_columns_name_row_and_column(tmp_path):
    path = tmp_path / "bad.arrow"
    write_ipc(pa.table({"d0": [1.0, 2.0, 3.0], "d1": [1.0, None, 3.0]}), path)
    with pytest.raises(FormatError, match=r"bad\.arrow field `d1`: row 2 is empty, expected a number"):
        embedscope.load(path)
    write_ipc(pa.table({"d0": [1.0, 2.0, 3.0], "d1": [1.0, 2.0, float("inf")]}), path)
    with pytest.raises(FormatError, match=r"field `d1`: row 3 holds inf, expected a finite number"):
        embedscope.load(path)


def test_files_that_are_not_tables(tmp_path):
    (tmp_path / "x.parquet").write_bytes(b"PAR1 this is not really parquet")
    with pytest.raises(FormatError, match=r"x\.parquet: could not be read as parquet"):
        embedscope.load(tmp_path / "x.parquet")
    (tmp_path / "x.arrow").write_bytes(b"no arrow here")
    with pytest.raises(FormatError, match=r"x\.arrow: could not be read as arrow"):
        embedscope.load(tmp_path / "x.arrow")
    pq.write_table(pa.table({"w": pa.array([], pa.string())}), tmp_path / "empty.parquet")
    with pytest.raises(FormatError, match=r"empty\.parquet: the table has no rows"):
        embedscope.load(tmp_path / "empty.parquet")
    pq.write_table(pa.table({"w": ["a"], "t": ["b"]}), tmp_path / "words.parquet")
    with pytest.raises(FormatError, match=r"no column holds vectors: expected a list column.*found w \(string\)"):
        embedscope.load(tmp_path / "words.parquet")
    (tmp_path / "bad.csv").write_bytes("a,b\n1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(FormatError, match=r"bad\.csv line 2, column 6: is not UTF-8: byte 0xe9"):
        embedscope.load(tmp_path / "bad.csv")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mangled_tables_raise_only_embedscope_errors(tmp_path, data):
    source = data.draw(st.sampled_from(sorted(TABLES.iterdir())))
    raw = bytearray(source.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        if data.draw(st.booleans()):
            raw[at] = data.draw(st.integers(0, 255))
        else:
            del raw[at : at + data.draw(st.integers(1, 60))]
    # a fresh name each time: truncating a file that an earlier example still has memory-mapped would crash
    path = tmp_path / f"mangled{len(list(tmp_path.iterdir()))}{source.suffix}"
    path.write_bytes(bytes(raw))
    fmt = {".parquet": "parquet", ".csv": "csv"}.get(source.suffix, "arrow")
    with contextlib.suppress(EmbedscopeError):
        table_format.read(path, ReadOptions(), fmt)


def test_csv_problems_name_their_line(tmp_path):
    frame = pd.DataFrame({"word": ["a", "b", "c"], "dim_0": [1.0, 2.0, 3.0], "dim_1": [4.0, 5.0, 6.0]})
    frame.to_csv(tmp_path / "t.csv", index=False)
    lines = (tmp_path / "t.csv").read_text().splitlines()
    ragged = [*lines[:3], lines[3] + ",7.0"]
    (tmp_path / "ragged.csv").write_text("\n".join(ragged) + "\n")
    pattern = r"ragged\.csv line 4: expected 3 comma-separated fields \(as in the header\), found 4"
    with pytest.raises(FormatError, match=pattern):
        embedscope.load(tmp_path / "ragged.csv")
    frame["dim_1"] = ["4.0", "5.0x", "6.0"]  # pyarrow then reads dim_1 as text: it must not become metadata
    frame.to_csv(tmp_path / "word.csv", index=False)
    with pytest.raises(FormatError, match=r"word\.csv line 3, field `dim_1`: holds '5.0x', expected a number"):
        embedscope.load(tmp_path / "word.csv")
    with pytest.raises(FormatError, match=r"line 3, field `dim_1`: holds '5.0x'"):
        embedscope.load(tmp_path / "word.csv", vector_column="dim")


def test_csv_nan_cell_is_named_not_taken_for_empty(tmp_path):
    (tmp_path / "n.csv").write_text("word,dim_0,dim_1\na,1.0,2.0\nb,nan,3.0\nc,4.0,5.0\n")
    with pytest.raises(FormatError, match=r"n\.csv line 3, field `dim_0`: holds nan, expected a finite number"):
        embedscope.load(tmp_path / "n.csv")
    (tmp_path / "e.csv").write_text("word,dim_0,dim_1\na,1.0,2.0\nb,,3.0\n")
    with pytest.raises(FormatError, match=r"e\.csv line 3, field `dim_0`: is empty, expected a number"):
        embedscope.load(tmp_path / "e.csv")
    (tmp_path / "m.csv").write_text("word,note,dim_0,dim_1\na,NA,1.0,2.0\nb,,3.0,4.0\n")
    emb = embedscope.load(tmp_path / "m.csv")  # "NA" in a metadata column stays text, as in the projector's TSV
    assert emb.metadata is not None and emb.metadata.column("note").to_pylist() == ["NA", ""]


def test_csv_line_counts_quoted_line_breaks(tmp_path):
    text = 'word,note,dim_0,dim_1\na,"two\nlines",1.0,2.0\n\nb,x,inf,3.0\n'
    (tmp_path / "q.csv").write_text(text)
    with pytest.raises(FormatError, match=r"q\.csv line 5, field `dim_0`: holds inf, expected a finite number"):
        embedscope.load(tmp_path / "q.csv")


def test_csv_in_utf16_says_so(tmp_path):
    (tmp_path / "u.csv").write_bytes("word,dim_0,dim_1\na,1,2\n".encode("utf-16"))
    with pytest.raises(FormatError, match=r"u\.csv: is UTF-16, expected UTF-8; save it as UTF-8 \(e\.g\. iconv"):
        embedscope.load(tmp_path / "u.csv")


def test_two_columns_with_one_name_are_an_error(tmp_path):
    from embedscope.errors import FormatError

    path = tmp_path / "dup.csv"
    path.write_text("dim_0,dim_0,word\n1,2,a\n3,4,b\n")
    with pytest.raises(FormatError, match=r"dup\.csv field `dim_0`: two columns are named 'dim_0'"):
        embedscope.load(path)
