import numpy as np
import pyarrow as pa
import pytest
from gensim.models import KeyedVectors

from embedscope.embedding import Embedding
from embedscope.errors import FormatError, NotFoundError
from embedscope.train.corpus import Corpus
from embedscope.train.evaluate import evaluate_analogies, evaluate_similarity
from embedscope.train.word2vec import train_word2vec


@pytest.fixture(scope="module")
def lee_model(lee):
    """word2vec on lee_background.cor with case kept (so that case variants of one word are separate rows)."""
    return train_word2vec(Corpus(lee, lowercase=False), min_count=1, vector_size=32, epochs=3, workers=2, seed=1)


def keyed(emb: Embedding) -> KeyedVectors:
    kv = KeyedVectors(emb.dim)
    kv.add_vectors(emb.labels, np.asarray(emb.vectors))
    return kv


def gensim_sections(kv, path, restrict):
    _, sections = kv.evaluate_word_analogies(str(path), restrict_vocab=restrict)
    return [(s["section"], len(s["correct"]), len(s["incorrect"])) for s in sections]


@pytest.mark.parametrize("restrict", [30_000, 2_000])
def test_analogies_same_numbers_as_gensim(lee_model, questions, restrict):
    ours = evaluate_analogies(lee_model, questions, restrict_vocab=restrict)
    expected = gensim_sections(keyed(lee_model), questions, restrict)
    assert [(s.name, s.correct, s.incorrect) for s in ours.sections] == expected[:-1]
    assert ("Total accuracy", ours.correct, ours.total - ours.correct) == expected[-1]
    assert ours.questions == 19_544 and ours.total > 100


def test_analogies_planted_answers_and_case_variants_as_gensim(tmp_path):
    """Answers planted as b - a + c, with case variants of question words among the nearest rows."""
    rng = np.random.default_rng(0)
    words = ["king", "man", "woman", "queen", "paris", "france", "italy", "rome", "Man", "KING", "rome2"]
    vectors = rng.standard_normal((len(words) + 40, 8)).astype(np.float32)
    vectors[3] = vectors[0] - vectors[1] + vectors[2]  # queen
    vectors[7] = vectors[4] - vectors[5] + vectors[6]  # rome
    vectors[8] = vectors[1] * 1.01  # Man: a case variant of a question word, nearest to... itself only
    vectors[9] = vectors[3] + 0.01  # KING: a case variant of `king`, right next to the answer
    labels = words + [f"w{i}" for i in range(40)]
    emb = Embedding(vectors, metadata=pa.table({"word": labels}))
    path = tmp_path / "q.txt"
    path.write_text(
        ": royal\nman king woman queen\nMAN KING WOMAN QUEEN\nking queen man woman\n"
        ": capitals\nfrance paris italy rome\nfrance paris italy rome2\nfrance paris spain madrid\n"
    )
    ours = evaluate_analogies(emb, path)
    expected = gensim_sections(keyed(emb), path, 30_000)
    assert [(s.name, s.correct, s.incorrect) for s in ours.sections] == expected[:-1]
    assert ours.sections[0].correct >= 2 and ours.sections[1].correct == 1 and ours.sections[1].oov == 1
    sensitive = evaluate_analogies(emb, path, case_insensitive=False)
    _, gensim_sensitive = keyed(emb).evaluate_word_analogies(str(path), case_insensitive=False)
    assert [s.correct for s in sensitive.sections] == [len(s["correct"]) for s in gensim_sensitive[:-1]]


@pytest.mark.parametrize("restrict", [30_000, 1_000])
def test_word_pairs_same_numbers_as_gensim(lee_model, wordsim, restrict):
    ours = evaluate_similarity(lee_model, wordsim, restrict_vocab=restrict)
    pearson, spearman, oov_percent = keyed(lee_model).evaluate_word_pairs(str(wordsim), restrict_vocab=restrict)
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-12)
    assert ours.spearman_pvalue == pytest.approx(spearman.pvalue, rel=1e-9)
    assert ours.pearson == pytest.approx(pearson.statistic, abs=1e-12)
    assert 100 * ours.oov_ratio == pytest.approx(oov_percent, abs=1e-12)
    assert ours.pairs + ours.oov == 353


def test_bad_evaluation_files(lee_model, tmp_path):
    with pytest.raises(NotFoundError, match="no such evaluation file"):
        evaluate_analogies(lee_model, tmp_path / "missing.txt")
    bad = tmp_path / "three.txt"
    bad.write_text(": family\nboy girl brother sister\nboy girl brother\n")
    with pytest.raises(FormatError) as info:
        evaluate_analogies(lee_model, bad)
    assert (info.value.path, info.value.line) == (str(bad), 3)
    assert "expected 4 words" in info.value.message and "found 3" in info.value.message
    headless = tmp_path / "headless.txt"
    headless.write_text("boy girl brother sister\n")
    with pytest.raises(FormatError, match="before the first section line"):
        evaluate_analogies(lee_model, headless)
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("# comment\ntiger\tcat\t7.35\ntiger cat 7.35\n")
    with pytest.raises(FormatError) as info:
        evaluate_similarity(lee_model, pairs)
    assert info.value.line == 3 and "expected 3 tab-separated fields" in info.value.message
    pairs.write_text("tiger\tcat\tseven\n")
    with pytest.raises(FormatError, match="expected a number as the score, found 'seven'"):
        evaluate_similarity(lee_model, pairs)
    latin = tmp_path / "latin.tsv"
    latin.write_bytes(b"caf\xe9\tcat\t1\n")
    with pytest.raises(FormatError, match="expected UTF-8 text"):
        evaluate_similarity(lee_model, latin)


def test_no_pair_in_vocabulary_gives_no_correlation(lee_model, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("zzzq\tqqqz\t1.0\n")
    scores = evaluate_similarity(lee_model, pairs)
    assert (scores.pairs, scores.oov, scores.spearman) == (0, 1, None)
