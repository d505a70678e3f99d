import pyarrow as pa

from embedscope.metadata import column_kind, column_strings, default_label_column, typed_column, typed_table


def test_numeric_when_every_non_empty_value_is_a_number():
    assert typed_column(["1", "2", ""]).type == pa.int64()
    assert typed_column(["1.5", " 2 ", ""]).to_pylist() == [1.5, 2.0, None]
    assert typed_column(["1", "x"]).type == pa.string()
    assert typed_column(["", ""]).type == pa.string()


def test_words_like_nan_and_inf_stay_text():
    assert typed_column(["nan", "1"]).type == pa.string()
    assert typed_column(["Infinity", "2.5"]).type == pa.string()


def test_default_label_column_prefers_label_like_names_then_strings():
    assert default_label_column(typed_table({"count": ["1"], "Word": ["a"]})) == "Word"
    assert default_label_column(typed_table({"count": ["1"], "kind": ["a"]})) == "kind"
    assert default_label_column(typed_table({"count": ["1"]})) == "count"
    assert default_label_column(None) is None


def test_column_strings_prints_whole_floats_as_ints():
    table = pa.table({"v": pa.array([3.0, 2.5, None])})
    assert column_strings(table, "v") == ["3", "2.5", ""]


def test_column_kind_names_numeric_and_string_columns():
    assert [column_kind(t) for t in (pa.int8(), pa.float32(), pa.string(), pa.large_string())] == [
        "numeric",
        "numeric",
        "string",
        "string",
    ]
    assert column_kind(pa.bool_()) == "bool"
    assert column_kind(typed_column(["1", "x"]).type) == "string"
