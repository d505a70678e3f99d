import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

from embedscope.cli import cli

WORDS = ["blue", "red", "blues", "purple", "cat"]
VECTORS = np.array(
    [[1.0, 0.1, 0.0], [0.9, 0.5, 0.0], [1.0, 0.0, 0.3], [0.6, 0.6, 0.2], [-1.0, 0.2, 0.9]], dtype=np.float32
)


@pytest.fixture
def tsv_pair(tmp_path):
    vectors = tmp_path / "vectors.tsv"
    vectors.write_text("\n".join("\t".join(repr(float(x)) for x in row) for row in VECTORS) + "\n")
    metadata = tmp_path / "metadata.tsv"
    metadata.write_text("\n".join(WORDS) + "\n")
    return vectors, metadata


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_neighbors_prints_guide_style_angles(tsv_pair):
    vectors, metadata = tsv_pair
    result = run("neighbors", str(vectors), "blue", "-k", "2", "--metadata", str(metadata))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("blue: (blues, ")
    assert "°), (red, " in result.output


def test_neighbors_json_and_index_query(tsv_pair):
    vectors, metadata = tsv_pair
    result = run("neighbors", str(vectors), "#0", "-k", "4", "--metadata", str(metadata), "--json")
    payload = json.loads(result.output)
    assert payload["query"] == "blue"
    assert [n["label"] for n in payload["neighbors"]][-1] == "cat"
    assert all(n["angle"] is not None for n in payload["neighbors"])


def test_neighbors_euclidean_prints_distances(tsv_pair):
    vectors, metadata = tsv_pair
    result = run("neighbors", str(vectors), "blue", "-k", "1", "--metric", "euclidean", "--metadata", str(metadata))
    assert result.output.strip() == f"blue: (blues, {np.linalg.norm(VECTORS[0] - VECTORS[2]):.4g})"


def test_info_text_and_json(tsv_pair):
    vectors, metadata = tsv_pair
    text = run("info", str(vectors), "--metadata", str(metadata))
    assert text.exit_code == 0, text.output
    assert "5 x 3 float32" in text.output
    assert "label (string)" in text.output
    data = json.loads(run("info", str(vectors), "--metadata", str(metadata), "--json").output)
    assert data["embeddings"][0]["shape"] == [5, 3]


def test_user_mistakes_print_one_line_and_exit_1(tsv_pair, tmp_path):
    vectors, metadata = tsv_pair
    cases = [
        ("neighbors", str(vectors), "nope", "--metadata", str(metadata)),
        ("neighbors", str(vectors), "blue", "-k", "9", "--metadata", str(metadata)),
        ("info", str(tmp_path / "missing.tsv")),
    ]
    bad_meta = tmp_path / "bad.tsv"
    bad_meta.write_text("word\n" + "\n".join(WORDS) + "\n")
    cases.append(("info", str(vectors), "--metadata", str(bad_meta)))
    for args in cases:
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output
        assert "Traceback" not in result.output
    assert "single-column metadata must not have a header row" in run(*cases[-1]).output


def test_convert_round_trip(tsv_pair, tmp_path):
    vectors, metadata = tsv_pair
    out = tmp_path / "out.parquet"
    result = run("convert", str(vectors), str(out), "--metadata", str(metadata))
    assert result.exit_code == 0, result.output
    assert "wrote 5 x 3" in result.output
    back = run("neighbors", str(out), "blue", "-k", "1")
    assert back.output.startswith("blue: (blues, ")


def test_neighbors_analogy_leaves_out_query_words(tsv_pair):
    vectors, metadata = tsv_pair
    result = run("neighbors", str(vectors), "--analogy", "blue - red + cat", "-k", "2", "--metadata", str(metadata))
    assert result.exit_code == 0, result.output
    head, _, rest = result.output.partition(": ")
    assert head == "blue - red + cat"
    assert not {"blue", "red", "cat"} & {item.split(",")[0].strip("( ") for item in rest.split("), ")}
    assert run("neighbors", str(vectors), "--metadata", str(metadata)).exit_code == 2  # neither QUERY nor --analogy


def test_default_k_shrinks_with_a_warning_but_a_typed_k_is_checked(tsv_pair):
    vectors, metadata = tsv_pair
    result = CliRunner().invoke(cli, ["neighbors", str(vectors), "blue", "--metadata", str(metadata)])
    assert result.exit_code == 0
    assert "warning: only 4 other points: showing 4 neighbours" in result.output
    assert result.output.count("°)") == 4
    typed = run("neighbors", str(vectors), "blue", "-k", "10", "--metadata", str(metadata))
    assert typed.exit_code == 1
    assert "error: `-k` = 10 but only 4 other points exist (N = 5)" in typed.output


