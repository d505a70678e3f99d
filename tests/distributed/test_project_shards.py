"""The Python API past one machine (distributed/run.py): `embedscope.project_shards` and `embedscope.index_shards`
take a `dask.distributed.Client` (or local:N), run on its 2 workers, and answer as the single-machine path does
where the method is exact (PCA of the digits, written as 3 Parquet shards)."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest
from sklearn.datasets import load_digits

import embedscope
from embedscope import Embedding
from embedscope.errors import ParameterError
from shard_helpers import write_shards

pytest.importorskip("distributed", reason="the distributed extra: pip install 'embedscope[distributed]'")

from distributed import Client, LocalCluster

pytestmark = pytest.mark.xdist_group("cluster")


@pytest.fixture(scope="module")
def digits(tmp_path_factory: pytest.TempPathFactory):
    d = load_digits()
    emb = Embedding(d.data.astype(np.float32), metadata={"digit": [str(t) for t in d.target]})
    folder = write_shards(emb, tmp_path_factory.mktemp("digits"), 600)
    return emb, folder


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40)
    with Client(cluster) as c:
        yield c
    cluster.close()


def coords(folder) -> np.ndarray:
    parts = [pq.read_table(p) for p in sorted(folder.glob("part-*.parquet"))]
    return np.concatenate([np.column_stack([t.column(a).to_numpy() for a in "xy"]) for t in parts])


def test_a_client_runs_pca_as_one_machine_does(digits, client, tmp_path) -> None:
    emb, folder = digits
    stages: list[tuple[str, int, int]] = []
    done = embedscope.project_shards(
        folder, tmp_path / "pca", client=client, spherize=False, progress=lambda *a: stages.append(a)
    )
    assert done.rows == 1797 and [p.name for p in done.outputs] == [f"part-{i:05d}.parquet" for i in range(3)]
    single = embedscope.project(emb, "pca", spherize=False).coords
    np.testing.assert_allclose(coords(tmp_path / "pca"), single, atol=1e-3)
    assert ("sums", 3, 3) in stages and ("coordinates", 3, 3) in stages  # per stage, per shard
    assert client.status == "running"  # a Client given is the caller's: left open


def test_umap_and_the_index_through_the_api(digits, client, tmp_path) -> None:
    _, folder = digits
    mapped = embedscope.project_shards(folder, tmp_path / "umap", method="umap", client=client, n_neighbors=10)
    assert mapped.rows == 1797 and mapped.sample == 1797  # under the sample size: fitted on every row
    assert np.isfinite(coords(tmp_path / "umap")).all()
    info = embedscope.index_shards(folder, tmp_path / "index", client=client, metric="euclidean")
    assert info.rows == 1797 and info.recall is not None and info.recall >= 0.9


def test_what_a_cluster_does_not_offer_is_refused(digits, client, tmp_path) -> None:
    _, folder = digits
    with pytest.raises(ParameterError, match="must be one of"):
        embedscope.project_shards(folder, tmp_path / "x", method="custom", client=client)
    with pytest.raises(ParameterError, match=r"pca on a cluster takes no parameters, got \['perplexity'\]"):
        embedscope.project_shards(folder, tmp_path / "x", client=client, perplexity=5)
