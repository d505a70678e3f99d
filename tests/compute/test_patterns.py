"""One pattern engine for search and custom axes: substrings and RE2 regular expressions, case ignored."""

import numpy as np
import pyarrow as pa
import pytest

from embedscope.compute.custom import custom_axes
from embedscope.compute.patterns import as_strings, check_pattern, match_rows
from embedscope.errors import ParameterError


def test_substring_and_regex_ignore_case_and_skip_missing_values():
    values = ["King", "queen", None, "kingdom", "Ökonomie"]
    assert list(match_rows(values, "KING")) == [0, 3]
    assert list(match_rows(values, "^king$", regex=True)) == [0]
    assert list(match_rows(values, "^ö", regex=True)) == [4]  # Unicode case folding
    assert list(match_rows(values, "^$", regex=True)) == [2]  # a missing value is the empty string
    assert list(match_rows(values, "king", ignore_case=False)) == [3]


def test_numbers_and_chunked_columns_are_matched_as_text():
    chunked = pa.chunked_array([pa.array([1, 22, 3]), pa.array([42])])
    assert list(match_rows(chunked, "2")) == [1, 3]
    assert list(match_rows(pa.chunked_array([], type=pa.string()), "x")) == []
    assert as_strings([7, None]).to_pylist() == ["7", ""]


def test_a_bad_or_unsupported_regex_names_the_field_and_the_engine():
    with pytest.raises(ParameterError, match=r"`up` is not a valid regular expression: '\(a'") as caught:
        check_pattern("(a", regex=True, field="up")
    assert caught.value.field == "up" and "RE2" in (caught.value.fix or "")
    with pytest.raises(ParameterError, match="the search is not") as search:
        match_rows(["a"], "[", regex=True, field="q", subject="the search", status=400)
    assert search.value.status == 400
    check_pattern("(a", regex=False)  # as plain text it is no regex


def test_custom_axes_match_the_rows_the_search_matches():
    """Look-ahead is Python `re` syntax, not RE2: custom axes refuse it as the search does, instead of counting
    one way under the pattern box and projecting another."""
    labels = ["man", "woman", "king", "queen", "apple", "pear"]
    x = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)
    with pytest.raises(ParameterError, match="`left` is not a valid regular expression"):
        custom_axes(x, labels, left="^(?=m)", right="queen", regex=True)
    res = custom_axes(x, labels, left=r"^\w*man$", right="^(king|queen)$", regex=True)
    assert res.counts == {"left": len(match_rows(labels, r"^\w*man$", regex=True)), "right": 2}
