"""Names for clusters, from a metadata column: what a reader of the map would call each one.

Three kinds of column, told apart by ``label_kind``:
- **text** (sentences, verses, titles: three words or more a row, on average): the words that set a cluster apart,
  by class-based TF-IDF (each cluster's rows as one document; scikit-learn's CountVectorizer, English stop words
  out): a word's share of the cluster's words times log(1 + average words per cluster / the word's count overall),
  among the words commoner in the cluster than in the other clusters;
- **categorical** (values shared by several rows each: a book, a digit, a language): the dominant values and their
  share, `Genesis 62%, Exodus 21%` (`Psalms` alone from PURE);
- **members** (one name a row: a vocabulary): the members nearest the cluster's mean direction in the original
  space (cosine), its most typical names.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TOP = 3  # words, values or members a label names
TEXT_WORDS = 3.0  # average words a row from which a column is text
SHARED = 4  # rows a value has on average from which a column is categorical
TEXT_SAMPLE = 200_000  # rows of a text column read for the labels (a seeded sample beyond)
MEMBER_SAMPLE = 50_000  # members of one cluster scored for its typical names (a seeded sample beyond)
MIN_SHARE = 0.1  # a categorical value named after the first needs this share of its cluster
PURE = 0.95  # a cluster with this share of one value is named by it alone

Terms = list[tuple[str, float]]


def label_kind(values: Sequence[str]) -> str:
    """text, categorical or members (see the module's text)."""
    filled = [v for v in values if v]
    if not filled:
        return "members"
    if len(set(filled)) * SHARED <= len(filled):
        return "categorical"
    step = max(1, len(filled) // 10_000)
    words = np.mean([len(v.split()) for v in filled[::step]])
    return "text" if words >= TEXT_WORDS else "members"


def name(terms: Terms, kind: str) -> str:
    """A label's text from its terms: `lord, israel, king`; `Genesis 62%, Exodus 21%`."""
    if kind == "categorical":
        if terms and terms[0][1] >= PURE:
            return terms[0][0]
        return ", ".join(f"{t} {s:.0%}" for t, s in terms)
    return ", ".join(t for t, _ in terms)


def text_terms(values: Sequence[str], groups: list[np.ndarray], *, random_state: int = 0) -> list[Terms]:
    """Each group's most distinctive words (class-based TF-IDF over the groups' rows)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    rows = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
    owner = np.concatenate([np.full(len(g), i) for i, g in enumerate(groups)]) if groups else rows
    if len(rows) > TEXT_SAMPLE:
        keep = np.sort(np.random.default_rng(random_state).choice(len(rows), TEXT_SAMPLE, replace=False))
        rows, owner = rows[keep], owner[keep]
    vectorizer = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{2,}\b", max_features=100_000)
    try:
        counts = vectorizer.fit_transform([values[int(r)] for r in rows])
    except ValueError:  # no word at all (every row empty or stop words)
        return [[] for _ in groups]
    onehot = sparse.csr_matrix((np.ones(len(owner)), (owner, np.arange(len(owner)))), shape=(len(groups), len(owner)))
    per_group = np.asarray((onehot @ counts).todense(), dtype=np.float64)
    words = vectorizer.get_feature_names_out()
    totals = per_group.sum(axis=1, keepdims=True)
    tf = per_group / np.maximum(totals, 1)
    average = totals.mean()
    idf = np.log1p(average / np.maximum(per_group.sum(axis=0), 1))
    rest = per_group.sum(axis=0) - per_group  # each word's count in the other groups
    rest_tf = rest / np.maximum(rest.sum(axis=1, keepdims=True), 1)
    score = np.where(tf > rest_tf, tf * idf, 0.0)  # only words commoner in the group than in the rest set it apart
    out: list[Terms] = []
    for row in score:
        best = np.argsort(-row, kind="stable")[:TOP]
        out.append([(str(words[j]), float(row[j])) for j in best if row[j] > 0])
    return out


def categorical_terms(values: Sequence[str], groups: list[np.ndarray]) -> list[Terms]:
    """Each group's most common values with their share (the first always; the next ones from MIN_SHARE)."""
    codes, uniques = _codes(values)
    out: list[Terms] = []
    for g in groups:
        counts = np.bincount(codes[g], minlength=len(uniques)) if len(g) else np.zeros(len(uniques))
        order = np.argsort(-counts, kind="stable")[:TOP]
        terms = [(uniques[j], counts[j] / max(len(g), 1)) for j in order if counts[j] > 0]
        out.append([(str(t), float(s)) for i, (t, s) in enumerate(terms) if i == 0 or s >= MIN_SHARE])
    return out


def member_terms(
    values: Sequence[str], groups: list[np.ndarray], vectors: np.ndarray, *, random_state: int = 0
) -> list[Terms]:
    """Each group's members nearest its mean direction (cosine to the mean of its unit rows)."""
    out: list[Terms] = []
    rng = np.random.default_rng(random_state)
    for g in groups:
        if len(g) == 0:
            out.append([])
            continue
        if len(g) > MEMBER_SAMPLE:
            g = rng.choice(g, MEMBER_SAMPLE, replace=False)
        unit = _unit(np.asarray(vectors[np.sort(g)], dtype=np.float32))
        mean = unit.mean(axis=0)
        mean /= max(float(np.linalg.norm(mean)), 1e-12)
        score = unit @ mean
        order = np.argsort(-score, kind="stable")
        rows = np.sort(g)[order]
        picked: Terms = []
        seen: set[str] = set()
        for r, s in zip(rows, score[order], strict=True):
            text = values[int(r)]
            if text and text not in seen:
                seen.add(text)
                picked.append((text, float(s)))
            if len(picked) == TOP:
                break
        out.append(picked)
    return out


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def _codes(values: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    index: dict[str, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64, count=len(values))
    return codes, list(index)


def unique_names(names: list[str]) -> list[str]:
    """The names with a number added to repeats (`sea, ship` then `sea, ship (2)`), so each names one cluster."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out
