"""Evaluation scores as text tables, for the command line."""

from __future__ import annotations

from pathlib import Path

from .evaluate import AnalogyScores, SimilarityScores


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def render_analogies(scores: AnalogyScores) -> str:
    """Per section: correct, evaluated and accuracy; then the overall line and the out-of-vocabulary count."""
    name = Path(scores.path).name
    lines = [f"analogies {name}: 3CosAdd over the {scores.restrict_vocab:,} most frequent words"]
    width = max([len("section"), len("overall")] + [len(s.name) for s in scores.sections])
    lines.append(f"  {'section':<{width}}  {'correct':>8}  {'total':>8}  {'accuracy':>8}")
    rows = [(s.name, s.correct, s.total, s.accuracy) for s in scores.sections]
    rows.append(("overall", scores.correct, scores.total, scores.accuracy))
    for label, correct, total, accuracy in rows:
        lines.append(f"  {label:<{width}}  {correct:>8,}  {total:>8,}  {_percent(accuracy):>8}")
    lines.append(
        f"  skipped (a word out of vocabulary): {scores.oov:,} of {scores.questions:,} questions "
        f"({_percent(scores.oov_ratio)})"
    )
    return "\n".join(lines)


def render_similarity(scores: SimilarityScores) -> str:
    name = Path(scores.path).name
    counts = f"{scores.pairs:,} pairs, {scores.oov:,} skipped (a word out of vocabulary, {_percent(scores.oov_ratio)})"
    if scores.spearman is None or scores.pearson is None:
        return f"similarity {name}: no correlation (fewer than 2 pairs in the vocabulary); {counts}"
    return (
        f"similarity {name}: Spearman {scores.spearman:.4f} (p {scores.spearman_pvalue:.2g}), "
        f"Pearson {scores.pearson:.4f}; {counts}"
    )
