"""Word2vec through gensim: corpus -> vocabulary -> training -> an Embedding (metadata columns Word, Frequency).

gensim gets the corpus as the same streamed iterable a user would give it, and the vocabulary through
`build_vocab_from_freq` in the order its own scan finds it, so with `workers=1` the table is identical to
`gensim.models.Word2Vec(corpus, ...)` with the same parameters and seed (more workers are not deterministic,
in gensim either).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..embedding import Embedding
from ..errors import ParameterError
from .corpus import Corpus
from .vocabulary import Vocabulary

log = logging.getLogger(__name__)

MODELS = ("skipgram", "cbow")
MIN_COUNT = 5  # rarer words are left out of the vocabulary
REPORT_SECONDS = 0.25  # the least time between two progress reports


@dataclass(frozen=True)
class TrainingProgress:
    """A progress report: `words` counts the corpus words handed to gensim so far, over all epochs."""

    epoch: int  # 1-based
    epochs: int
    words: int
    total_words: int
    words_per_second: float
    loss: float  # the current epoch's loss so far (gensim's running training loss)

    @property
    def fraction(self) -> float:
        return min(1.0, self.words / self.total_words) if self.total_words else 0.0


@dataclass(frozen=True)
class EpochReport:
    epoch: int  # 1-based
    loss: float  # gensim's training loss summed over the epoch
    words: int  # corpus words of the epoch
    seconds: float

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, float]:
        return {**asdict(self), "words_per_second": self.words_per_second}


@dataclass(frozen=True)
class Word2VecParams:
    """The training parameters, with gensim's defaults except `model` (skip-gram, as in the guide) and `seed`."""

    model: str = "skipgram"
    vector_size: int = 100  # gensim's name; the CLI's --vector-size
    window: int = 5
    epochs: int = 5
    negative: int = 5
    sample: float = 1e-3
    alpha: float = 0.025
    min_alpha: float = 0.0001
    workers: int | None = None  # None: the CPUs this process may use, at most 8
    seed: int = 0

    def check(self) -> None:
        if self.model not in MODELS:
            raise ParameterError(f"`model` must be one of {', '.join(MODELS)}, got {self.model!r}", field="model")
        least_values = (("vector_size", 1), ("window", 1), ("epochs", 1), ("negative", 1), ("workers", 1), ("seed", 0))
        for name, least in least_values:
            value = getattr(self, name)
            if value is not None and value < least:
                raise ParameterError(f"`{name}` must be at least {least}, got {value}", field=name)
        if not 0 <= self.sample < 1:
            raise ParameterError(f"`sample` must be in [0, 1), got {self.sample}", field="sample")
        if not self.alpha > 0 or not 0 <= self.min_alpha <= self.alpha:
            raise ParameterError(
                f"learning rates must satisfy 0 <= min_alpha <= alpha and alpha > 0, got alpha={self.alpha}, "
                f"min_alpha={self.min_alpha}",
                field="alpha",
            )

    @property
    def n_workers(self) -> int:
        if self.workers is not None:
            return self.workers
        try:
            available = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            available = os.cpu_count() or 1
        return max(1, min(8, available))

    def gensim_kwargs(self) -> dict[str, Any]:
        """The same parameters as gensim.models.Word2Vec keyword arguments."""
        return {
            "vector_size": self.vector_size,
            "window": self.window,
            "sg": int(self.model == "skipgram"),
            "hs": 0,
            "negative": self.negative,
            "sample": self.sample,
            "alpha": self.alpha,
            "min_alpha": self.min_alpha,
            "epochs": self.epochs,
            "workers": self.n_workers,
            "seed": self.seed,
            "compute_loss": True,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "workers": self.n_workers}


