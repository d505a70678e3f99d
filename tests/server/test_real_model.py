"""Opening a real model: MiniLM's model.safetensors (40 tensors) with its vocab.txt, from every command.

The metadata labels the tensor it fits (the word embeddings, 30,522 rows), not the first tensor; a file that fits
none names the tensor used and the sizes there are; `serve` takes --run/--tensor like every reading command, and
the server marks the embedding the loader chooses, so the page opens on it.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import embedscope.demo as demo
from embedscope.cli import cli
from embedscope.formats.registry import load, load_collection
from embedscope.server.launch import collect

WORDS = "embeddings.word_embeddings.weight"


@pytest.fixture(scope="module")
def minilm():
    folder = demo.minilm_path()
    return folder / "model.safetensors", folder / "vocab.txt"


def test_metadata_labels_the_tensor_it_fits(minilm):
    model, vocab = minilm
    emb = load(model, metadata=vocab)
    assert emb.name == WORDS and emb.labels[emb.resolve("blue")] == "blue" and emb.labels[0] == "[PAD]"
    collection = load_collection(model, metadata=vocab)
    assert collection.default() is collection.get(tensor=WORDS)
    others = [e for _, e in collection if e.name != WORDS]
    assert others and all(e.metadata is None or e.metadata.num_rows == len(e) for e in others)


def test_neighbors_with_the_vocab_from_the_cli(minilm):
    model, vocab = minilm
    result = CliRunner().invoke(cli, ["neighbors", str(model), "blue", "--metadata", str(vocab), "-k", "3"])
    assert result.exit_code == 0, result.output
    assert "\nblue: (red, 57.8°), (blues, 59.9°), (purple, 61.7°)\n" in result.output


def test_a_metadata_file_that_fits_no_tensor_names_the_one_used(minilm, tmp_path):
    model, _ = minilm
    short = tmp_path / "short.tsv"
    short.write_text("".join(f"w{i}\n" for i in range(100)))
    result = CliRunner().invoke(cli, ["info", str(model), "--metadata", str(short)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"for `{WORDS}`, 30,522 x 384" in result.output
    assert "no tensor here has 100 rows (sizes: 30,522, 1,536, 512, 384, 2)" in result.output


def test_serve_takes_run_and_tensor(minilm, monkeypatch):
    model, vocab = minilm
    served = {}

    def fake_run(collection, settings, **kwargs):  # stands in for uvicorn only: the collection is the real one
        served["collection"] = collection

    monkeypatch.setattr("embedscope.server.launch.serve", fake_run)
    args = ["serve", str(model), "--tensor", "embeddings.position_embeddings.weight", "--no-warm-up", "--port", "0"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    [(_, emb)] = list(served["collection"])
    assert emb.name == "embeddings.position_embeddings.weight" and emb.shape == (512, 384)
    assert len(collect([model], tensor=WORDS, metadata=vocab)) == 1


def test_the_server_marks_the_loaders_choice(minilm, make_client):
    model, vocab = minilm
    api = make_client(load_collection(model, metadata=vocab))
    runs = api.get("/api/runs").json()["runs"]
    chosen = [e["name"] for r in runs for e in r["embeddings"] if e["default"]]
    assert chosen == [WORDS]


def test_info_takes_run_and_tensor(minilm):
    model, vocab = minilm
    args = ["info", str(model), "--tensor", WORDS, "--metadata", str(vocab)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "1 embedding(s)" in result.output and "30,522 x 384" in result.output
