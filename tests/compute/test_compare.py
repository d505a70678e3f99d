"""Two embeddings of the same items compared by their neighbourhoods (compute/compare.py), on real tables: MiniLM's
tokens against themselves with a little noise and shuffled, and the King James word2vec run at two epochs."""

from __future__ import annotations

import numpy as np
import pytest

from embedscope import Embedding, demo
from embedscope.compute.compare import compare, match
from embedscope.errors import ParameterError
from kjv import needs_bible


@pytest.fixture(scope="module")
def tokens() -> Embedding:
    """5,000 of MiniLM's word tokens (rows 2,000 to 6,999: past the [unused] ones, which all look alike)."""
    return demo.minilm_tokens().subset(np.arange(2000, 7000))


def test_a_table_against_itself_a_noisy_copy_and_a_shuffled_one(tokens):
    x = np.asarray(tokens.vectors)
    same = compare(tokens, tokens, k=10)
    assert same.mean_overlap == 1.0 and np.allclose(same.rank_correlation, 1.0)
    rng = np.random.default_rng(0)
    noisy = Embedding(
        x + rng.normal(scale=0.02 * float(x.std()), size=x.shape).astype(np.float32), metadata={"w": tokens.labels}
    )
    near = compare(tokens, noisy, k=10)
    assert near.mean_overlap > 0.95 and np.nanmean(near.rank_correlation) > 0.9
    shuffled = Embedding(x[rng.permutation(len(x))], metadata={"w": tokens.labels})
    far = compare(tokens, shuffled, k=10)
    assert far.mean_overlap < 3 * far.chance and far.chance == pytest.approx(10 / 4999)


def test_items_are_matched_by_label_and_those_in_one_only_are_listed(tokens):
    x = np.asarray(tokens.vectors)
    labels = tokens.labels
    other = Embedding(np.concatenate([x[100:], x[:3]]), metadata={"w": [*labels[100:], "zz1", "zz2", "zz3"]})
    result = compare(tokens, other, k=5)
    assert len(result.labels) == len(labels) - 100 and result.labels[0] == labels[100]
    assert result.only_a == labels[:100] and result.only_b == ["zz1", "zz2", "zz3"]
    assert np.array_equal(result.rows_b, np.arange(len(labels) - 100))
    table = result.table()
    assert table.column_names == ["label", "row_a", "row_b", "overlap", "rank_correlation"]
    rows_a, rows_b, _, _ = match(tokens, tokens, by="row")
    assert np.array_equal(rows_a, rows_b)


def test_wrong_comparisons_say_why(tokens):
    x = np.asarray(tokens.vectors[:10])
    twice = Embedding(x, metadata={"w": ["a"] * 2 + [str(i) for i in range(8)]})
    with pytest.raises(ParameterError, match="label 'a' more than once"):
        compare(twice, twice)
    with pytest.raises(ParameterError, match="as many rows in both"):
        compare(tokens, twice, by="row")
    with pytest.raises(ParameterError, match="`k` must be from 1 to"):
        compare(tokens, tokens, k=5000)
    apart = Embedding(x, metadata={"w": [f"x{i}" for i in range(10)]})
    with pytest.raises(ParameterError, match="share 0 item"):
        compare(tokens, apart)


@pytest.mark.slow
@needs_bible
def test_later_epochs_of_a_word2vec_run_are_nearer_the_last():
    emb = demo.kjv(train=True)
    assert emb is not None and emb.steps is not None
    steps = emb.steps.numbers
    first = compare(emb.at(steps[0]), emb, k=10).mean_overlap
    late = compare(emb.at(steps[-2]), emb, k=10)
    assert late.chance < first < late.mean_overlap < 1.0  # the neighbourhoods settle as training goes on
