"""Intrinsic evaluation: analogy accuracy (3CosAdd) and word-similarity correlation (Spearman, Pearson).

Both follow gensim's `KeyedVectors.evaluate_word_analogies` and `evaluate_word_pairs` to the number: words
are matched case-insensitively (upper-cased; among case variants the most frequent row wins), only the first
`restrict_vocab` rows count (rows are taken to be in frequency order, as word2vec files and embedscope's
training write them; word2vec's compute-accuracy uses the 30,000 most frequent words, gensim 300,000),
questions and pairs with a word outside them are skipped and counted as out of vocabulary, and the
arithmetic is the same float32 arithmetic. Unlike gensim, a malformed line is an error naming the file and
line rather than a line silently skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..embedding import Embedding
from ..errors import FormatError, NotFoundError, ParameterError

RESTRICT_VOCAB = 30_000
TOP = 5  # gensim looks at the 5 best answers for the first one that is not a question word
BATCH = 512  # questions scored at once


@dataclass
class AnalogySection:
    name: str
    correct: int = 0
    incorrect: int = 0
    oov: int = 0  # questions skipped: a word outside the vocabulary

    @property
    def total(self) -> int:
        return self.correct + self.incorrect

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None

    def to_dict(self) -> dict[str, object]:
        return {
            "section": self.name,
            "correct": self.correct,
            "total": self.total,
            "accuracy": self.accuracy,
            "oov": self.oov,
        }


@dataclass
class AnalogyScores:
    path: str
    restrict_vocab: int
    sections: list[AnalogySection] = field(default_factory=list)

    @property
    def correct(self) -> int:
        return sum(s.correct for s in self.sections)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def oov(self) -> int:
        return sum(s.oov for s in self.sections)

    @property
    def questions(self) -> int:
        return self.total + self.oov

    @property
    def accuracy(self) -> float | None:
        """gensim's "Total accuracy": correct / evaluated, out-of-vocabulary questions left out."""
        return self.correct / self.total if self.total else None

    @property
    def oov_ratio(self) -> float:
        return self.oov / self.questions if self.questions else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "method": "3CosAdd",
            "restrict_vocab": self.restrict_vocab,
            "sections": [s.to_dict() for s in self.sections],
            "correct": self.correct,
            "total": self.total,
            "accuracy": self.accuracy,
            "questions": self.questions,
            "oov": self.oov,
            "oov_ratio": self.oov_ratio,
        }


@dataclass(frozen=True)
class SimilarityScores:
    path: str
    restrict_vocab: int
    pairs: int  # pairs scored
    oov: int  # pairs skipped: a word outside the vocabulary
    spearman: float | None
    spearman_pvalue: float | None
    pearson: float | None
    pearson_pvalue: float | None

    @property
    def oov_ratio(self) -> float:
        """Out-of-vocabulary pairs over all pairs (gensim returns this times 100)."""
        return self.oov / (self.pairs + self.oov) if self.pairs + self.oov else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "restrict_vocab": self.restrict_vocab,
            "pairs": self.pairs,
            "oov": self.oov,
            "oov_ratio": self.oov_ratio,
            "spearman": self.spearman,
            "spearman_pvalue": self.spearman_pvalue,
            "pearson": self.pearson,
            "pearson_pvalue": self.pearson_pvalue,
        }


# -- the vocabulary both evaluations use -------------------------------------------------------------------
class _Rows:
    """The first `restrict_vocab` rows: their float32 vectors and norms, and word -> row (first row wins)."""

    def __init__(self, embedding: Embedding, *, restrict_vocab: int, case_insensitive: bool) -> None:
        if restrict_vocab < 1:
            raise ParameterError(f"`restrict_vocab` must be at least 1, got {restrict_vocab}", field="restrict_vocab")
        n = min(restrict_vocab, len(embedding))
        self.vectors = np.ascontiguousarray(embedding.vectors[:n], dtype=np.float32)
        self.norms = np.linalg.norm(self.vectors, axis=1)
        self.fold = str.upper if case_insensitive else str
        labels = embedding.labels[:n]
        self.folded = [self.fold(label) for label in labels]
        self.index: dict[str, int] = {}
        for i, label in enumerate(self.folded):
            self.index.setdefault(label, i)


def _lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, str]]:
    """(line number, text) of a UTF-8 file; a missing file or undecodable line is an error naming it."""
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(
            "no such evaluation file" if not p.exists() else "the evaluation file is not a file",
            path=p,
            fix="give the path of a file such as questions-words.txt or wordsim353.tsv",
        )
    with p.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                yield number, raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise FormatError(
                    f"expected UTF-8 text, found byte {raw[exc.start : exc.start + 1].hex().upper()} "
                    f"at column {exc.start + 1}",
                    path=p,
                    line=number,
                    fix="convert the file to UTF-8",
                ) from None


