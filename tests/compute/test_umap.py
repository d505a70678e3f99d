"""UMAP through umap-learn: equal to umap-learn itself, reproducible, with progress, pause and cancel.

umap-learn compiles with numba in every new process (seconds with a warm disk cache, about a minute without), so
the module is marked slow and the fits share module-scoped fixtures.
"""

import itertools
import threading

import numba
import numpy as np
import pytest
import umap as umap_learn
from sklearn.datasets import load_digits
from sklearn.neighbors import NearestNeighbors

from embedscope.compute import umap as umap_mod
from embedscope.compute.progress import Cancelled, CancelToken
from embedscope.compute.umap import make_reducer, precomputed_knn, umap
from embedscope.errors import ParameterError

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("umap")]

N = 600


class Graph:
    """KnnGraph-like: each point's nearest other points (self excluded), from scikit-learn."""

    def __init__(self, x, k, metric="euclidean"):
        dist, idx = NearestNeighbors(n_neighbors=k + 1, metric=metric).fit(x).kneighbors(x)
        self.indices = idx[:, 1:].astype(np.int64)
        self.distances = dist[:, 1:].astype(np.float32)
        self.metric = metric


@pytest.fixture(scope="module")
def x():
    return load_digits().data[:N].astype(np.float32)


@pytest.fixture(scope="module")
def graph(x):
    return Graph(x, 20)


@pytest.fixture(scope="module")
def reports():
    return []


@pytest.fixture(scope="module")
def first(x, reports):
    return umap(x, random_state=0, progress=reports.append)


def test_same_seed_gives_identical_output(x, first):
    assert first.shape == (N, 2)
    assert first.dtype == np.float32
    assert np.array_equal(first, umap(x, random_state=0))


def test_equals_umap_learn_with_the_same_parameters_and_seed(x, first):
    theirs = umap_learn.UMAP(n_neighbors=15, min_dist=0.1, random_state=0, n_jobs=1).fit_transform(x)
    assert np.array_equal(first, theirs)


def test_a_different_seed_gives_a_different_layout(x, first):
    assert not np.array_equal(first, umap(x, random_state=1))


def test_progress_reports_increasing_fractions_over_the_epochs(reports):
    fractions = [r.fraction for r in reports]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(a < b for a, b in itertools.pairwise(fractions))
    epochs = [r for r in reports if r.iteration is not None]
    assert epochs[-1].total == 500  # umap-learn's default below 10,000 points
    assert epochs[-1].iteration == 500
    assert len({r.iteration for r in epochs}) > 50
    assert {r.stage for r in reports} == {"umap"}


