"""A map made on a cluster, served by one machine (distributed/served.py, `serve SHARDS --coords FOLDER --index`):
the digits as 3 Parquet shards, projected (PCA) and indexed (FAISS) on a LocalCluster of 2 workers; the server
holds the coordinates and the metadata, draws the map as it is (from tiles when large), and answers a click's
neighbours from the table's own vectors through the index (or an exact scan), as one machine does over them."""

from __future__ import annotations

import json
import shutil
import time

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from sklearn.datasets import load_digits

import embedscope
from embedscope import Embedding
from embedscope.cli import cli
from embedscope.embedding import Collection
from embedscope.errors import FormatError, ParameterError
from shard_helpers import write_shards

pytest.importorskip("distributed", reason="the distributed extra: pip install 'embedscope[distributed]'")
pytest.importorskip("faiss", reason="the distributed extra: pip install 'embedscope[distributed]'")

from distributed import Client, LocalCluster
from embedscope.distributed.served import open_map

pytestmark = pytest.mark.xdist_group("cluster")
K = 10


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory):
    """(the digits, their shards, the coordinate shards, the index folder), made on a LocalCluster of 2 workers."""
    d = load_digits()
    emb = Embedding(d.data.astype(np.float32), metadata={"digit": [str(t) for t in d.target]})
    root = tmp_path_factory.mktemp("served")
    shards = write_shards(emb, root / "shards", 600)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40)
    with Client(cluster) as client:
        embedscope.project_shards(shards, root / "coords", client=client, spherize=False)
        embedscope.index_shards(shards, root / "index", client=client, metric="cosine")
    cluster.close()
    return emb, shards, root / "coords", root / "index"


def coords_of(folder) -> np.ndarray:
    parts = [pq.read_table(p) for p in sorted(folder.glob("part-*.parquet"))]
    return np.concatenate([np.column_stack([t.column(a).to_numpy() for a in "xy"]) for t in parts])


def test_the_map_holds_the_coordinates_and_the_metadata(made) -> None:
    emb, shards, coords, index = made
    served = open_map(shards, coords, index_folder=index)
    xy = coords_of(coords)
    np.testing.assert_array_equal(served.vectors, xy)
    assert served.shape == (1797, 2) and served.map_columns == ["x", "y"]
    assert served.metadata.column_names == ["digit", "x", "y"] and served.label_column == "digit"
    np.testing.assert_array_equal(served.metadata.column("x").to_numpy(), xy[:, 0])
    assert served.labels[:5] == emb.labels[:5]
    assert "FAISS" in served.original.how
    assert open_map(shards, coords, label_column="x").label_column == "x"


def test_neighbours_come_from_the_tables_vectors(made) -> None:
    emb, shards, coords, index = made
    exact = open_map(shards, coords)  # no index: a scan of every shard
    through = open_map(shards, coords, index_folder=index)
    for row in (0, 700, 1796):
        truth = embedscope.neighbors(emb, row, k=K)
        scanned = embedscope.neighbors(exact, row, k=K)
        assert [n.index for n in scanned] == [n.index for n in truth]
        np.testing.assert_allclose([n.similarity for n in scanned], [n.similarity for n in truth], atol=1e-5)
        found = embedscope.neighbors(through, row, k=K)
        assert row not in [n.index for n in found] and [n.label for n in found] == [emb.labels[n.index] for n in found]
        assert len({n.index for n in found} & {n.index for n in truth}) >= 0.9 * K  # the index's recall
    with pytest.raises(ParameterError, match="not euclidean"):
        embedscope.neighbors(through, 0, k=K, metric="euclidean")
    with pytest.raises(ParameterError, match="ask for a row's neighbours"):
        embedscope.neighbors(through, np.zeros(2, dtype=np.float32), k=K)


