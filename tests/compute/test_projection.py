import numpy as np
import pyarrow as pa
import pytest

from embedscope import Embedding
from embedscope.compute.cache import ProjectionCache
from embedscope.compute.progress import Cancelled, CancelToken
from embedscope.compute.projection import project
from embedscope.compute.spec import validate
from embedscope.errors import ParameterError


@pytest.fixture(scope="module")
def emb():
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(4, 12)) * 6
    x = np.concatenate([c + rng.normal(size=(60, 12)) for c in centres]).astype(np.float32)
    words = [f"{kind}{i}" for kind in ("man", "woman", "king", "queen") for i in range(60)]
    return Embedding(x, metadata=pa.table({"word": words}))


def test_validate_fills_defaults_and_names_bad_values():
    assert validate("tsne", 2, None)["perplexity"] == 30.0
    with pytest.raises(ParameterError, match=r"`perplexity` must be a number from 1 to 1,000, got -3"):
        validate("tsne", 2, {"perplexity": -3})
    with pytest.raises(ParameterError, match=r"`method` must be one of"):
        validate("mds", 2, None)
    with pytest.raises(ParameterError, match=r"umap takes no parameter `perplexity`"):
        validate("umap", 2, {"perplexity": 5})
    with pytest.raises(ParameterError, match=r"`n_components` must be one of \[2, 3\], got 4"):
        validate("pca", 4, None)


def test_pca_axes_and_variance(emb):
    result = project(emb, "pca", n_components=3, params={"axes": [0, 2, 1]}, quality=False)
    assert result.coords.shape == (240, 3)
    assert len(result.explained_variance_ratio) == 10
    np.testing.assert_array_equal(result.coords[:, 1], result.components[:, 2])
    with pytest.raises(ParameterError, match="`axes` must be 3 component numbers"):
        project(emb, "pca", n_components=3, params={"axes": [0, 1]})


def test_same_request_is_served_from_the_cache(emb, tmp_path):
    cache = ProjectionCache(tmp_path)
    first = project(emb, "pca", cache=cache)
    again = project(emb, "pca", cache=cache)
    assert not first.cached and again.cached
    np.testing.assert_array_equal(first.coords, again.coords)
    assert again.quality == first.quality
    other_seed = project(emb, "pca", cache=cache, random_state=5)
    assert not other_seed.cached


def test_subset_projects_only_those_rows(emb):
    result = project(emb, "pca", subset=[5, 1, 9, 200], quality=False)
    assert result.coords.shape == (4, 2)
    assert result.indices.tolist() == [1, 5, 9, 200]
    with pytest.raises(ParameterError, match="at least 3 points"):
        project(emb, "pca", subset=[1, 2])


def test_custom_axes_through_project(emb):
    result = project(emb, "custom", params={"left": "^man", "right": "^woman", "regex": True}, quality=False)
    assert result.extra["counts"]["left"] == 60 and result.extra["counts"]["right"] == 60
    x = result.coords[:, 0]
    assert x[60:120].mean() > x[:60].mean()


def test_tsne_streams_frames_is_reproducible_and_cancels(emb):
    frames = []

    def progress(item):
        if item.coords is not None:
            frames.append(item.iteration)

    params = {"perplexity": 10.0, "n_iter": 300}
    a = project(emb, "tsne", params=params, progress=progress, quality=False)
    b = project(emb, "tsne", params=params, quality=False)
    np.testing.assert_array_equal(a.coords, b.coords)
    assert frames[0] == 0 and frames == sorted(frames) and len(frames) > 3
    token = CancelToken()

    def cancel_at_first_frame(item):
        if item.coords is not None and item.iteration and item.iteration > 0:
            token.cancel()

    with pytest.raises(Cancelled):
        project(emb, "tsne", params=params, progress=cancel_at_first_frame, cancel=token)


def test_pca_refuses_a_component_on_two_axes(emb):
    with pytest.raises(ParameterError, match=r"`axes` must be 3 different components, got \[0, 1, 0\]"):
        project(emb, "pca", n_components=3, params={"axes": [0, 1, 0]})


def test_other_axes_of_the_same_pca_are_read_back_not_computed(emb, tmp_path, monkeypatch):
    from embedscope.compute import pca as pca_module
    from embedscope.compute import quality as quality_module

    calls = {"pca": 0, "quality": 0}
    real_pca, real_quality = pca_module.pca, quality_module.neighbor_preservation

    def counted_pca(*args, **kwargs):
        calls["pca"] += 1
        return real_pca(*args, **kwargs)

    def counted_quality(*args, **kwargs):
        calls["quality"] += 1
        return real_quality(*args, **kwargs)

    monkeypatch.setattr(pca_module, "pca", counted_pca)
    monkeypatch.setattr(quality_module, "neighbor_preservation", counted_quality)
    cache = ProjectionCache(tmp_path)
    first = project(emb, "pca", cache=cache)
    other = project(emb, "pca", cache=cache, params={"axes": [2, 3]})
    again = project(emb, "pca", cache=cache, params={"axes": [2, 3]})
    assert calls == {"pca": 1, "quality": 2}  # one PCA; one quality figure per view
    np.testing.assert_array_equal(other.coords, first.components[:, [2, 3]])
    assert again.cached and again.quality == other.quality


def test_custom_axes_of_an_isolated_subset_come_from_every_row(emb):
    kings = list(range(120, 180))  # none of them is a "man" or a "woman"
    params = {"left": "^man", "right": "^woman", "regex": True}
    part = project(emb, "custom", params=params, subset=kings, quality=False)
    whole = project(emb, "custom", params=params, quality=False)
    assert part.extra["counts"] == {"left": 60, "right": 60}  # the counts used are those of every row
    assert part.coords.shape == (60, 2) and part.indices.tolist() == kings
    np.testing.assert_allclose(part.coords, whole.coords[kings], rtol=1e-5, atol=1e-5)


def test_a_pca_with_more_axes_than_dimensions_is_cached(tmp_path, caplog):
    emb = Embedding(np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32), name="flat")
    cache = ProjectionCache(tmp_path)
    first = project(emb, "pca", n_components=3, cache=cache)
    second = project(emb, "pca", n_components=3, cache=cache)
    assert second.cached and not first.cached, caplog.text
    np.testing.assert_array_equal(first.coords, second.coords)
    assert "unreadable cache entry" not in caplog.text
