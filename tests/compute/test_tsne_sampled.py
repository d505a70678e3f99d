"""t-SNE of many points (sample, place with openTSNE's prepare_partial, refine all), and how the graph is reported.

The path is taken from SAMPLE_FROM points on; here the threshold is lowered so that scikit-learn's digits
(1,797 x 64, real data) take it in seconds. Its quality is compared with the plain path on the same data.
"""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.datasets import load_digits

import embedscope.compute.tsne_sampled as sampled_module
from embedscope import Embedding
from embedscope.cli import cli
from embedscope.compute.knn_graph import clear_memo
from embedscope.compute.progress import Cancelled, CancelToken
from embedscope.compute.projection import project
from embedscope.compute.quality import neighbor_preservation
from embedscope.compute.tsne import tsne

N_ITER = 300


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    return load_digits().data.astype(np.float32)


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch):
    monkeypatch.setattr(sampled_module, "SAMPLE_FROM", 1_000)
    monkeypatch.setattr(sampled_module, "SAMPLE_SIZE", 600)
    clear_memo()
    yield
    clear_memo()


@pytest.fixture(scope="module")
def plain(digits) -> np.ndarray:
    clear_memo()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sampled_module, "SAMPLE_FROM", 10**9)  # the ordinary path
        return tsne(digits, n_iter=N_ITER, random_state=0)


def test_sampled_path_keeps_neighbourhoods_like_the_plain_one(digits, plain):
    frames = []
    ours = tsne(digits, n_iter=N_ITER, random_state=0, progress=frames.append)
    assert ours.shape == (len(digits), 2) and np.isfinite(ours).all()
    kept_ours = neighbor_preservation(digits, ours, sample=len(digits))
    kept_plain = neighbor_preservation(digits, plain, sample=len(digits))
    assert kept_ours >= 0.9 * kept_plain, (kept_ours, kept_plain)
    shown = [f for f in frames if f.coords is not None]
    total = N_ITER + sampled_module.PARTIAL_ITER + sampled_module.JOINT_ITER
    assert all(f.coords.shape == (len(digits), 2) for f in shown)  # every point in every frame
    assert [f.iteration for f in shown] == sorted(f.iteration for f in shown)
    assert shown[-1].iteration == shown[-1].total == total
    messages = {f.message.split(",")[0] for f in shown}
    assert {"early exaggeration", "optimising", "placing the rest", "optimising all points together"} <= messages
    np.testing.assert_array_equal(shown[-1].coords, ours)


def test_same_seed_same_map_on_an_exact_graph(digits):
    a = tsne(digits, n_iter=N_ITER, random_state=5)
    clear_memo()
    b = tsne(digits, n_iter=N_ITER, random_state=5)
    np.testing.assert_array_equal(a, b)


def test_cancel_while_placing_the_rest_stops_the_run(digits):
    token = CancelToken()

    def progress(item):
        if item.message.startswith("placing the rest"):
            token.cancel()

    with pytest.raises(Cancelled):
        tsne(digits, n_iter=N_ITER, random_state=0, progress=progress, cancel=token)


def test_the_summary_says_which_graph_and_its_recall(digits):
    emb = Embedding(digits)
    exact = project(emb, "tsne", params={"n_iter": 250}, quality=False)
    assert exact.summary()["knn_engine"] == "exact" and exact.summary()["knn_recall"] == 1.0
    assert exact.summary()["reproducible"] is True
    clear_memo()  # an exact graph in memory would serve the approximate request (it is better)
    approx = project(emb, "tsne", params={"n_iter": 250, "neighbors": "approximate"}, quality=False)
    summary = approx.summary()
    assert summary["knn_engine"] == "hnsw" and 0.8 <= summary["knn_recall"] <= 1.0
    assert summary["reproducible"] is False


def test_the_cli_reports_an_approximate_graph(digits, tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    vectors = tmp_path / "digits.npy"
    np.save(vectors, digits)
    out = tmp_path / "map.csv"
    args = ["project", str(vectors), "--method", "tsne", "--iterations", "250", "--neighbors", "approximate"]
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "approximate neighbour graph (HNSW, recall" in result.output
    bad = CliRunner().invoke(cli, ["project", str(vectors), "--method", "tsne", "--neighbors", "some", "-o", str(out)])
    assert bad.exit_code == 2 and "--neighbors" in bad.output
