"""Every error is one bounded line, whatever it quotes (one error line once carried a 52 MB word)."""

from __future__ import annotations

import re

from embedscope.errors import FormatError, MetadataError, ParameterError


def test_a_50_mb_word_in_a_message_is_cut_with_an_ellipsis() -> None:
    word = "w" * (50 << 20)
    err = FormatError(f"expected 300 numbers, found 2 (row for {word!r})", path="vectors.txt", line=2, fix="fix it")
    text = err.describe()
    assert len(text) < 1000 and "…" in text
    assert text.startswith("vectors.txt line 2: expected 300 numbers, found 2 (row for 'www")
    assert re.search(r"…\(52,428,80\d characters\)…", text) and text.endswith("; fix it")
    assert len(str(err)) < 1000 and len(str(err.to_dict())) < 3000
    short = ParameterError("`k` must be at least 1, got 0", field="k", fix="choose k >= 1")
    assert short.describe() == "field `k`: `k` must be at least 1, got 0; choose k >= 1"  # short ones are untouched


def test_every_part_is_bounded_even_when_set_later() -> None:
    err = MetadataError("short", path="/data/" + "p" * 5000 + "/metadata.tsv", field="f" * 5000, fix="x " * 5000)
    err.message = "long " * 100_000  # readers add context to a message after it was raised
    text = err.describe()
    assert len(text) < 2000
    assert err.path is not None and err.path.endswith("/metadata.tsv") and "…" in err.path
    assert err.field is not None and len(err.field) < 300
