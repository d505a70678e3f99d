import logging
import threading

import numpy as np
import pytest
from sklearn.datasets import load_digits

import embedscope.compute.tsne as tsne_module
from embedscope.compute.knn_graph import clear_memo, knn_graph
from embedscope.compute.progress import Cancelled, CancelToken
from embedscope.compute.tsne import effective_perplexity, gradient_method, tsne
from embedscope.errors import ParameterError

N_ITER = 300  # 250 exaggerated + 50: enough to compare, quick on 2 cores


@pytest.fixture(scope="module")
def digits():
    return load_digits().data[:400].astype(np.float32)


@pytest.fixture(autouse=True)
def fresh_memo():
    clear_memo()
    yield
    clear_memo()


def test_same_seed_gives_identical_output(digits):
    a = tsne(digits, n_iter=N_ITER, random_state=3)
    b = tsne(digits, n_iter=N_ITER, random_state=3)
    c = tsne(digits, n_iter=N_ITER, random_state=4)
    assert a.shape == (400, 2) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_equals_opentsne_with_the_same_graph_and_initialisation(digits):
    from openTSNE import TSNE
    from openTSNE.affinity import PerplexityBasedNN
    from openTSNE.nearest_neighbors import PrecomputedNeighbors

    ours = tsne(digits, perplexity=20.0, n_iter=N_ITER, random_state=1, n_jobs=1)
    graph = knn_graph(digits, k=60)
    affinities = PerplexityBasedNN(
        knn_index=PrecomputedNeighbors(graph.indices, graph.distances), perplexity=20.0, n_jobs=1
    )
    theirs = TSNE(n_iter=N_ITER - 250, random_state=1, n_jobs=1, negative_gradient_method="bh").fit(
        digits, affinities=affinities
    )
    # same affinities, same PCA initialisation, same optimiser settings: the very same coordinates
    np.testing.assert_array_equal(ours, np.asarray(theirs, dtype=np.float32))


def test_close_to_opentsne_with_its_own_exact_neighbours():
    from openTSNE import TSNE

    # tie-free data, so openTSNE's exact search (scikit-learn) finds the same neighbours as ours; the distances
    # agree to float32 rounding, so the layouts agree closely (not bit for bit) after 300 iterations
    x = np.random.default_rng(0).standard_normal((300, 10)).astype(np.float32)
    ours = tsne(x, n_iter=N_ITER, random_state=2, n_jobs=1)
    theirs = TSNE(n_iter=N_ITER - 250, random_state=2, n_jobs=1, neighbors="exact").fit(x)
    spread = float(np.abs(theirs).max())
    np.testing.assert_allclose(ours, np.asarray(theirs), atol=1e-3 * spread)


def test_frames_start_with_the_initial_layout_and_keep_coming(digits):
    frames = []
    out = tsne(digits, n_iter=N_ITER, every=25, progress=frames.append, n_components=2)
    layout = [f for f in frames if f.stage == "tsne"]
    iterations = [f.iteration for f in layout]
    assert frames[0].stage == "tsne" and frames[0].iteration == 0  # before the neighbour search
    assert iterations == sorted(set(iterations))
    assert iterations == [0, *range(25, 251, 25), 275, 300]
    assert all(f.coords.shape == (400, 2) and f.coords.dtype == np.float32 for f in layout)
    assert layout[0].coords.std() < 1e-3  # openTSNE's PCA initialisation, scaled to std 1e-4
    np.testing.assert_array_equal(layout[-1].coords, out)
    assert layout[-1].fraction == 1.0 and layout[-1].total == N_ITER
    stages = [f.stage for f in frames]
    assert 0 < stages.index("knn") < stages.index("affinities") < frames.index(layout[1])


def test_cancel_mid_run_raises_cancelled(digits):
    token = CancelToken()
    seen = []

    def progress(p):
        seen.append(p.iteration)
        if p.iteration == 50:
            token.cancel()

    with pytest.raises(Cancelled, match="cancelled at iteration 50 of 300"):
        tsne(digits, n_iter=N_ITER, progress=progress, cancel=token)
    assert max(i for i in seen if i is not None) == 50