# -- analogies ---------------------------------------------------------------------------------------------
def evaluate_analogies(
    embedding: Embedding,
    path: str | os.PathLike[str],
    *,
    restrict_vocab: int = RESTRICT_VOCAB,
    case_insensitive: bool = True,
) -> AnalogyScores:
    """Accuracy on analogy questions `a b c d` ("a is to b as c is to d"), grouped by `: section` lines.

    The answer is the word nearest (cosine) to b - a + c among the first `restrict_vocab` rows, a, b and c
    left out (3CosAdd); a question is right when that word is d.
    """
    rows = _Rows(embedding, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive)
    scores = AnalogyScores(path=str(path), restrict_vocab=restrict_vocab)
    batch: list[tuple[AnalogySection, list[str], list[int]]] = []
    for number, line in _lines(path):
        if line.startswith(": "):
            scores.sections.append(AnalogySection(line[2:].strip()))
            continue
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if not scores.sections:
            raise FormatError(
                f"a question before the first section line: {line.strip()!r}",
                path=path,
                line=number,
                fix="start the file with a section line such as `: capital-common-countries`",
            )
        if len(words) != 4:
            raise FormatError(
                f"expected 4 words (a b c d: a is to b as c is to d), found {len(words)}: {line.strip()!r}",
                path=path,
                line=number,
                fix="write one question per line, words separated by spaces",
            )
        section = scores.sections[-1]
        folded = [rows.fold(w) for w in words]
        ids = [rows.index.get(w, -1) for w in folded]
        if -1 in ids:
            section.oov += 1
            continue
        batch.append((section, folded, ids))
        if len(batch) == BATCH:
            _score(rows, batch)
            batch = []
    _score(rows, batch)
    return scores


def _score(rows: _Rows, batch: list[tuple[AnalogySection, list[str], list[int]]]) -> None:
    """Answer a batch of questions as gensim's most_similar(positive=[b, c], negative=[a], topn=5) does."""
    if not batch:
        return
    ids = np.array([q[2][:3] for q in batch], dtype=np.int64)  # a, b, c
    unit = rows.vectors[ids] / rows.norms[ids][..., None]  # float32, as gensim's get_vector(norm=True)
    mean = (unit[:, 1] + unit[:, 2]) - unit[:, 0]  # float32 sums in gensim's order: +b, +c, -a
    mean = mean.astype(np.float64) / 3.0
    mean = (mean / np.linalg.norm(mean, axis=1, keepdims=True)).astype(np.float32)
    dists = (rows.vectors @ mean.T) / rows.norms[:, None]  # rows x batch
    keep = min(TOP + 3, dists.shape[0])
    for j, (section, words, question) in enumerate(batch):
        column = dists[:, j]
        best = np.argpartition(-column, keep - 1)[:keep] if keep < len(column) else np.arange(len(column))
        best = best[np.argsort(-column[best], kind="stable")]
        answers = [int(i) for i in best if i not in question[:3]][:TOP]
        # the first answer that is not (a case variant of) a question word; failing that, gensim keeps the last
        predicted = None
        for i in answers:
            predicted = rows.folded[i]
            if predicted not in words[:3]:
                break
        if predicted == words[3]:
            section.correct += 1
        else:
            section.incorrect += 1


# -- word pairs ----------------------------------------------------------------------------------------------
def evaluate_similarity(
    embedding: Embedding,
    path: str | os.PathLike[str],
    *,
    restrict_vocab: int = RESTRICT_VOCAB,
    case_insensitive: bool = True,
    delimiter: str = "\t",
) -> SimilarityScores:
    """Spearman (and Pearson) correlation between the cosine similarity of word pairs and human scores.

    The file has one `word1<TAB>word2<TAB>score` per line; lines starting with `#` are comments.
    """
    from scipy import stats

    rows = _Rows(embedding, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive)
    gold: list[float] = []
    model: list[np.float32] = []  # kept float32, as gensim correlates them (its Pearson is float32 arithmetic)
    oov = 0
    for number, line in _lines(path):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\r\n").split(delimiter)
        shown = "tab" if delimiter == "\t" else repr(delimiter)
        if len(fields) != 3:
            raise FormatError(
                f"expected 3 {shown}-separated fields (word, word, score), found {len(fields)}: {line.strip()!r}",
                path=path,
                line=number,
                fix="write one pair per line: word1, word2 and a number",
            )
        try:
            score = float(fields[2])
        except ValueError:
            raise FormatError(
                f"expected a number as the score, found {fields[2].strip()!r}", path=path, line=number
            ) from None
        i, k = rows.index.get(rows.fold(fields[0])), rows.index.get(rows.fold(fields[1]))
        if i is None or k is None:
            oov += 1
            continue
        gold.append(score)
        model.append(_cosine(rows.vectors[i], rows.vectors[k]))
    spearman: tuple[float | None, float | None] = (None, None)
    pearson: tuple[float | None, float | None] = (None, None)
    if len(gold) >= 2:
        s = stats.spearmanr(gold, model)
        p = stats.pearsonr(gold, model)
        spearman, pearson = (float(s.statistic), float(s.pvalue)), (float(p.statistic), float(p.pvalue))
    return SimilarityScores(
        path=str(path),
        restrict_vocab=restrict_vocab,
        pairs=len(gold),
        oov=oov,
        spearman=spearman[0],
        spearman_pvalue=spearman[1],
        pearson=pearson[0],
        pearson_pvalue=pearson[1],
    )


def _cosine(u: np.ndarray, v: np.ndarray) -> np.float32:
    """Cosine as gensim's similarity(): each vector scaled in float64 by 1 / its norm, rounded to float32, then a
    float32 dot product."""
    from scipy.linalg.blas import dnrm2

    units = []
    for vec in (u, v):
        wide = vec.astype(np.float64)
        norm = float(dnrm2(wide))
        units.append((wide * (1.0 / norm)).astype(np.float32) if norm > 0 else vec)
    return np.float32(np.dot(units[0], units[1]))
