"""The King James verses with their book, from Debian's `bible` command (bible-kjv), and vectors for them."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

needs_bible = pytest.mark.skipif(
    shutil.which("bible") is None, reason="no `bible` command: apt-get install bible-kjv (or `make setup` as root)"
)
_REFERENCE = re.compile(r"^(\w+?)(\d+):(\d+) (.*)$")


def verses(books: set[str] | None = None) -> tuple[list[str], list[str]]:
    """(book, text) of every verse, or of those of `books` (the command's abbreviations: Ge, Psa, Mat, Rev...)."""
    out = subprocess.run(["bible", "-f", "Gen1:1-Rev22:21"], capture_output=True, text=True, check=True).stdout
    found = [_REFERENCE.match(line) for line in out.splitlines() if line.strip()]
    rows = [(m.group(1), m.group(4)) for m in found if m is not None and (books is None or m.group(1) in books)]
    return [b for b, _ in rows], [t for _, t in rows]


def lsa(texts: list[str], dims: int = 64) -> np.ndarray:
    """Latent semantic vectors of the texts (TF-IDF, then truncated SVD: scikit-learn), float32."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(stop_words="english", min_df=2, sublinear_tf=True).fit_transform(texts)
    return TruncatedSVD(dims, random_state=0).fit_transform(tfidf).astype(np.float32)
