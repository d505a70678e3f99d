"""The neighbour index on a LocalCluster of 2 workers: FAISS IVF trained on a sample, filled and searched shard by
shard; on MiniLM's 30,522 token vectors in 4 shards, its recall of the exact 10 nearest is measured and high, and a
row's neighbours are those exact search finds (embedscope.neighbors on the whole table)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shard_helpers import write_shards

pytest.importorskip("distributed", reason="the distributed extra: pip install 'embedscope[distributed]'")
pytest.importorskip("faiss", reason="the distributed extra: pip install 'embedscope[distributed]'")

import embedscope
from embedscope.demo import minilm_tokens
from embedscope.distributed import cluster_client
from embedscope.distributed.index import build_index, load_index, search
from embedscope.errors import NotFoundError, ParameterError
from embedscope.formats.tables.shards import open_shards

pytestmark = pytest.mark.xdist_group("cluster")


def test_an_ivf_index_built_and_searched_shard_by_shard(tmp_path: Path) -> None:
    emb = minilm_tokens()
    folder = write_shards(emb, tmp_path / "shards", 8000)
    shards = open_shards(folder)
    with cluster_client("local:2") as client:
        info = build_index(shards, client, out=tmp_path / "index", metric="cosine")
        assert (info.rows, info.dim, info.codes, info.shards) == (30522, 384, "flat", 4)
        assert info.nlist == int(4 * np.sqrt(30522)) and info.recall is not None and info.recall >= 0.9
        again = load_index(tmp_path / "index")
        assert again == info
        blue = emb.resolve("blue")
        query = np.asarray(emb.vectors[[blue]], dtype=np.float32)
        query /= np.linalg.norm(query)
        _, ids = search(again, client, query, k=6, nprobe=again.nlist)  # every list probed: exact
        exact = [n.index for n in embedscope.neighbors(emb, "blue", k=5)]
        assert ids[0][0] == blue and list(ids[0][1:]) == exact
        with pytest.raises(ParameterError, match="`nlist` must be from 1"):
            build_index(shards, client, out=tmp_path / "bad", nlist=10**9)
    with pytest.raises(NotFoundError, match="not an index folder"):
        load_index(tmp_path)
