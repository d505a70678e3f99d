"""UMAP on a LocalCluster of 2 workers: fitted on a sample, every shard placed by umap-learn's transform. On the
digits (1,797 x 64 in 6 shards) the map keeps the digits apart about as well as a UMAP of every row does on one
machine. The stated quality of a map fitted on half the rows: at least 0.7x the 10 nearest neighbours kept and
0.97x the trustworthiness of a UMAP of every row (measured: 0.76x and 0.99x), and the digits stay apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from sklearn.datasets import load_digits

pytest.importorskip("distributed", reason="the distributed extra: pip install 'embedscope[distributed]'")

import embedscope
from embedscope.compute.quality import neighbor_preservation
from embedscope.distributed import cluster_client
from embedscope.distributed.umap import distributed_umap
from embedscope.errors import ParameterError
from embedscope.formats.tables.shards import open_shards

pytestmark = pytest.mark.xdist_group("cluster")


def test_a_sample_fitted_map_placed_shard_by_shard(tmp_path: Path) -> None:
    from sklearn.manifold import trustworthiness

    digits = load_digits()
    x = digits.data.astype(np.float32)
    folder = tmp_path / "shards"
    folder.mkdir()
    for i, lo in enumerate(range(0, len(x), 300)):
        np.save(folder / f"{i}.npy", x[lo : lo + 300])
    shards = open_shards(folder)
    stages: list[str] = []
    with cluster_client("local:2") as client:
        done = distributed_umap(
            shards, client, sample=900, out=tmp_path / "map", progress=lambda stage, *_: stages.append(stage)
        )
        with pytest.raises(ParameterError, match="`sample` must be at least"):
            distributed_umap(shards, client, sample=5, out=tmp_path / "bad")
    assert done.sample == 900 and done.rows == 1797 and len(done.outputs) == 6
    assert {"sample", "fit", "place"} <= set(stages)
    coords = np.concatenate(
        [np.column_stack([pq.read_table(p).column(a).to_numpy() for a in "xy"]) for p in done.outputs]
    )
    assert coords.shape == (1797, 2) and np.isfinite(coords).all()
    whole = embedscope.project(embedscope.Embedding(x), "umap", quality=False).coords
    kept = neighbor_preservation(x, coords, sample=1797)
    kept_whole = neighbor_preservation(x, whole, sample=1797)
    trust, trust_whole = trustworthiness(x, coords, n_neighbors=10), trustworthiness(x, whole, n_neighbors=10)
    assert kept >= 0.7 * kept_whole and trust >= 0.97 * trust_whole, (kept, kept_whole, trust, trust_whole)
    # the digits stay apart: each point's nearest drawn neighbour is mostly of its own digit
    from sklearn.neighbors import NearestNeighbors

    _, near = NearestNeighbors(n_neighbors=2).fit(coords).kneighbors(coords)
    assert np.mean(digits.target[near[:, 1]] == digits.target) > 0.85


def test_tsne_fitted_on_a_sample_and_placed_by_opentsne(tmp_path: Path) -> None:
    """The same scheme with openTSNE: fitted on half the digits, the others placed by its transform (each new point
    optimised against the fixed map). Stated quality: at least 0.45x the 10 nearest neighbours kept and 0.96x the
    trustworthiness of a t-SNE of every row (measured: 0.52x and 0.98x; a placed point lands among its neighbours'
    cluster, less exactly among its own 10 than a full run puts it)."""
    from sklearn.manifold import trustworthiness

    from embedscope.distributed.tsne import distributed_tsne

    x = load_digits().data.astype(np.float32)
    folder = tmp_path / "shards"
    folder.mkdir()
    for i, lo in enumerate(range(0, len(x), 300)):
        np.save(folder / f"{i}.npy", x[lo : lo + 300])
    with cluster_client("local:2") as client:
        done = distributed_tsne(open_shards(folder), client, sample=900, out=tmp_path / "map")
        with pytest.raises(ParameterError, match="above 3 x perplexity"):
            distributed_tsne(open_shards(folder), client, sample=50, out=tmp_path / "bad")
    coords = np.concatenate(
        [np.column_stack([pq.read_table(p).column(a).to_numpy() for a in "xy"]) for p in done.outputs]
    )
    whole = embedscope.project(embedscope.Embedding(x), "tsne", quality=False).coords
    kept, kept_whole = neighbor_preservation(x, coords, sample=1797), neighbor_preservation(x, whole, sample=1797)
    trust, trust_whole = trustworthiness(x, coords, n_neighbors=10), trustworthiness(x, whole, n_neighbors=10)
    assert done.sample == 900 and np.isfinite(coords).all()
    assert kept >= 0.45 * kept_whole and trust >= 0.96 * trust_whole, (kept, kept_whole, trust, trust_whole)
