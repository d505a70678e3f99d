"""Exact PCA on a LocalCluster of 2 worker processes, on MiniLM's 30,522 x 384 token table written as 4 Parquet
shards: the components, the variance and every row's coordinates equal the single-machine PCA of the whole table;
the coordinates come back as shards, row for row with the input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from shard_helpers import write_shards

pytest.importorskip("distributed", reason="the distributed extra: pip install 'embedscope[distributed]'")

from embedscope.compute.pca import pca
from embedscope.demo import minilm_tokens
from embedscope.distributed import cluster_client, distributed_pca
from embedscope.errors import ParameterError
from embedscope.formats.tables.shards import open_shards

pytestmark = pytest.mark.xdist_group("cluster")  # one LocalCluster at a time on a 2-core machine


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory):
    emb = minilm_tokens()
    folder = write_shards(emb, tmp_path_factory.mktemp("shards"), 8000)
    return emb, folder


@pytest.fixture(scope="module")
def client():
    with cluster_client("local:2") as c:
        yield c


def test_pca_on_a_cluster_equals_the_whole_table(tokens, client, tmp_path: Path) -> None:
    emb, folder = tokens
    shards = open_shards(folder)
    assert [s.rows for s in shards.shards] == [8000, 8000, 8000, 6522] and shards.dim == 384
    assert len(client.scheduler_info()["workers"]) == 2
    stages: list[tuple[str, int, int]] = []
    done = distributed_pca(
        shards, client, n_components=3, spherize=False, out=tmp_path / "coords", progress=lambda *a: stages.append(a)
    )
    whole = pca(np.asarray(emb.vectors), n_components=3)
    assert done.rows == 30522
    np.testing.assert_allclose(done.explained_variance_ratio, whole.explained_variance_ratio, rtol=1e-5)
    np.testing.assert_allclose(done.components, whole.components, atol=1e-4)
    assert [p.name for p in done.outputs] == [f"part-{i:05d}.parquet" for i in range(4)]
    coords = np.concatenate(
        [np.column_stack([pq.read_table(p).column(a).to_numpy() for a in "xyz"]) for p in done.outputs]
    )
    np.testing.assert_allclose(coords, whole.coords, atol=2e-4 * np.abs(whole.coords).max())
    assert ("sums", 4, 4) in stages and ("coordinates", 4, 4) in stages


def test_npy_shards_and_bad_requests(tokens, client, tmp_path: Path) -> None:
    emb, _ = tokens
    folder = tmp_path / "npy"
    folder.mkdir()
    x = np.asarray(emb.vectors[:3000])
    for i in range(3):
        np.save(folder / f"{i}.npy", x[i * 1000 : (i + 1) * 1000])
    done = distributed_pca(open_shards(folder), client, spherize=False, out=tmp_path / "out")
    from sklearn.decomposition import PCA

    exact = PCA(2, svd_solver="full").fit(x)  # scikit-learn's exact solver: the same signs (svd_flip)
    np.testing.assert_allclose(done.components, exact.components_, atol=1e-4)
    np.testing.assert_allclose(done.explained_variance_ratio, exact.explained_variance_ratio_, rtol=1e-4)
    with pytest.raises(ParameterError, match="`n_components` must be 2 or 3"):
        distributed_pca(open_shards(folder), client, n_components=5, out=tmp_path / "o")
    with pytest.raises(ParameterError, match="local, local:N or"), cluster_client("somewhere"):
        pass


def test_spherized_by_default_as_on_one_machine(tokens, client, tmp_path: Path) -> None:
    """384 dimensions: spherized by default on the cluster too, and the map equals embedscope.project's PCA."""
    import embedscope

    emb, folder = tokens
    done = distributed_pca(open_shards(folder), client, out=tmp_path / "s", progress=None)
    here = embedscope.project(emb, "pca", quality=False)
    coords = np.concatenate(
        [np.column_stack([pq.read_table(p).column(a).to_numpy() for a in "xy"]) for p in done.outputs]
    )
    np.testing.assert_allclose(done.explained_variance_ratio, here.explained_variance_ratio[:2], rtol=1e-4)
    np.testing.assert_allclose(coords, here.coords, atol=1e-3 * np.abs(here.coords).max())