def test_precomputed_knn_is_used_and_equals_umap_learn_given_it(x, graph, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("umap-learn searched for neighbours itself")

    ours = None
    with monkeypatch.context() as m:
        m.setattr(umap_learn.umap_, "pairwise_distances", refuse)
        m.setattr(umap_learn.umap_, "nearest_neighbors", refuse)
        ours = umap(x, n_neighbors=10, knn=graph)
    idx, dist = precomputed_knn(graph, n=N, n_neighbors=10)
    assert idx.shape == (N, 10) and np.array_equal(idx[:, 0], np.arange(N)) and not dist[:, 0].any()
    assert np.array_equal(idx[:, 1:], graph.indices[:, :9])
    theirs = umap_learn.UMAP(n_neighbors=10, random_state=0, n_jobs=1, precomputed_knn=(idx, dist, None))
    assert np.array_equal(ours, theirs.fit_transform(x))


def test_the_shared_knn_graph_module_feeds_umap(x):
    knn_graph = pytest.importorskip("embedscope.compute.knn_graph").knn_graph
    graph = knn_graph(x, k=15, metric="cosine")
    ours = umap(x, metric="cosine", knn=graph)
    idx, dist = precomputed_knn(graph, n=N, n_neighbors=15, metric="cosine")
    theirs = make_reducer(metric="cosine", knn=(idx, dist)).fit_transform(x)
    assert np.array_equal(ours, theirs)


def test_three_dimensions(x, graph):
    coords = umap(x, n_components=3, knn=graph)
    assert coords.shape == (N, 3) and np.isfinite(coords).all()


def test_cancel_during_the_layout_raises_cancelled_and_the_next_fit_still_works(x, graph, first):
    token = CancelToken()
    seen = []

    def progress(item):
        seen.append(item.iteration)
        if item.iteration is not None and item.iteration >= 20:
            token.cancel()

    threads = numba.get_num_threads()
    with pytest.raises(Cancelled):
        umap(x, knn=graph, progress=progress, cancel=token)
    assert max(i for i in seen if i is not None) < 500
    assert numba.get_num_threads() == threads  # umap-learn set 1 for the fit; restored although it was left
    # the epoch loop was left by an exception: nothing is left locked or patched wrongly
    assert np.array_equal(umap(x, random_state=0), first)


def test_cancel_before_the_start_raises_at_once(x):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        umap(x, cancel=token)


def test_pause_blocks_between_epochs_and_resume_gives_the_same_result(x, first):
    token = CancelToken()
    paused_at = []
    resumed = threading.Event()

    def progress(item):
        if item.iteration == 100 and not paused_at:
            paused_at.append(item.iteration)
            token.pause()
            threading.Thread(target=lambda: (resumed.set(), token.resume())).start()

    coords = umap(x, progress=progress, cancel=token)
    assert paused_at == [100] and resumed.is_set()
    assert np.array_equal(coords, first)


def test_other_tqdm_users_of_umap_learn_are_untouched(first):
    assert list(umap_learn.layouts.tqdm(range(3), disable=True)) == [0, 1, 2]


def test_parameter_errors_name_the_parameter(x, graph):
    with pytest.raises(ParameterError, match="`metric` must be one of umap-learn's named metrics, got 'nope'"):
        umap(x, metric="nope")
    with pytest.raises(ParameterError, match="`min_dist` must be a number from 0 to 1, got 2"):
        umap(x, min_dist=2)
    with pytest.raises(ParameterError, match="`n_neighbors` must be an integer >= 2, got 1"):
        umap(x, n_neighbors=1)
    with pytest.raises(ParameterError, match="has 20 neighbours per point, UMAP with n_neighbors=30 needs 29"):
        umap(x, n_neighbors=30, knn=graph)
    with pytest.raises(ParameterError, match="computed with metric 'euclidean', UMAP was asked for 'cosine'"):
        umap(x, metric="cosine", knn=graph)
    with pytest.raises(ParameterError, match="at least 3 rows"):
        umap(x[:2])


def test_too_many_neighbours_for_few_points_is_reduced_with_a_warning(x, caplog):
    coords = umap(x[:12], n_neighbors=15)
    assert coords.shape == (12, 2)
    assert "n_neighbors=15 is too large for 12 points: using 11" in caplog.text


def test_numba_cache_dir_follows_the_embedscope_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path))
    assert umap_mod.default_numba_cache_dir() == tmp_path / "numba"
    monkeypatch.delenv("EMBEDSCOPE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert umap_mod.default_numba_cache_dir() == tmp_path / "xdg" / "embedscope" / "numba"


def test_warm_up_compiles_once_in_the_background(monkeypatch):
    from embedscope.compute import umap_warmup

    monkeypatch.setattr(umap_warmup, "_warm_done", False)
    monkeypatch.setattr(umap_warmup, "_warm_thread", None)
    thread = umap_warmup.warm_up(background=True)
    assert thread is not None and thread.daemon
    assert umap_warmup.warm_up(background=True) is thread  # one warm-up at a time
    thread.join()
    assert umap_warmup._warm_done
    assert umap_warmup.warm_up(background=True) is None  # done: nothing more to do