def test_cancel_before_start(digits):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        tsne(digits, n_iter=N_ITER, cancel=token)


def test_pause_then_resume_from_another_thread_completes(digits):
    token = CancelToken()
    paused_at = []

    def progress(p):
        if p.iteration == 100 and not paused_at:
            token.pause()
            paused_at.append(p.iteration)
            threading.Timer(0.3, token.resume).start()

    out = tsne(digits, n_iter=N_ITER, progress=progress, cancel=token, random_state=5)
    assert paused_at == [100] and not token.paused
    np.testing.assert_array_equal(out, tsne(digits, n_iter=N_ITER, random_state=5))


def test_too_large_perplexity_is_reduced_with_a_warning(digits, caplog):
    with caplog.at_level(logging.WARNING, logger="embedscope.compute.tsne"):
        out = tsne(digits[:40], perplexity=30.0, n_iter=N_ITER)
    assert out.shape == (40, 2) and np.isfinite(out).all()
    assert "`perplexity` 30 is too large for 40 points" in caplog.text and "using 13" in caplog.text
    assert effective_perplexity(10.0, 40) == 10.0


def test_three_dimensions(digits):
    frames = []
    out = tsne(digits, n_components=3, n_iter=N_ITER, every=50, progress=frames.append)
    assert out.shape == (400, 3) and np.isfinite(out).all()
    assert all(f.coords.shape == (400, 3) for f in frames if f.coords is not None)
    assert gradient_method(100_000, 3) == "bh" and gradient_method(100_000, 2) == "fft"
    assert gradient_method(500, 2) == "bh"


def test_precomputed_graph_is_used_without_a_second_search(digits, monkeypatch):
    graph = knn_graph(digits, k=90)
    expected = tsne(digits, n_iter=N_ITER, random_state=7)

    def no_search(*args, **kwargs):
        raise AssertionError("searched for neighbours again")

    monkeypatch.setattr(tsne_module, "knn_graph", no_search)
    np.testing.assert_array_equal(tsne(digits, n_iter=N_ITER, random_state=7, knn=graph), expected)


def test_graph_with_more_neighbours_is_cut_and_fewer_lowers_perplexity(digits, caplog):
    big = knn_graph(digits, k=120)
    np.testing.assert_array_equal(tsne(digits, n_iter=N_ITER, knn=big), tsne(digits, n_iter=N_ITER))
    with caplog.at_level(logging.WARNING, logger="embedscope.compute.tsne"):
        tsne(digits, n_iter=N_ITER, knn=big.head(45))
    assert "a k-NN graph of 45 neighbours" in caplog.text and "using 15" in caplog.text


def test_bad_parameters_name_the_parameter(digits):
    with pytest.raises(ParameterError, match=r"`n_components` must be 2 or 3, got 4"):
        tsne(digits, n_components=4)
    with pytest.raises(ParameterError, match=r"`perplexity` must be a positive number, got -1"):
        tsne(digits, perplexity=-1)
    with pytest.raises(ParameterError, match=r"`learning_rate` must be 'auto' or a positive number, got 'fast'"):
        tsne(digits, learning_rate="fast")
    with pytest.raises(ParameterError, match=r"`n_iter` must be a positive integer, got 0"):
        tsne(digits, n_iter=0)
    with pytest.raises(ParameterError, match="FFT-accelerated t-SNE is 2-D only"):
        tsne(digits, n_components=3, negative_gradient_method="fft")
    graph = knn_graph(digits[:100], k=10)
    with pytest.raises(ParameterError, match="the k-NN graph has 100 rows for 400 points"):
        tsne(digits, knn=graph)
    with pytest.raises(ParameterError, match="built with metric 'euclidean', t-SNE asked for 'cosine'"):
        tsne(digits[:100], knn=graph, metric="cosine")


