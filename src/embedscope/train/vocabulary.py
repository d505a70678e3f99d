"""The vocabulary: every kept word gets an integer id, the most frequent word id 0.

Ids follow gensim's order exactly (count descending; among words with the same count, the one seen first in
the corpus comes last), so an id here is the row of that word in a gensim model trained on the same corpus,
and the row of the trained table embedscope writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from ..errors import FormatError, NotFoundError, ParameterError
from .corpus import Tokenizer


@dataclass
class Vocabulary:
    """Words by id, their corpus counts, and the tokenizer that made them (used again by `word_ids`)."""

    words: list[str]
    counts: np.ndarray  # int64, counts[i] is how often words[i] occurs in the corpus
    tokenizer: Tokenizer = field(default_factory=Tokenizer)
    corpus_words: int = 0  # every token of the corpus, kept or not
    corpus_sentences: int = 0
    distinct_words: int = 0  # before min_count and max_vocab
    min_count: int = 1
    first_seen: list[str] = field(default_factory=list, repr=False)  # kept words in order of first appearance

    def __post_init__(self) -> None:
        self._index = {word: i for i, word in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._index

    def __repr__(self) -> str:
        return (
            f"Vocabulary({len(self):,} words of {self.distinct_words:,} distinct, min_count={self.min_count}, "
            f"corpus {self.corpus_words:,} words in {self.corpus_sentences:,} sentences)"
        )

    @classmethod
    def build(
        cls,
        sentences: Iterable[Sequence[str]],
        *,
        min_count: int = 5,
        max_vocab: int | None = None,
        tokenizer: Tokenizer | None = None,
        source: str | None = None,
    ) -> Vocabulary:
        """Count the words of `sentences` (one pass) and keep those occurring at least `min_count` times, at most
        `max_vocab` of them (the most frequent)."""
        if min_count < 1:
            raise ParameterError(f"`min_count` must be at least 1, got {min_count}", field="min_count")
        if max_vocab is not None and max_vocab < 1:
            raise ParameterError(f"`max_vocab` must be at least 1, got {max_vocab}", field="max_vocab")
        counter: Counter[str] = Counter()  # keeps first-appearance order, as gensim's scan does
        n_sentences = 0
        for sentence in sentences:
            counter.update(sentence)
            n_sentences += 1
        total = sum(counter.values())
        if total == 0:
            raise FormatError(
                f"the corpus holds no words ({n_sentences:,} non-empty sentences)",
                path=source,
                fix="check the path; with --no-lowercase/--punctuation options, check the tokenisation",
            )
        first_seen = [w for w, c in counter.items() if c >= min_count]
        if not first_seen:
            word, top = counter.most_common(1)[0]
            raise ParameterError(
                f"no word occurs at least {min_count:,} times: the corpus has {len(counter):,} distinct words, "
                f"the most frequent ({word!r}) occurs {top:,} times",
                path=source,
                field="min_count",
                fix=f"lower min_count (to {top} or less), or train on a larger corpus",
            )
        order = _gensim_order(np.fromiter((counter[w] for w in first_seen), np.int64, len(first_seen)))
        if max_vocab is not None and len(order) > max_vocab:
            order = order[:max_vocab]
            kept = set(order.tolist())
            first_seen = [w for i, w in enumerate(first_seen) if i in kept]
            order = _gensim_order(np.fromiter((counter[w] for w in first_seen), np.int64, len(first_seen)))
        words = [first_seen[i] for i in order]
        return cls(
            words=words,
            counts=np.fromiter((counter[w] for w in words), np.int64, len(words)),
            tokenizer=tokenizer or Tokenizer(),
            corpus_words=total,
            corpus_sentences=n_sentences,
            distinct_words=len(counter),
            min_count=min_count,
            first_seen=first_seen,
        )

    # -- lookups ---------------------------------------------------------------------------------------------
    def id_of(self, word: str) -> int | None:
        return self._index.get(word)

    def tokens(self, sentence: str | Sequence[str]) -> list[str]:
        """The sentence as the corpus was split: a string goes through the tokenizer; a list is taken as is."""
        return self.tokenizer(sentence) if isinstance(sentence, str) else list(sentence)

    def word_ids(self, sentence: str | Sequence[str], *, unknown: str | int = "skip") -> list[int]:
        """The ids of a sentence's words, as the guide feeds them to `embedding_lookup`.

        Words not in the vocabulary are left out (`unknown="skip"`, what training does with them), raise
        NotFoundError (`"error"`), or get the id given (an int).
        """
        out: list[int] = []
        for token in self.tokens(sentence):
            i = self._index.get(token)
            if i is not None:
                out.append(i)
            elif unknown == "error":
                raise NotFoundError(
                    f"{token!r} is not in the vocabulary of {len(self):,} words",
                    fix=f"words occurring fewer than {self.min_count} times are left out; lower min_count",
                )
            elif isinstance(unknown, int) and not isinstance(unknown, bool):
                out.append(unknown)
            elif unknown != "skip":
                raise ParameterError(f"`unknown` must be 'skip', 'error' or an int, got {unknown!r}", field="unknown")
        return out

    def metadata(self) -> pa.Table:
        """The projector metadata: columns Word and Frequency, row i for id i."""
        return pa.table({"Word": pa.array(self.words, pa.string()), "Frequency": pa.array(self.counts, pa.int64())})

    def raw_counts(self) -> dict[str, int]:
        """Kept words and counts in order of first appearance: gensim's `build_vocab_from_freq` then numbers
        them exactly as its own corpus scan would."""
        return {w: int(self.counts[self._index[w]]) for w in self.first_seen}

    def to_dict(self) -> dict[str, object]:
        return {
            "size": len(self),
            "distinct_words": self.distinct_words,
            "corpus_words": self.corpus_words,
            "corpus_sentences": self.corpus_sentences,
            "min_count": self.min_count,
            "tokenizer": self.tokenizer.to_dict(),
        }


def _gensim_order(counts: np.ndarray) -> np.ndarray:
    """Positions sorted by count descending, ties by position descending (gensim's sort_by_descending_frequency)."""
    positions = np.arange(len(counts))
    return np.lexsort((-positions, -counts))
