"""`embedscope clusters` and `embedscope project --clusters` (cli/clusters.py, cli/project.py), on the digits."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.csv as pacsv
import pytest
from click.testing import CliRunner
from sklearn.datasets import load_digits
from sklearn.metrics import adjusted_rand_score

from embedscope.cli import cli


@pytest.fixture
def digits(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    d = load_digits()
    vectors = tmp_path / "digits.npy"
    np.save(vectors, d.data.astype(np.float32))
    metadata = tmp_path / "digits.tsv"
    rows = [f"{t}\t{'odd' if t % 2 else 'even'}" for t in d.target]
    metadata.write_text("digit\tparity\n" + "\n".join(rows) + "\n")
    return [str(vectors), "--metadata", str(metadata), "--method", "umap"], d.target


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_project_with_clusters_adds_the_cluster_columns(digits, tmp_path):
    args, target = digits
    out = tmp_path / "map.csv"
    result = run("project", *args, "--clusters", "--cluster-column", "digit", "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pacsv.read_csv(out)
    assert table.column_names[-4:] == ["cluster", "cluster_label", "subcluster", "subcluster_label"]
    ids = np.array([-1 if v is None else v for v in table.column("cluster").to_pylist()])
    assert adjusted_rand_score(target, ids) >= 0.7
    names = table.column("cluster_label").to_pylist()
    for i in np.flatnonzero(ids >= 0)[:200]:  # a row's name is its cluster's: mostly its own digit
        assert names[i] is not None
    pure = [i for i in range(len(ids)) if ids[i] >= 0 and names[i].isdigit()]
    assert np.mean([names[i] == str(target[i]) for i in pure]) > 0.95
    assert f"; {ids.max() + 1} clusters" in result.output


def test_clusters_prints_the_levels_with_sizes_and_names(digits):
    args, _ = digits
    result = run("clusters", *args, "--cluster-column", "digit")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "13 clusters of 1,797 umap points in 4 groups, with" in lines[0] and "by the values of `digit`" in lines[0]
    top = [line for line in lines[1:] if not line.startswith("     ")]
    assert (
        top
        and sum(int(line.split()[1].replace(",", "")) for line in top)
        + int(lines[0].split("; ")[-1].split()[0].replace(",", ""))
        == 1797
    )
    body = json.loads(run("clusters", *args, "--cluster-column", "digit", "--json").output)
    assert body["points"] == 1797 and body["levels"] == 3 and body["label_kind"] == "categorical"
    finest = [c for c in body["clusters"] if c["level"] == body["base_level"]]
    assert sum(c["size"] for c in finest) + body["noise"] == 1797
    assert {c["label"].split(" ")[0] for c in finest} <= {str(d) for d in range(10)}


def test_wrong_cluster_options_say_which_flag(digits, tmp_path):
    args, _ = digits
    out = str(tmp_path / "o.csv")
    column = run("clusters", *args, "--cluster-column", "nope")
    assert column.exit_code == 1 and column.output.startswith("error: field `--cluster-column`: no metadata column")
    size = run("clusters", *args, "--min-cluster-size", "1")
    assert size.output == "error: `--min-cluster-size` must be at least 2, got 1\n" and size.exit_code == 1
    stray = run("project", *args, "--min-cluster-size", "30", "-o", out)
    assert stray.exit_code == 2 and "go with --clusters" in stray.output
    npy = run("project", *args, "--clusters", "-o", str(tmp_path / "o.npy"))
    assert npy.exit_code == 2 and "write .csv, .tsv or .parquet" in npy.output