def test_3d_after_2d_reuses_the_affinities(digits, monkeypatch):
    from openTSNE import affinity

    made = []
    real = affinity.PerplexityBasedNN

    def counted(*args, **kwargs):
        made.append(kwargs.get("perplexity"))
        return real(*args, **kwargs)

    monkeypatch.setattr(affinity, "PerplexityBasedNN", counted)
    x = digits[:400]
    two = tsne(x, n_components=2, perplexity=12, n_iter=N_ITER)
    three = tsne(x, n_components=3, perplexity=12, n_iter=N_ITER)
    again = tsne(x, n_components=2, perplexity=12, n_iter=N_ITER)
    assert made == [12]  # calibrated once, for the 2-D run
    assert two.shape == (400, 2) and three.shape == (400, 3)
    np.testing.assert_array_equal(two, again)  # the shared affinities were not left exaggerated


def test_barnes_hut_widens_theta_from_20000_points_only():
    """openTSNE's theta 0.5 below BH_WIDE_FROM points (nothing less exact than before), 1.0 from there on."""

    def theta(n: int, dims: int) -> tuple[str, float]:
        run = tsne_module.Run(
            progress=None, cancel=None, random_state=0, metric="euclidean", perplexity=30.0, jobs=1,
            n_components=dims, gradient="auto", learning_rate="auto", early_exaggeration=12.0, n_iter=750,
            total=750, every=10,
        )  # fmt: skip
        params = run.optimizer(n)
        return params["negative_gradient_method"], params["theta"]

    assert tsne_module.BH_WIDE_FROM == 20_000
    assert theta(19_999, 3) == ("bh", 0.5)
    assert theta(30_522, 3) == ("bh", tsne_module.BH_WIDE_THETA) == ("bh", 1.0)
    assert theta(2_000, 2) == ("bh", 0.5)
    assert theta(30_522, 2)[0] == "fft"


def test_a_perturbation_nudges_a_running_tsne_and_is_counted(tmp_path):
    """TensorBoard's Perturb: noise added to the layout mid-run (tsne._Frames), counted on the token, not cached."""
    from sklearn.datasets import load_digits

    import embedscope as es
    from embedscope.compute.cache import ProjectionCache
    from embedscope.compute.progress import CancelToken

    d = load_digits()
    emb = es.Embedding(d.data[:400].astype(np.float32))
    plain = es.project(emb, "tsne", random_state=0, params={"n_iter": 300}).coords
    token = CancelToken()
    token.perturb()  # asked before the first iteration: made at once
    nudged = es.project(
        emb, "tsne", random_state=0, params={"n_iter": 300}, cancel=token, cache=ProjectionCache(tmp_path)
    )
    assert token.perturbed == 1 and nudged.extra["perturbed"] == 1
    assert not np.allclose(plain, nudged.coords)
    assert not token.take_perturb() and not list(tmp_path.glob("*.npz"))  # nothing more asked; nothing cached


def test_a_finished_layout_goes_on_from_its_perturbed_copy(digits, tmp_path):
    """Perturb on a finished t-SNE: `start` (tsne.perturbed) runs SETTLE_ITER iterations without early exaggeration
    from the finished layout plus noise; the result keeps the layout's neighbourhoods, is not cached, and only
    t-SNE takes a start."""
    import embedscope as es
    from embedscope.compute.cache import ProjectionCache
    from embedscope.compute.quality import neighbor_preservation

    emb = es.Embedding(digits)
    cache = ProjectionCache(tmp_path)
    done = es.project(emb, "tsne", params={"n_iter": N_ITER}, quality=False, cache=cache).coords
    start = tsne_module.perturbed(done, 1)
    assert not np.allclose(start, done) and np.allclose(tsne_module.perturbed(done, 1), start)  # seeded
    iterations: list[int] = []
    after = es.project(
        emb,
        "tsne",
        params={"n_iter": N_ITER},
        quality=False,
        cache=cache,
        start=start,
        progress=lambda p: iterations.append(p.iteration) if p.iteration is not None else None,
    ).coords
    assert max(iterations) == tsne_module.SETTLE_ITER and iterations[0] == 0
    assert neighbor_preservation(done, after, sample=400) > 0.6  # the same map, settled again
    assert len(list(tmp_path.glob("*.npz"))) == 1  # only the plain run is cached
    with pytest.raises(ParameterError, match="a layout of shape"):
        tsne(digits, init=done[:10])
    with pytest.raises(ParameterError, match="only t-SNE goes on from a layout"):
        es.project(emb, "pca", start=done)
