"""`embedscope compare A B` (cli/compare.py): the summary it prints and the per-item file it writes."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
from click.testing import CliRunner

from embedscope.cli import cli
from embedscope.demo import minilm_tokens


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_compare_prints_the_overlap_and_writes_each_item(tmp_path):
    tokens = minilm_tokens().subset(np.arange(2000, 3000))
    x = np.asarray(tokens.vectors)
    rng = np.random.default_rng(1)
    a, b = tmp_path / "a.npy", tmp_path / "b.npy"
    np.save(a, x)
    np.save(b, x + rng.normal(scale=0.05 * float(x.std()), size=x.shape).astype(np.float32))
    out = tmp_path / "overlap.parquet"
    result = run("compare", str(a), str(b), "--by", "row", "-k", "5", "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("1,000 items in both (A has 1,000, B 1,000): 5 nearest neighbours in common ")
    assert "(chance 0.5%)" in lines[0]
    assert lines[1].startswith("overlap: 10% ") and lines[2].startswith("changed most: ")
    assert lines[-1] == f"wrote 1,000 items to {out}"
    table = pq.read_table(out)
    assert table.num_rows == 1000 and 0.5 < float(np.mean(table.column("overlap").to_numpy())) <= 1.0
    mean = float(lines[0].split("in common ")[1].split("%")[0]) / 100
    assert abs(mean - float(np.mean(table.column("overlap").to_numpy()))) < 0.001


def test_compare_by_label_lists_what_one_side_lacks_and_refuses_bad_input(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    rows = {"red": [1, 0, 0], "blue": [0, 0, 1], "navy": [0, 0.1, 0.9], "crimson": [0.9, 0.1, 0], "grey": [1, 1, 1]}
    a.write_text("".join(f"{w} " + " ".join(map(str, v)) + "\n" for w, v in rows.items()))
    b.write_text(
        "".join(f"{w} " + " ".join(map(str, v)) + "\n" for w, v in list(rows.items())[:4]) + "pink 1 0.5 0.5\n"
    )
    result = run("compare", str(a), str(b), "-k", "1", "--format", "glove")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("4 items in both (A has 5, B 5)")
    assert "only in A: 1 item(s) (grey)" in result.output and "only in B: 1 item(s) (pink)" in result.output
    bad = run("compare", str(a), str(b), "-k", "9", "--format", "glove")
    assert bad.exit_code == 1 and bad.output.startswith("error: `-k` must be from 1 to 3")
    wrong = run("compare", str(a), str(b), "--by", "row", "-o", str(tmp_path / "x.json"), "--format", "glove")
    assert wrong.exit_code == 1 and "cannot export to 'json'" in wrong.output