def train_word2vec(
    corpus: Corpus | str | os.PathLike[str] | Iterable[Sequence[str]],
    *,
    vocabulary: Vocabulary | None = None,
    params: Word2VecParams | None = None,
    min_count: int = MIN_COUNT,
    max_vocab: int | None = None,
    name: str = "word2vec",
    progress: Callable[[TrainingProgress], None] | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
    snapshot: Callable[[int, Embedding], None] | None = None,
    **options: Any,
) -> Embedding:
    """Train word2vec on `corpus` and return the table: row i is word id i, metadata columns Word and Frequency.

    `corpus` is a Corpus, a path (file, folder, or "-"), or a re-iterable of token lists. Parameters come as
    `params` or as keyword arguments (`model`, `vector_size`, `window`, `epochs`, `negative`, `sample`, `alpha`,
    `min_alpha`, `workers`, `seed`). `vocabulary` (from `Vocabulary.build`) skips the counting pass; otherwise
    `min_count` and `max_vocab` shape it. `progress` receives reports a few times a second, `on_epoch` one
    per epoch, and `snapshot(epoch, embedding)` the initial table (epoch 0) and the table after every epoch.
    """
    params = _params(params, options)
    from gensim import models as gensim_models  # imported here: it takes a second, and only training needs it

    if isinstance(corpus, str | os.PathLike):
        corpus = Corpus(corpus)
    elif iter(corpus) is corpus:
        raise ParameterError(
            "the corpus is a one-shot iterator, but word2vec reads it once per epoch (and once to count words)",
            field="corpus",
            fix="pass a list, a Corpus, or an object whose __iter__ starts over each time",
        )
    source = corpus.source if isinstance(corpus, Corpus) else None
    if vocabulary is None:
        tokenizer = corpus.tokenizer if isinstance(corpus, Corpus) else None
        vocabulary = Vocabulary.build(
            corpus, min_count=min_count, max_vocab=max_vocab, tokenizer=tokenizer, source=source
        )
    metadata = vocabulary.metadata()

    model = gensim_models.Word2Vec(min_count=1, **params.gensim_kwargs())
    model.build_vocab_from_freq(vocabulary.raw_counts(), corpus_count=vocabulary.corpus_sentences)
    rows = _rows(list(model.wv.index_to_key), vocabulary)

    def table() -> Embedding:
        vectors = np.array(model.wv.vectors if rows is None else model.wv.vectors[rows], dtype=np.float32)
        return Embedding(vectors, name=name, metadata=metadata, label_column="Word", source=source, checked=True)

    counted = _CountingCorpus(corpus, epochs=params.epochs, total=vocabulary.corpus_words, model=model)
    counted.report = progress
    watcher = _EpochWatcher(counted, on_epoch=on_epoch, snapshot=None if snapshot is None else (snapshot, table))
    if snapshot is not None:
        snapshot(0, table())  # step 0: the random initial table, to watch it change from there
    log.info("training %s on %s: %s", params.model, vocabulary, params.to_dict())
    model.train(
        counted,
        total_examples=vocabulary.corpus_sentences,
        total_words=vocabulary.corpus_words,
        epochs=params.epochs,
        start_alpha=params.alpha,
        end_alpha=params.min_alpha,
        compute_loss=True,
        callbacks=[watcher],
    )
    return table()


def train(
    corpus: Corpus | str | os.PathLike[str] | Iterable[Sequence[str]],
    *,
    vector_size: int = Word2VecParams.vector_size,
    window: int = Word2VecParams.window,
    epochs: int = Word2VecParams.epochs,
    min_count: int = MIN_COUNT,
    max_vocab: int | None = None,
    model: str = Word2VecParams.model,
    negative: int = Word2VecParams.negative,
    sample: float = Word2VecParams.sample,
    alpha: float = Word2VecParams.alpha,
    min_alpha: float = Word2VecParams.min_alpha,
    workers: int | None = Word2VecParams.workers,
    seed: int = Word2VecParams.seed,
    name: str = "word2vec",
) -> Embedding:
    """Train word2vec on `corpus` (a text file, a folder of them, or a list of token lists): `embedscope.train`.

    The parameters are gensim's (`vector_size`, `window`, `epochs`, `min_count`, ...), with skip-gram as the
    default `model`; `workers=1` with a fixed `seed` gives the same table as gensim. The result's rows are
    word ids, with metadata columns Word and Frequency. train_word2vec takes progress and snapshot callbacks.
    """
    params = Word2VecParams(
        model=model,
        vector_size=vector_size,
        window=window,
        epochs=epochs,
        negative=negative,
        sample=sample,
        alpha=alpha,
        min_alpha=min_alpha,
        workers=workers,
        seed=seed,
    )
    return train_word2vec(corpus, params=params, min_count=min_count, max_vocab=max_vocab, name=name)


