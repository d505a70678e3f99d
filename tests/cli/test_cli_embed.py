"""`embedscope embed`, `neighbors --text` and `serve --text-column` (cli/embed.py, data.py, serve.py) on King James
verses with the real MiniLM; errors are one line and exit 1."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kjv import needs_bible, verses

pytest.importorskip("sentence_transformers", reason="the embed extra: pip install 'embedscope[embed]'")

from embedscope.cli import cli


@pytest.fixture
def table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    books, texts = verses({"Ge"})
    path = tmp_path / "genesis.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["book", "verse"])
        out.writerows(zip(books[:120], texts[:120], strict=True))
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@needs_bible
def test_embed_then_search_by_meaning(table: Path, tmp_path: Path) -> None:
    out = tmp_path / "genesis.parquet"
    result = run("embed", str(table), "-o", str(out), "--text-column", "verse")
    assert result.exit_code == 0, result.output
    assert "embedded 120 texts with all-MiniLM-L6-v2 on cpu" in result.output
    assert "120 computed, 0 from the cache" in result.output
    assert f"wrote 120 x 384 to {out} (label column `verse`)" in result.output
    again = run("embed", str(table), "-o", str(out), "--text-column", "verse")
    assert "0 computed, 120 from the cache" in again.output
    found = run("neighbors", str(out), "--text", "the serpent deceived the woman", "-k", "3", "--json")
    assert found.exit_code == 0, found.output
    labels = [n["label"] for n in json.loads(found.output)["neighbors"]]
    assert any("serpent" in label for label in labels)
    info = run("info", str(out))
    assert "book (string), verse (string); labels from `verse`" in info.output


@needs_bible
def test_mistakes_are_one_line(table: Path, tmp_path: Path) -> None:
    bad = run("embed", str(table), "-o", str(tmp_path / "out.csv"))
    assert bad.exit_code == 1 and "the output is a .parquet file" in bad.output
    which = run("embed", str(table), "-o", str(tmp_path / "o.parquet"), "--text-column", "chapter")
    assert which.exit_code == 1 and "no column `chapter` to embed" in which.output and "`--text-column`" in which.output
    model = run("embed", str(table), "-o", str(tmp_path / "o.parquet"), "--model", "no-org/no-model")
    assert model.exit_code == 1 and "--allow-download" in model.output
    assert len(model.output.strip().splitlines()) == 1


def test_words_of_a_word_table_are_averaged(tmp_path: Path) -> None:
    from embedscope.demo import minilm_tokens

    minilm_tokens().subset(range(2000, 8000)).save(tmp_path / "tokens.parquet")
    found = run("neighbors", str(tmp_path / "tokens.parquet"), "--text", "king queen zzzq", "-k", "3", "--json")
    assert found.exit_code == 0, found.output
    assert "not in this embedding, left out: zzzq" in found.output
