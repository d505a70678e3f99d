"""`embedscope train` and `embedscope evaluate`: word2vec on a corpus into a log dir, and intrinsic scores."""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..errors import EmbedscopeError
from .options import OPTION_NAMES, choose_options, json_out, read_kwargs, read_options

log = logging.getLogger("embedscope")


def _named_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Errors name options as typed on the command line (`--min-count`, not `min_count`)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except EmbedscopeError as exc:
            if exc.field in OPTION_NAMES:
                exc.field = OPTION_NAMES[exc.field]
            if exc.fix:
                for name, option in OPTION_NAMES.items():
                    exc.fix = exc.fix.replace(f"errors='replace' ({option} replace)", f"{option} replace")
                    exc.fix = exc.fix.replace(f"lower {name}", f"lower {option}")
            raise

    return wrapper


@click.command()
@click.argument("corpus")
@click.option(
    "-o",
    "--output",
    "run_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="RUN_DIR: the TensorBoard log dir to write (required unless only --show-ids).",
)
@click.option("--model", type=click.Choice(["skipgram", "cbow"]), default="skipgram", show_default=True)
@click.option("--vector-size", type=click.IntRange(1), default=100, show_default=True, help="Embedding size.")
@click.option("--dim", type=click.IntRange(1), hidden=True, help="Deprecated name of --vector-size.")
@click.option("--window", type=click.IntRange(1), default=5, show_default=True, help="Context words each side.")
@click.option("--epochs", type=click.IntRange(1), default=5, show_default=True, help="Passes over the corpus.")
@click.option("--negative", type=click.IntRange(1), default=5, show_default=True, help="Negative samples.")
@click.option("--min-count", type=click.IntRange(1), default=5, show_default=True, help="Rarer words are left out.")
@click.option("--max-vocab", type=click.IntRange(1), help="Keep at most this many words (the most frequent).")
@click.option("--sample", type=float, default=1e-3, show_default=True, help="Down-sampling of frequent words.")
@click.option("--alpha", type=float, default=0.025, show_default=True, help="Initial learning rate.")
@click.option("--workers", type=click.IntRange(1), help="Training threads [the CPUs available, at most 8].")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="Random seed.")
@click.option("--lowercase/--no-lowercase", default=True, show_default=True, help="Lower-case the text.")
@click.option("--punctuation/--no-punctuation", default=False, show_default=True, help="Keep punctuation tokens.")
@click.option(
    "--errors",
    type=click.Choice(["strict", "replace", "ignore"]),
    default="strict",
    show_default=True,
    help="Bytes that are not UTF-8: stop with an error, replace them, or drop them.",
)
@click.option("--snapshots", is_flag=True, help="Also keep the table after every epoch, as steps.")
@click.option("--show-ids", multiple=True, metavar="SENTENCE", help="Print the word ids of SENTENCE (repeatable).")
@click.option("--name", default="word2vec", show_default=True, help="Tensor name in the log dir.")
@_named_options
def train(
    corpus: str, run_dir: Path | None, show_ids: tuple[str, ...], snapshots: bool, name: str, **opts: Any
) -> None:
    """Train word2vec on CORPUS (a text file, a folder of them, or - for stdin) into RUN_DIR, a TensorBoard log dir."""
    from ..train.corpus import Corpus
    from ..train.vocabulary import Vocabulary
    from ..train.word2vec import Word2VecParams

    if run_dir is None and not show_ids:
        raise click.UsageError("give -o RUN_DIR (or only --show-ids SENTENCE to print word ids)")
    source = Corpus(
        corpus, lowercase=opts.pop("lowercase"), punctuation=opts.pop("punctuation"), errors=opts.pop("errors")
    )
    min_count, max_vocab = opts.pop("min_count"), opts.pop("max_vocab")
    _deprecated_dim(opts)
    params = Word2VecParams(**opts)
    params.check()
    with source, _status("counting words"):
        vocabulary = Vocabulary.build(
            source, min_count=min_count, max_vocab=max_vocab, tokenizer=source.tokenizer, source=source.source
        )
        log.info("%s", vocabulary)
        for sentence in show_ids:
            click.echo(_format_ids(vocabulary, sentence))
        if run_dir is not None:
            _train_into(source, vocabulary, params, run_dir, name=name, snapshots=snapshots)


def _deprecated_dim(opts: dict[str, Any]) -> None:
    """--dim, the old name of --vector-size, still works and says so."""
    dim = opts.pop("dim")
    if dim is None:
        return
    if click.get_current_context().get_parameter_source("vector_size") is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError("give --vector-size only (--dim is its deprecated name)")
    log.warning("--dim is deprecated: use --vector-size")
    opts["vector_size"] = dim


def _format_ids(vocabulary: Any, sentence: str) -> str:
    tokens = vocabulary.tokens(sentence)
    ids = [vocabulary.id_of(t) for t in tokens]
    text = f"word_ids({sentence!r}) = {[i for i in ids if i is not None]}"
    unknown = [t for t, i in zip(tokens, ids, strict=True) if i is None]
    if unknown:
        text += f"  (not in the vocabulary: {', '.join(unknown)})"
    return text