def test_sprite_size_without_sprite_and_unknown_output_suffix(tsv_pair, tmp_path):
    vectors, _ = tsv_pair
    result = run("info", str(vectors), "--sprite-size", "8", "8")
    assert result.exit_code == 1
    assert "a sprite size was given without a sprite" in result.output
    out = run("convert", str(vectors), str(tmp_path / "x.json"))
    assert out.exit_code == 1
    assert "cannot tell the output format from the suffix '.json'" in out.output
    assert not (tmp_path / "x.json").exists()


def test_convert_to_word2vec_warns_about_dropped_columns(tmp_path):
    vectors = tmp_path / "v.tsv"
    vectors.write_text("1\t0\n0\t1\n1\t1\n")
    meta = tmp_path / "m.tsv"
    meta.write_text("word\tcount\na\t1\nb\t2\nc\t3\n")
    result = run("convert", str(vectors), str(tmp_path / "out.txt"), "--metadata", str(meta))
    assert result.exit_code == 0, result.output
    assert "metadata column(s) count not written" in result.output


def test_project_writes_coordinates_with_labels(tsv_pair, tmp_path, monkeypatch):
    import pyarrow.csv as pacsv

    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    vectors, metadata = tsv_pair
    out = tmp_path / "pca.csv"
    result = run("project", str(vectors), "--metadata", str(metadata), "--method", "pca", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 5 x 2 pca coordinates" in result.output and "explained variance" in result.output
    assert re.search(r"trustworthiness [01]\.\d{3}, continuity [01]\.\d{3}", result.output), result.output
    table = pacsv.read_csv(out)
    assert table.column_names == ["index", "label", "x", "y"]
    assert table.column("label").to_pylist() == WORDS
    again = run("project", str(vectors), "--metadata", str(metadata), "-o", str(out))
    assert "from cache" in again.output
    bad = run("project", str(vectors), "--method", "umap", "--perplexity", "5", "-o", str(out))
    assert bad.exit_code == 2 and "--perplexity does not apply to --method umap" in bad.output
    wrong = run("project", str(vectors), "-o", str(tmp_path / "out.json"))
    assert wrong.exit_code == 1 and "cannot export to 'json'" in wrong.output


def test_project_zero_is_a_real_value_and_bad_seeds_and_subsets_are_clear(tsv_pair, tmp_path, monkeypatch):
    from embedscope.cli.project import method_params

    assert method_params("umap", {"min_dist": 0.0, "n_neighbors": None, "metric": None}) == {"min_dist": 0.0}
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    vectors, metadata = tsv_pair
    out = str(tmp_path / "o.csv")
    seed = run("project", str(vectors), "--seed", "-1", "-o", out)
    assert seed.exit_code == 1 and "Traceback" not in seed.output
    assert seed.output == "error: `--seed` must be an integer from 0 to 4,294,967,295, got -1\n"
    zero = run("project", str(vectors), "--method", "tsne", "--perplexity", "0", "-o", out)
    assert zero.exit_code == 1 and "error: `--perplexity` must be a number from 1 to 1,000, got 0.0" in zero.output
    subset = tmp_path / "subset.txt"
    subset.write_text("0\n1\n1\n99\n")
    bad = run("project", str(vectors), "--subset", str(subset), "-o", out)
    assert bad.exit_code == 1 and "subset.txt line 4: row 99 is out of range: the embedding has 5 rows" in bad.output
    subset.write_text("0\n1\n1\n2\n")
    ok = run("project", str(vectors), "--metadata", str(metadata), "--subset", str(subset), "-o", out)
    assert ok.exit_code == 0, ok.output
    assert "1 repeated row(s) left out" in ok.output and "wrote 3 x 2" in ok.output


def test_project_custom_reports_match_counts(tsv_pair, tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    vectors, metadata = tsv_pair
    args = ["project", str(vectors), "--metadata", str(metadata), "--method", "custom", "--left", "red"]
    result = run(*args, "--right", "blue", "--up", "cat", "-o", str(tmp_path / "c.csv"))
    assert result.exit_code == 0, result.output
    assert "matches left 1, right 2, up 1" in result.output  # "blue" matches blue and blues
    assert "cos(x, y) before orthogonalising" in result.output
    three = run(*args, "--right", "blue", "--dims", "3", "-o", str(tmp_path / "c.csv"))
    assert three.exit_code == 1 and "custom axes are 2-D" in three.output


def test_serve_refuses_an_empty_token_and_a_bad_port(tsv_pair):
    vectors, _ = tsv_pair
    empty = run("serve", str(vectors), "--host", "0.0.0.0", "--token", "")
    assert empty.exit_code == 2 and "an empty token protects nothing" in empty.output
    port = run("serve", str(vectors), "--port", "-5")
    assert port.exit_code == 2 and "Traceback" not in port.output
