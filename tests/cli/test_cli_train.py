import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from embedscope.cli import cli

gensim = pytest.importorskip("gensim", reason="training needs gensim")
DATA = Path(gensim.__file__).parent / "test" / "test_data"
LEE = DATA / "lee_background.cor"
FAST = ["--vector-size", "16", "--epochs", "2", "--workers", "1", "--min-count", "3"]


def run(*args: object, input: bytes | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_train_writes_a_log_dir_that_loads(tmp_path):
    import embedscope

    out = tmp_path / "run"
    result = run("train", LEE, "-o", out, *FAST, "--show-ids", "The government said.")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("word_ids('The government said.') = [0, ")
    assert f"wrote {out}" in result.output and "words/s" in result.output
    assert (out / "projector_config.pbtxt").is_file()
    assert (out / "metadata.tsv").read_text(encoding="utf-8").splitlines()[:2] == ["Word\tFrequency", "the\t4135"]
    emb = embedscope.load(out)
    assert emb.shape[1] == 16 and emb.label_column == "Word" and emb.labels[0] == "the"
    summary = json.loads((out / "train.json").read_text())
    assert summary["params"]["vector_size"] == 16 and len(summary["epochs"]) == 2
    assert summary["vocabulary"]["size"] == emb.shape[0]


def test_show_ids_alone_builds_the_vocabulary_only(tmp_path):
    result = run("train", LEE, "--show-ids", "I have a cat.", "--show-ids", "the the")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("word_ids('I have a cat.') = [") and "(not in the vocabulary: cat)" in lines[0]
    assert lines[1] == "word_ids('the the') = [0, 0]"
    assert run("train", LEE).exit_code == 2  # neither -o nor --show-ids


def test_snapshots_keep_every_epoch_as_a_step(tmp_path):
    out = tmp_path / "run"
    result = run("train", LEE, "-o", out, *FAST, "--snapshots")
    assert result.exit_code == 0, result.output
    config = (out / "projector_config.pbtxt").read_text()
    for step in (0, 1, 2):
        assert f'tensor_name: "word2vec@{step}"' in config
    assert 'tensor_name: "word2vec"\n' in config


def test_stdin_corpus(tmp_path):
    text = LEE.read_bytes()[:20_000]
    result = run("train", "-", "-o", tmp_path / "run", *FAST, input=text)
    assert result.exit_code == 0, result.output
    assert "trained" in result.output


def test_evaluate_table_and_json(tmp_path):
    out = tmp_path / "run"
    assert run("train", LEE, "-o", out, *FAST).exit_code == 0
    files = ["--analogies", DATA / "questions-words.txt", "--similarity", DATA / "wordsim353.tsv"]
    text = run("evaluate", out, *files)
    assert text.exit_code == 0, text.output
    assert "analogies questions-words.txt: 3CosAdd over the 30,000 most frequent words" in text.output
    assert "  capital-common-countries " in text.output and "  overall " in text.output
    assert "similarity wordsim353.tsv: Spearman " in text.output
    data = json.loads(run("evaluate", out, *files, "--json", "--restrict-vocab", "1000").output)
    (analogies,) = data["analogies"]
    assert analogies["questions"] == 19_544 and analogies["restrict_vocab"] == 1000
    assert analogies["correct"] == sum(s["correct"] for s in analogies["sections"])
    (similarity,) = data["similarity"]
    assert similarity["pairs"] + similarity["oov"] == 353


def test_bad_corpus_input_is_one_line(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n...\n")
    assert "the corpus holds no words" in one_line_error(run("train", empty, "-o", tmp_path / "r"))
    small = tmp_path / "small.txt"
    small.write_text("a b c\na b\n")
    line = one_line_error(run("train", small, "-o", tmp_path / "r"))
    assert "field `--min-count`: no word occurs at least 5 times" in line and "lower --min-count (to 2" in line
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"caf\xe9 au lait\n" * 3)
    line = one_line_error(run("train", latin, "-o", tmp_path / "r", "--min-count", "1"))
    assert f"{latin} line 1: byte offset 3: expected UTF-8 text, found byte E9" in line
    assert "pass --errors replace" in line
    replaced = run("train", latin, "-o", tmp_path / "r", "--min-count", "1", "--errors", "replace", *FAST[:6])
    assert replaced.exit_code == 0, replaced.output
    assert "no such corpus" in one_line_error(run("train", tmp_path / "missing.txt", "-o", tmp_path / "r"))


def test_bad_evaluation_input_is_one_line(tmp_path):
    out = tmp_path / "run"
    assert run("train", LEE, "-o", out, *FAST).exit_code == 0
    missing = tmp_path / "questions.txt"
    assert "no such evaluation file" in one_line_error(run("evaluate", out, "--analogies", missing))
    bad = tmp_path / "bad.txt"
    bad.write_text(": family\nboy girl brother\n")
    line = one_line_error(run("evaluate", out, "--analogies", bad))
    assert f"{bad} line 2: expected 4 words" in line
    assert run("evaluate", out).exit_code == 2  # no evaluation file given


def test_dim_is_a_deprecated_name_of_vector_size(tmp_path):
    import embedscope

    out = tmp_path / "run"
    result = run("train", LEE, "-o", out, "--dim", "12", *FAST[2:])
    assert result.exit_code == 0, result.output
    assert "warning: --dim is deprecated: use --vector-size" in result.output
    assert embedscope.load(out).shape[1] == 12
    both = run("train", LEE, "-o", tmp_path / "both", "--dim", "12", "--vector-size", "8")
    assert both.exit_code == 2 and "give --vector-size only" in both.output