def _params(params: Word2VecParams | None, options: dict[str, Any]) -> Word2VecParams:
    if params is not None and options:
        raise ParameterError(f"give either `params` or keyword options, not both (got {sorted(options)})")
    if "dim" in options:  # the name before vector_size (gensim's)
        log.warning("word2vec option `dim` is deprecated: call it `vector_size`")
        if "vector_size" in options:
            raise ParameterError("give `vector_size` only (`dim` is its deprecated name)", field="dim")
        options = {("vector_size" if name == "dim" else name): value for name, value in options.items()}
    if params is None:
        fields = set(Word2VecParams.__dataclass_fields__)
        stray = sorted(set(options) - fields)
        if stray:
            raise ParameterError(
                f"unknown word2vec option `{stray[0]}`", field=stray[0], fix=f"choose among {sorted(fields)}"
            )
        params = Word2VecParams(**options)
    params.check()
    return params


def _rows(gensim_words: list[str], vocabulary: Vocabulary) -> np.ndarray | None:
    """None when gensim numbered the words as the vocabulary does (always, so far), else the row permutation."""
    if gensim_words == vocabulary.words:
        return None
    index = {w: i for i, w in enumerate(gensim_words)}
    return np.array([index[w] for w in vocabulary.words], dtype=np.int64)


class _CountingCorpus:
    """The corpus as gensim iterates it, counting words to report progress (words/s and the loss so far)."""

    def __init__(self, corpus: Iterable[Sequence[str]], *, epochs: int, total: int, model: Any) -> None:
        self.corpus = corpus
        self.epochs = epochs
        self.total_words = total * epochs
        self.model = model
        self.epoch = 0
        self.words = 0
        self.started = time.perf_counter()
        self.report: Callable[[TrainingProgress], None] | None = None

    def __iter__(self) -> Iterator[Sequence[str]]:
        report = self.report
        if report is None:
            yield from self.corpus
            return
        due = time.perf_counter() + REPORT_SECONDS
        for sentence in self.corpus:
            self.words += len(sentence)
            yield sentence
            if time.perf_counter() >= due:
                report(self.progress())
                due = time.perf_counter() + REPORT_SECONDS

    def progress(self) -> TrainingProgress:
        elapsed = time.perf_counter() - self.started
        return TrainingProgress(
            epoch=self.epoch,
            epochs=self.epochs,
            words=self.words,
            total_words=self.total_words,
            words_per_second=self.words / elapsed if elapsed > 0 else 0.0,
            loss=float(self.model.running_training_loss),
        )


class _EpochWatcher:
    """gensim's callback protocol: the loss per epoch (reset at each epoch start), reports and snapshots."""

    def __init__(
        self,
        counted: _CountingCorpus,
        *,
        on_epoch: Callable[[EpochReport], None] | None,
        snapshot: tuple[Callable[[int, Embedding], None], Callable[[], Embedding]] | None,
    ) -> None:
        self.counted = counted
        self.on_epoch = on_epoch
        self.snapshot = snapshot
        self.epoch_started = 0.0

    def on_train_begin(self, model: Any) -> None:
        self.counted.started = time.perf_counter()

    def on_epoch_begin(self, model: Any) -> None:
        # gensim sums the loss over the whole train() call in float32; per epoch it stays meaningful for longer
        model.running_training_loss = 0.0
        self.counted.epoch += 1
        self.epoch_started = time.perf_counter()

    def on_epoch_end(self, model: Any) -> None:
        epoch = self.counted.epoch
        report = EpochReport(
            epoch=epoch,
            loss=float(model.running_training_loss),
            words=self.counted.total_words // self.counted.epochs,
            seconds=time.perf_counter() - self.epoch_started,
        )
        self.counted.words = epoch * report.words  # exact at the end of an epoch
        if self.counted.report is not None:
            self.counted.report(self.counted.progress())
        if self.on_epoch is not None:
            self.on_epoch(report)
        if self.snapshot is not None:
            write, table = self.snapshot
            write(epoch, table())

    def on_train_end(self, model: Any) -> None:
        pass
