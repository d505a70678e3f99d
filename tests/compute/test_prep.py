import numpy as np
import pytest

from embedscope.compute.prep import column_mean, default_spherize, prepare
from embedscope.errors import ParameterError


def test_default_spherize_from_50_dimensions():
    assert not default_spherize(49)
    assert default_spherize(50)
    assert default_spherize(300)


def test_without_spherize_float32_is_returned_as_is():
    x = np.random.default_rng(0).standard_normal((20, 8)).astype(np.float32)
    out = prepare(x, spherize=False)
    assert out is x


def test_without_spherize_other_dtypes_become_float32():
    x = np.random.default_rng(0).standard_normal((20, 8))
    out = prepare(x, spherize=False)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, x, rtol=1e-6)


def test_spherize_centres_and_scales_rows_to_unit_length():
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((300, 12)) * 5 + 3).astype(np.float32)
    out = prepare(x, spherize=True)
    expected = x.astype(np.float64) - x.astype(np.float64).mean(axis=0)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-6)
    assert x[0, 0] != out[0, 0]  # the input is left alone


def test_a_row_equal_to_the_mean_stays_zero():
    x = np.array([[1.0, 2.0], [3.0, 4.0], [2.0, 3.0]], dtype=np.float32)  # row 2 is the mean
    out = prepare(x, spherize=True)
    assert np.all(np.isfinite(out))
    np.testing.assert_array_equal(out[2], [0.0, 0.0])
    np.testing.assert_allclose(np.linalg.norm(out[:2], axis=1), 1.0, atol=1e-6)


def test_none_spherizes_by_dimension():
    rng = np.random.default_rng(2)
    small = rng.standard_normal((50, 8)).astype(np.float32) + 10
    wide = rng.standard_normal((50, 64)).astype(np.float32) + 10
    assert prepare(small) is small
    np.testing.assert_allclose(np.linalg.norm(prepare(wide), axis=1), 1.0, atol=1e-5)


def test_memory_mapped_input(tmp_path):
    x = np.random.default_rng(3).standard_normal((100, 60)).astype(np.float32)
    np.save(tmp_path / "v.npy", x)
    mapped = np.load(tmp_path / "v.npy", mmap_mode="r")
    assert np.shares_memory(prepare(mapped, spherize=False), mapped)
    np.testing.assert_allclose(prepare(mapped, spherize=True), prepare(x, spherize=True))


def test_column_mean_is_accumulated_in_float64():
    x = np.full((70_000, 2), 0.1, dtype=np.float32)
    np.testing.assert_allclose(column_mean(x), np.float32(0.1), rtol=1e-12)


def test_a_one_dimensional_array_is_refused():
    with pytest.raises(ParameterError, match=r"2-D array \(N x D\), got shape \(5,\)"):
        prepare(np.zeros(5, dtype=np.float32))


def test_many_blocks_on_every_core_give_the_same_result(monkeypatch):
    import embedscope.compute.prep as module

    x = (np.random.default_rng(4).standard_normal((5000, 60)) + 2).astype(np.float32)
    whole = prepare(x, spherize=True)
    monkeypatch.setattr(module, "BLOCK_BYTES", 60 * 4 * 128)  # 128 rows a block
    np.testing.assert_allclose(prepare(x, spherize=True), whole, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(column_mean(x), x.astype(np.float64).mean(axis=0), rtol=1e-9)