def _train_into(source: Any, vocabulary: Any, params: Any, run_dir: Path, *, name: str, snapshots: bool) -> None:
    from ..formats.tensorboard.writer import write
    from ..train.word2vec import EpochReport, train_word2vec

    history: list[EpochReport] = []
    started = time.perf_counter()
    snapshot = None
    if snapshots:
        from ..formats.tensorboard.snapshots import log_embedding

        def snapshot(epoch: int, emb: Any) -> None:
            log_embedding(run_dir, emb.vectors, name=name, metadata=emb.metadata, step=epoch)

    def on_epoch(report: EpochReport) -> None:
        history.append(report)
        log.info(
            "epoch %d/%d: loss %.6g, %s words/s",
            report.epoch,
            params.epochs,
            report.loss,
            f"{report.words_per_second:,.0f}",
        )

    with _progress_bar(params.epochs) as progress:
        emb = train_word2vec(
            source,
            vocabulary=vocabulary,
            params=params,
            name=name,
            progress=progress,
            on_epoch=on_epoch,
            snapshot=snapshot,
        )
    seconds = time.perf_counter() - started
    if not snapshots:
        write(emb, run_dir)
    words = vocabulary.corpus_words * params.epochs
    summary = {
        "corpus": source.source,
        "files": len(source.files),
        "vocabulary": vocabulary.to_dict(),
        "params": params.to_dict(),
        "tensor_name": name,
        "snapshots": snapshots,
        "seconds": seconds,
        "words_per_second": words / seconds if seconds > 0 else None,
        "epochs": [r.to_dict() for r in history],
    }
    (run_dir / "train.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    click.echo(
        f"trained {emb.shape[0]:,} x {emb.shape[1]} {params.model} vectors on {vocabulary.corpus_words:,} words "
        f"x {params.epochs} epochs in {seconds:.1f} s ({words / max(seconds, 1e-9):,.0f} words/s, "
        f"last epoch loss {history[-1].loss:.6g}); wrote {run_dir} (open it: embedscope serve {run_dir})"
    )


@contextmanager
def _status(text: str) -> Iterator[None]:
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(text):
        yield


@contextmanager
def _progress_bar(epochs: int) -> Iterator[Callable[[Any], None] | None]:
    """A rich bar with the epoch, words/s and the loss on stderr; nothing when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("epoch {task.fields[epoch]}/{task.fields[epochs]}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[speed]} words/s  loss {task.fields[loss]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("training", total=1.0, epoch=1, epochs=epochs, speed="-", loss="-")

        def update(item: Any) -> None:
            bar.update(
                task,
                completed=item.fraction,
                epoch=max(1, item.epoch),
                speed=f"{item.words_per_second:,.0f}",
                loss=f"{item.loss:.4g}",
            )

        yield update


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--analogies", type=click.Path(path_type=Path), multiple=True, help="Analogy questions file (repeatable)."
)
@click.option(
    "--similarity", type=click.Path(path_type=Path), multiple=True, help="Word-pair similarity file (repeatable)."
)
@click.option(
    "--restrict-vocab",
    type=click.IntRange(1),
    default=30_000,
    show_default=True,
    help="Only the first (most frequent) rows count.",
)
@click.option("--case-sensitive", is_flag=True, help="Match words exactly instead of ignoring case.")
@choose_options
@read_options
@json_out
@_named_options
def evaluate(
    path: Path,
    analogies: tuple[Path, ...],
    similarity: tuple[Path, ...],
    restrict_vocab: int,
    case_sensitive: bool,
    run: str | None,
    tensor: str | None,
    as_json: bool,
    **kwargs: Any,
) -> None:
    """Score PATH on analogy questions (3CosAdd accuracy) and word-pair similarity (Spearman correlation)."""
    from ..formats.registry import load
    from ..train.evaluate import _lines, evaluate_analogies, evaluate_similarity

    if not analogies and not similarity:
        raise click.UsageError("give --analogies FILE and/or --similarity FILE")
    for file in (*analogies, *similarity):
        next(_lines(file), None)  # a missing file fails before the embedding is loaded
    emb = load(path, run=run, tensor=tensor, **read_kwargs(kwargs))
    fold = not case_sensitive
    scores_a = [evaluate_analogies(emb, f, restrict_vocab=restrict_vocab, case_insensitive=fold) for f in analogies]
    scores_s = [evaluate_similarity(emb, f, restrict_vocab=restrict_vocab, case_insensitive=fold) for f in similarity]
    if as_json:
        payload = {
            "embedding": emb.name,
            "shape": list(emb.shape),
            "analogies": [s.to_dict() for s in scores_a],
            "similarity": [s.to_dict() for s in scores_s],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    from ..train.report import render_analogies, render_similarity

    for score in scores_a:
        click.echo(render_analogies(score))
    for item in scores_s:
        click.echo(render_similarity(item))
