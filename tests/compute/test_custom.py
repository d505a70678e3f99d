import numpy as np
import pytest
from sklearn.decomposition import PCA

from embedscope.compute.custom import custom_axes, match
from embedscope.errors import ParameterError

D = 6
G, R, F = np.eye(D)[0], np.eye(D)[1], np.eye(D)[2]  # gender, royalty, fruit directions


@pytest.fixture(scope="module")
def words():
    """Words placed on known directions, plus small noise rows so the data has some spread everywhere."""
    rng = np.random.default_rng(0)
    named = {
        "man": -G,
        "woman": G,
        "King": -G + 2 * R,
        "queen": G + 2 * R,
        "apple": 3 * F,
        "pear": -3 * F,
    }
    noise = rng.standard_normal((40, D)) * 0.05
    labels = list(named) + [f"noise{i}" for i in range(40)]
    x = np.vstack([np.array(list(named.values())), noise]).astype(np.float32)
    return x, labels


def _expected(x, *dirs):
    return (x.astype(np.float64) - x.astype(np.float64).mean(axis=0)) @ np.stack(dirs, axis=1)


def test_two_axes_coordinates_counts_and_labels(words):
    x, labels = words
    res = custom_axes(x, labels, left="^king$", right="^queen$", down="^(wo)?man$", up="^(king|queen)$", regex=True)
    assert res.counts == {"left": 1, "right": 1, "down": 2, "up": 2}
    assert res.x_label == "^king$ → ^queen$"
    assert res.y_label == "^(wo)?man$ → ^(king|queen)$"
    assert res.cos_xy == pytest.approx(0.0, abs=1e-7)
    assert res.coords.shape == (len(x), 2) and res.coords.dtype == np.float32
    np.testing.assert_allclose(res.coords, _expected(x, G, R), atol=1e-5)


def test_substring_patterns_are_case_insensitive(words):
    _, labels = words
    assert list(match(labels, "KING")) == [2]
    assert list(match(labels, "man")) == [0, 1]  # "woman" contains "man"
    assert list(match(labels, "^man$", regex=True)) == [0]
    x, labels = words
    res = custom_axes(x, labels, left="MAN", right="queen", up="APPLE")
    assert res.counts == {"left": 2, "right": 1, "up": 1}


def test_y_is_orthogonalised_against_x_and_the_cosine_reported(words):
    x, labels = words
    res = custom_axes(x, labels, left="^man$", right="^woman$", down="pear", up="queen", regex=True)
    raw_y = (G + 2 * R) - (-3 * F)  # queen - pear
    assert res.cos_xy == pytest.approx(raw_y @ G / np.linalg.norm(raw_y), abs=1e-6)
    uy = raw_y - (raw_y @ G) * G
    uy /= np.linalg.norm(uy)
    np.testing.assert_allclose(res.coords, _expected(x, G, uy), atol=1e-5)
    assert abs(float(np.corrcoef(res.coords.T)[0, 1])) < 0.5


def test_one_sided_axis_runs_from_the_mean(words):
    x, labels = words
    mean = x.astype(np.float64).mean(axis=0)
    right = custom_axes(x, labels, right="queen", up="apple")
    ux = (G + 2 * R) - mean
    ux /= np.linalg.norm(ux)
    np.testing.assert_allclose(right.coords[:, 0], _expected(x, ux)[:, 0], atol=1e-5)
    assert right.x_label == "mean → queen"
    left = custom_axes(x, labels, left="queen", up="apple")
    np.testing.assert_allclose(left.coords[:, 0], -right.coords[:, 0], atol=1e-5)
    assert left.x_label == "queen → mean"


def test_one_axis_falls_back_to_pca_of_what_is_left(words):
    x, labels = words
    res = custom_axes(x, labels, left="^king$", right="^queen$", regex=True)
    assert res.counts == {"left": 1, "right": 1}
    assert res.y_label == "PCA"
    assert res.cos_xy == pytest.approx(0.0, abs=1e-6)
    rest = x.astype(np.float64) - np.outer(x @ G, G)  # the data with the x axis projected out
    top = PCA(1).fit(rest).components_[0]
    expected = _expected(x, G, top)
    signs = np.sign(np.sum(res.coords * expected, axis=0))
    np.testing.assert_allclose(res.coords * signs, expected, atol=1e-4)
    assert abs(top @ F) > 0.99  # the fruit direction has the most variance left


def test_only_y_given_puts_pca_on_x(words):
    x, labels = words
    res = custom_axes(x, labels, down="pear", up="apple")
    assert res.x_label == "PCA" and res.y_label == "pear → apple"
    np.testing.assert_allclose(res.coords[:, 1], _expected(x, F)[:, 0], atol=1e-5)
    assert abs(float(np.corrcoef(res.coords.T)[0, 1])) < 0.2


def test_wide_data_pca_fallback_uses_the_iterative_solver(words, monkeypatch):
    import embedscope.compute.custom as module

    x, labels = words
    eigh_result = custom_axes(x, labels, left="man", right="queen").coords
    monkeypatch.setattr(module, "TALL_MAX_DIM", 1)
    iterative = custom_axes(x, labels, left="man", right="queen").coords
    signs = np.sign(np.sum(iterative * eigh_result, axis=0))
    np.testing.assert_allclose(iterative * signs, eigh_result, atol=1e-4)


def test_random_fallback_is_seeded_and_orthogonal(words):
    x, labels = words
    a = custom_axes(x, labels, left="man", right="queen", fallback="random", random_state=1)
    b = custom_axes(x, labels, left="man", right="queen", fallback="random", random_state=1)
    c = custom_axes(x, labels, left="man", right="queen", fallback="random", random_state=2)
    assert a.y_label == "random"
    np.testing.assert_array_equal(a.coords, b.coords)
    assert not np.allclose(a.coords[:, 1], c.coords[:, 1])
    np.testing.assert_array_equal(a.coords[:, 0], c.coords[:, 0])


def test_zero_matches_name_the_pattern(words):
    x, labels = words
    with pytest.raises(ParameterError, match=r"`up` pattern 'zebra' matches no value") as info:
        custom_axes(x, labels, left="man", right="queen", up="zebra")
    assert info.value.field == "up"
    with pytest.raises(ParameterError, match=r"`left` regular expression '\^men\$' matches no value"):
        custom_axes(x, labels, left="^men$", right="queen", regex=True)


def test_bad_regex_is_quoted(words):
    x, labels = words
    with pytest.raises(ParameterError, match=r"`right` is not a valid regular expression: '\(queen'"):
        custom_axes(x, labels, left="man", right="(queen", regex=True)
    assert list(match(["a(queen", "queen"], "(QUEEN")) == [0]  # as plain text it is no regex


def test_other_errors(words):
    x, labels = words
    with pytest.raises(ParameterError, match="at least one pattern"):
        custom_axes(x, labels, left="", right=None)
    with pytest.raises(ParameterError, match="`left` 'apple' and `right` 'apple' have the same centroid"):
        custom_axes(x, labels, left="apple", right="apple")
    with pytest.raises(ParameterError, match="parallel"):
        custom_axes(x, labels, left="pear", right="apple", down="pear", up="apple")
    with pytest.raises(ParameterError, match="45 values for 46 vectors"):
        custom_axes(x, labels[:-1], left="man")
    with pytest.raises(ParameterError, match="`fallback` must be one of"):
        custom_axes(x, labels, left="man", fallback="umap")
