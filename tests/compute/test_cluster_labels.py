"""Names for clusters (compute/cluster_labels.py): the kind of column, c-TF-IDF words, dominant values, members."""

from __future__ import annotations

import numpy as np

from embedscope.compute.cluster_labels import (
    categorical_terms,
    label_kind,
    member_terms,
    name,
    text_terms,
    unique_names,
)


def test_the_kind_of_column_is_told_from_its_values():
    assert label_kind(["Genesis"] * 50 + ["Exodus"] * 40) == "categorical"
    assert label_kind([f"word{i}" for i in range(100)]) == "members"
    assert label_kind([f"the ship {i} sailed on the sea" for i in range(100)]) == "text"
    assert label_kind(["", ""]) == "members"


def test_text_labels_are_the_words_that_set_a_cluster_apart():
    texts = ["the ship sailed the sea", "a ship on the stormy sea", "sea and ship and sailor", "the sea is wide"]
    texts += ["bread and wine at the table", "they ate bread", "wine in the cup, bread on the table", "we ate"]
    texts += ["the sea and the bread"]  # both: its words count for neither side alone
    terms = text_terms(texts, [np.arange(4), np.arange(4, 8)])
    assert [t for t, _ in terms[0]][:2] == ["sea", "ship"]
    assert [t for t, _ in terms[1]][:2] == ["bread", "table"] or [t for t, _ in terms[1]][:2] == ["bread", "ate"]
    assert all(s > 0 for group in terms for _, s in group)
    assert "the" not in {t for group in terms for t, _ in group}  # stop words out
    assert text_terms(["the", "a"], [np.arange(2)]) == [[]]


def test_categorical_labels_are_the_dominant_values_with_their_share():
    values = ["Ge"] * 6 + ["Ex"] * 3 + ["Le"] * 1 + ["Psa"] * 20
    terms = categorical_terms(values, [np.arange(10), np.arange(10, 30)])
    assert terms[0] == [("Ge", 0.6), ("Ex", 0.3), ("Le", 0.1)]
    assert terms[1] == [("Psa", 1.0)]
    assert name(terms[0], "categorical") == "Ge 60%, Ex 30%, Le 10%" and name(terms[1], "categorical") == "Psa"


def test_member_labels_are_the_members_nearest_the_mean_direction():
    vectors = np.array([[1, 0], [0.9, 0.1], [0.8, 0.6], [0.1, 1], [0, 1]], dtype=np.float32)
    names = ["red", "crimson", "purple", "navy", "blue"]
    terms = member_terms(names, [np.arange(3), np.array([3, 4])], vectors)
    assert [t for t, _ in terms[0]] == ["crimson", "red", "purple"]
    assert [t for t, _ in terms[1]] == ["navy", "blue"] or [t for t, _ in terms[1]] == ["blue", "navy"]
    assert name(terms[0], "members") == "crimson, red, purple"


def test_repeated_names_get_a_number():
    assert unique_names(["sea", "bread", "sea", "sea"]) == ["sea", "bread", "sea (2)", "sea (3)"]
