"""`embedscope info` on a folder of shards (footers only) and `project --scheduler local:2` (cli/cluster_run.py)."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from sklearn.datasets import load_digits

from embedscope import Embedding
from embedscope.cli import cli
from shard_helpers import write_shards

pytest.importorskip("distributed", reason="the distributed extra: pip install 'embedscope[distributed]'")
pytestmark = pytest.mark.xdist_group("cluster")


@pytest.fixture
def shards(tmp_path):
    d = load_digits()
    emb = Embedding(d.data.astype(np.float32), metadata={"digit": [str(t) for t in d.target]})
    folder = write_shards(emb, tmp_path / "digits", 600)
    return emb, folder


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_info_reads_the_footers(shards) -> None:
    _, folder = shards
    result = run("info", str(folder))
    assert result.exit_code == 0, result.output
    assert f"{folder}: 3 parquet shards, 1,797 x 64 in all" in result.output
    report = json.loads(run("info", str(folder), "--json").output)
    assert [s["rows"] for s in report["shards"]] == [600, 600, 597] and report["metadata"] == ["digit"]


def test_pca_on_a_local_cluster_of_two(shards, tmp_path) -> None:
    _, folder = shards
    out = tmp_path / "coords"
    result = run("project", str(folder), "--scheduler", "local:2", "--no-spherize", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 1,797 x 2 pca coordinates" in result.output and "on 2 workers" in result.output
    here = tmp_path / "here.parquet"
    assert run("project", str(folder), "--no-spherize", "-o", str(here)).exit_code == 0
    mine = np.concatenate(
        [np.column_stack([pq.read_table(p).column(a).to_numpy() for a in "xy"]) for p in sorted(out.iterdir())]
    )
    single = pq.read_table(here)
    np.testing.assert_allclose(mine, np.column_stack([single.column("x"), single.column("y")]), atol=1e-3)
    bad = run("project", str(folder), "--scheduler", "local:2", "--method", "custom", "--left", "1", "-o", str(out))
    assert bad.exit_code == 1 and "custom is not offered yet: PCA, t-SNE and UMAP are" in bad.output
    umap = run(
        "project", str(folder), "--scheduler", "local:2", "--method", "umap", "--n-neighbors", "10", "-o", str(out)
    )
    assert umap.exit_code == 0, umap.output
    assert "wrote 1,797 x 2 umap coordinates" in umap.output and "fitted on a sample of 1,797 rows" in umap.output
    tsne = run(
        "project", str(folder), "--scheduler", "local:2", "--method", "tsne", "--perplexity", "20", "-o", str(out)
    )
    assert tsne.exit_code == 0, tsne.output
    assert "wrote 1,797 x 2 tsne coordinates" in tsne.output and "placed by openTSNE's transform" in tsne.output


def test_an_index_built_on_the_cluster_answers_neighbors(shards, tmp_path) -> None:
    pytest.importorskip("faiss", reason="the distributed extra: pip install 'embedscope[distributed]'")
    _, folder = shards
    built = run("index", str(folder), "-o", str(tmp_path / "ix"), "--scheduler", "local:2", "--nlist", "8")
    assert built.exit_code == 0, built.output
    assert "indexed 1,797 x 64 in 3 shards" in built.output and "IVF, 8 lists, flat codes, cosine" in built.output
    through = run("neighbors", str(folder), "#5", "--index", str(tmp_path / "ix"), "--scheduler", "local:2", "-k", "3")
    exact = run("neighbors", str(folder), "#5", "-k", "3")
    assert through.exit_code == 0, through.output
    assert through.output.split(":")[0] == exact.output.split(":")[0] == "5"
    first = through.output.split("(")[1].split(")")[0]
    assert first == exact.output.split("(")[1].split(")")[0]  # the nearest, with its angle, as exact search


def test_the_cli_reports_each_stage_shard_by_shard(shards, tmp_path, monkeypatch) -> None:
    from contextlib import contextmanager

    from embedscope.cli import cluster_run

    seen: list[tuple[str, str, int | None, int | None]] = []

    @contextmanager
    def recorder(title: str):  # the progress bar (drawn on a terminal only) as the items it is given
        yield lambda item: seen.append((title, item.stage, item.iteration, item.total))

    monkeypatch.setattr(cluster_run, "progress_reporter", recorder)
    _, folder = shards
    result = run("project", str(folder), "--scheduler", "local:2", "--method", "umap", "-o", str(tmp_path / "u"))
    assert result.exit_code == 0, result.output
    assert {s[0] for s in seen} == {"umap on 2 workers"}
    assert [s[1:] for s in seen if s[1] == "place (shards)"][-1] == ("place (shards)", 3, 3)
    assert [s[2] for s in seen if s[1] == "place (shards)"] == [1, 2, 3]  # one report per shard placed
    assert any(s[1] == "fit" for s in seen)
