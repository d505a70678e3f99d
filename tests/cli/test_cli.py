import json

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
