"""Search by meaning with the model that made the vectors: the verse that says it comes first; a model of another
length is refused; an empty or over-long text is refused."""

from __future__ import annotations

import pytest

pytest.importorskip("sentence_transformers", reason="the embed extra: pip install 'embedscope[embed]'")

import numpy as np

from embedscope import Embedding
from embedscope.embed import embed, load_model
from embedscope.embed.search import search_meaning
from embedscope.errors import ParameterError

VERSES = [
    "In the beginning God created the heaven and the earth.",
    "Now the serpent was more subtil than any beast of the field.",
    "Blessed are the meek: for they shall inherit the earth.",
    "And Noah builded an altar unto the LORD.",
]


def test_the_model_that_made_the_vectors_embeds_the_text(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path))
    emb = embed(VERSES, model=load_model())
    found = search_meaning(emb, "a snake in the garden", k=2)
    assert found.how == "model" and found.model == "all-MiniLM-L6-v2"
    assert found.neighbors[0].label == VERSES[1] and found.neighbors[0].angle < 90
    other = Embedding(np.ones((4, 8), dtype=np.float32), model=emb.model)
    with pytest.raises(ParameterError, match="makes 384 numbers, these vectors have 8"):
        search_meaning(other, "anything")
    with pytest.raises(ParameterError, match="type a text"):
        search_meaning(emb, "  ")
    with pytest.raises(ParameterError, match="over 2,000"):
        search_meaning(emb, "x" * 2001)