def test_the_server_draws_the_map_as_it_is_and_answers_clicks(made, make_client, expect_error) -> None:
    _, shards, coords, index = made
    served = open_map(shards, coords, index_folder=index)
    collection = Collection(source=str(shards))
    collection.add("shards", served)
    api = make_client(collection, tiles_from=1000, tile_points=256)
    [info] = api.get("/api/runs").json()["runs"][0]["embeddings"]
    assert info["map_columns"] == ["x", "y"] and info["shape"] == [1797, 2]
    base = f"/api/runs/{info['run']}/embeddings/{info['id']}"
    job = api.post(f"{base}/projections", json={"method": "precomputed", "params": {"columns": "x,y"}}).json()
    for _ in range(400):
        if api.get(f"/api/projections/{job['id']}").json()["state"] == "done":
            break
        time.sleep(0.05)
    answer = api.get(f"/api/projections/{job['id']}/coords", params={"format": "binary"})
    drawn = np.frombuffer(answer.content, dtype="<f4").reshape(-1, 2)
    np.testing.assert_allclose(drawn, coords_of(coords), atol=1e-6)  # as it is: not turned, not scaled
    pyramid = api.get(f"/api/projections/{job['id']}/tiles").json()
    assert pyramid["rows"] == 1797 and pyramid["levels"] >= 2
    body = api.post(f"{base}/neighbors", json={"query": 5, "k": K}).json()
    assert [n["index"] for n in body["neighbors"]] == [n.index for n in embedscope.neighbors(served, 5, k=K)]
    expect_error(api.post(f"{base}/neighbors", json={"vector": [0.0, 1.0], "k": K}), 422, "parameter")
    expect_error(api.post(f"{base}/analogy", json={"positive": [1], "negative": [2]}), 422, "parameter")


def test_an_index_is_read_from_the_folder_given_and_must_fit(made, tmp_path) -> None:
    _, shards, coords, index = made
    moved = tmp_path / "moved"
    shutil.copytree(index, moved)
    info = json.loads((moved / "index.json").read_text())
    (moved / "index.json").write_text(json.dumps({**info, "folder": "/nowhere"}))  # where it was built: not read
    served = open_map(shards, coords, index_folder=moved)
    assert len(embedscope.neighbors(served, 3, k=K)) == K
    (moved / "index.json").write_text(json.dumps({**info, "rows": info["rows"] + 1}))
    with pytest.raises(FormatError, match="the index holds 1,798 x 64 in 3 shards"):
        open_map(shards, coords, index_folder=moved)


def test_coordinates_that_do_not_fit_the_shards_are_refused(made, tmp_path) -> None:
    _, shards, coords, _ = made
    fewer = tmp_path / "fewer"
    fewer.mkdir()
    for path in sorted(coords.glob("part-*.parquet"))[:2]:
        (fewer / path.name).write_bytes(path.read_bytes())
    with pytest.raises(FormatError, match="2 coordinate shards for 3 data shards"):
        open_map(shards, fewer)
    cut = tmp_path / "cut"
    cut.mkdir()
    for i, path in enumerate(sorted(coords.glob("part-*.parquet"))):
        table = pq.read_table(path)
        pq.write_table(table.slice(0, table.num_rows - (i == 1)), cut / path.name)
    with pytest.raises(FormatError, match=r"599 coordinates for the 600 rows of part-00001\.parquet"):
        open_map(shards, cut)
    linked = tmp_path / "linked"
    linked.mkdir()
    for path in sorted(coords.glob("part-*.parquet")):
        (linked / path.name).symlink_to(path)  # each a link out of the folder given
    with pytest.raises(FormatError, match="a link to a file outside the folder"):
        open_map(shards, linked)


def test_the_cli_says_what_serving_a_map_needs(made) -> None:
    _, shards, coords, index = made
    runner = CliRunner()
    answer = runner.invoke(cli, ["serve", str(shards), "--index", str(index)])
    assert answer.exit_code == 2 and "give --coords FOLDER too" in answer.output
    answer = runner.invoke(cli, ["serve", str(shards), str(shards), "--coords", str(coords)])
    assert answer.exit_code == 2 and "one folder of shards, got 2 paths" in answer.output
    answer = runner.invoke(
        cli, ["serve", str(shards), "--coords", str(coords), "--metadata", str(index / "index.json")]
    )
    assert answer.exit_code == 2 and "--metadata: not with --coords FOLDER" in answer.output
    answer = runner.invoke(cli, ["serve", str(coords), "--coords", str(shards)])  # the folders swapped
    assert answer.exit_code == 1 and "coordinate shard" in answer.output and "Traceback" not in answer.output
