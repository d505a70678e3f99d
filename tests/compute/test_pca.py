import logging

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from embedscope.compute.pca import covariance, is_tall, pca
from embedscope.errors import ParameterError


def _data(n, d, *, seed=0, offset=0.0):
    """Gaussian rows with clearly distinct variances along random directions."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
    scales = np.geomspace(10.0, 0.5, d)
    return (rng.standard_normal((n, d)) * scales @ basis.T + offset).astype(np.float32)


def _same_up_to_sign(a, b, atol):
    signs = np.sign(np.sum(a * b, axis=0))
    np.testing.assert_allclose(a * signs, b, atol=atol)


def _assert_like_sklearn(x, res, model, coords):
    k = res.coords.shape[1]
    np.testing.assert_allclose(res.explained_variance_ratio, model.explained_variance_ratio_[:k], atol=1e-4)
    np.testing.assert_allclose(res.mean, model.mean_, rtol=1e-4, atol=1e-4)
    _same_up_to_sign(res.components.T, model.components_[:k].T, atol=1e-3)
    scale = float(np.abs(coords).max())
    _same_up_to_sign(res.coords, coords[:, :k], atol=1e-4 * scale)


@pytest.mark.parametrize("solver", ["covariance_eigh", "full"])
def test_tall_data_equals_sklearn(solver):
    x = _data(4000, 20)
    assert is_tall(*x.shape)
    res = pca(x)
    model = PCA(10, svd_solver=solver)
    coords = model.fit_transform(x.astype(np.float64))
    assert res.solver == "covariance_eigh"
    assert res.coords.shape == (4000, 10) and res.coords.dtype == np.float32
    assert res.components.shape == (10, 20) and res.mean.shape == (20,)
    _assert_like_sklearn(x, res, model, coords)


def test_digits_equal_sklearn():
    x = load_digits().data.astype(np.float32)
    res = pca(x)
    model = PCA(10, svd_solver="covariance_eigh")
    _assert_like_sklearn(x, res, model, model.fit_transform(x))


@pytest.mark.parametrize(("n", "d", "solver"), [(300, 400, "full"), (1500, 600, "randomized")])
def test_wide_data_uses_sklearn_auto(n, d, solver):
    x = _data(n, d, seed=1)
    res = pca(x, random_state=0)
    model = PCA(10, svd_solver="auto", random_state=0)
    coords = model.fit_transform(x)
    assert res.solver == solver == model._fit_svd_solver
    _assert_like_sklearn(x, res, model, coords)


def test_signs_follow_sklearn_rule():
    res = pca(_data(2000, 12, seed=3))
    biggest = res.components[np.arange(10), np.argmax(np.abs(res.components), axis=1)]
    assert np.all(biggest > 0)


def test_data_far_from_centred_keeps_its_precision():
    x = _data(20_000, 16, seed=4, offset=1000.0)
    res = pca(x)
    model = PCA(10, svd_solver="full").fit(x.astype(np.float64))
    np.testing.assert_allclose(res.explained_variance_ratio, model.explained_variance_ratio_, atol=1e-5)
    np.testing.assert_allclose(res.mean, model.mean_, rtol=1e-6)


def test_covariance_equals_numpy_in_several_blocks(monkeypatch):
    import embedscope.compute.prep as module

    monkeypatch.setattr(module, "BLOCK_BYTES", 7 * 4 * 100)  # 100 rows a block, spread over the cores
    for offset in (0.0, 50.0):
        x = _data(1234, 7, seed=5, offset=offset)
        cov, mean = covariance(x)
        np.testing.assert_allclose(cov, np.cov(x.astype(np.float64), rowvar=False), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(mean, x.astype(np.float64).mean(axis=0), rtol=1e-6, atol=1e-6)


def test_fewer_dimensions_than_components(caplog):
    x = _data(500, 3, seed=6)
    with caplog.at_level(logging.WARNING, logger="embedscope.compute.pca"):
        res = pca(x)
    assert res.coords.shape == (500, 3)
    assert "computing 3" in caplog.text
    np.testing.assert_allclose(res.explained_variance_ratio.sum(), 1.0, atol=1e-6)


def test_identical_rows_give_zero_ratios(caplog):
    x = np.ones((100, 4), dtype=np.float32)
    with caplog.at_level(logging.WARNING, logger="embedscope.compute.pca"):
        res = pca(x)
    assert np.all(res.explained_variance_ratio == 0)
    assert np.all(np.isfinite(res.coords))
    assert "same point" in caplog.text


def test_memory_mapped_input(tmp_path):
    x = _data(1000, 10, seed=7)
    np.save(tmp_path / "x.npy", x)
    res = pca(np.load(tmp_path / "x.npy", mmap_mode="r"))
    np.testing.assert_allclose(res.coords, pca(x).coords)


def test_bad_input_is_refused():
    with pytest.raises(ParameterError, match="at least 2 rows"):
        pca(np.zeros((1, 5), dtype=np.float32))
    with pytest.raises(ParameterError, match="`n_components` must be a positive integer, got 0"):
        pca(np.zeros((5, 5), dtype=np.float32), n_components=0)


def _blas_threads():
    from threadpoolctl import threadpool_info

    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def test_blas_threads_are_restored_after_concurrent_runs():
    from concurrent.futures import ThreadPoolExecutor

    before = _blas_threads()
    x = _data(30_000, 20, seed=8)
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: pca(x).explained_variance_ratio, range(3)))
    assert _blas_threads() == before
    for r in results[1:]:
        np.testing.assert_array_equal(r, results[0])


def test_one_core_and_several_agree(monkeypatch):
    import embedscope.compute.prep as module

    x = _data(20_000, 30, seed=9)
    monkeypatch.setattr(module, "BLOCK_BYTES", 30 * 4 * 1000)
    several = pca(x)
    monkeypatch.setattr(module, "workers", lambda: 1)
    one = pca(x)
    np.testing.assert_allclose(one.explained_variance_ratio, several.explained_variance_ratio, rtol=1e-9)
    np.testing.assert_allclose(one.coords, several.coords, rtol=1e-5, atol=1e-5)
