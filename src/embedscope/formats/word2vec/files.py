"""word2vec text and binary, GloVe text and fastText .vec: sniffed and read in bulk, written as text or binary.
fastText .bin models (fasttext_bin.py) and gensim's own .save() files (gensim_native.py) are read from here too.

Text files hold one word per line followed by its D numbers (word2vec and fastText .vec start with a
`N D` header line; GloVe has none). Fields are separated by ASCII spaces only, as word2vec.c and gensim
read them: a word may hold any other character, tabs and non-breaking spaces included. A word with ASCII
spaces in it (GloVe 840B has a few) is kept whole, since every line ends with exactly D numbers. Reading
text is in text.py, binary in binary.py; `.gz` and `.bz2` files are read too.
"""

from __future__ import annotations

import codecs
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...embedding import Collection, Embedding
from ...errors import FormatError, ParameterError
from .binary import read_binary
from .shared import (
    damaged_compression,
    head,
    is_number,
    parse_header,
    path_is_compressed,
    payload_is_text,
    show,
)
from .text import read_text

log = logging.getLogger(__name__)

__all__ = ["path_is_compressed", "read", "read_word2vec", "sniff_variant", "write"]


def sniff_variant(path: Path) -> str:
    """Tell word2vec text, word2vec binary and GloVe apart by the header line and what follows the first word."""
    with damaged_compression(path):
        first, _, rest = head(path).partition(b"\n")
    parsed = parse_header(first)
    if parsed is not None:
        _, space, after = rest.partition(b" ")
        return "word2vec" if not space or payload_is_text(after, parsed[1]) else "word2vec-binary"
    tokens = first.rstrip().split(b" ")
    if len(tokens) >= 2 and is_number(tokens[-1]):
        return "glove"
    raise FormatError(
        f"cannot tell the format: the first line {show(first)} is neither a word2vec header `COUNT DIMENSIONS` "
        "nor a word followed by numbers (GloVe)",
        path=path,
        line=1,
        fix="name the format with --format",
    )


# -- reading -----------------------------------------------------------------------------------------
def read(path: Path, options: Any, fmt: str) -> Embedding | Collection:
    """Read `path` as `fmt`: "word2vec", "word2vec-binary", "glove", "fasttext" (.bin) or "gensim" (.kv, .model)."""
    name, errors = options.name, options.unicode_errors
    if fmt == "fasttext":
        from .fasttext_bin import read_fasttext

        return read_fasttext(path, name=name, unicode_errors=errors)
    if fmt == "gensim":
        from . import gensim_native

        return gensim_native.read(path, name=name)
    return read_word2vec(path, variant=fmt, name=name, unicode_errors=errors)


def read_word2vec(
    path: str | Path, *, variant: str | None = None, name: str | None = None, unicode_errors: str | None = None
) -> Embedding:
    """Read word2vec text/binary or GloVe text; `unicode_errors` ("strict", "replace", "ignore") as gensim's."""
    p = Path(path)
    with damaged_compression(p):
        return _read_word2vec(p, variant or sniff_variant(p), name, unicode_errors or "strict")


def _read_word2vec(p: Path, variant: str, name: str | None, errors: str) -> Embedding:
    head(p)  # an empty file, or one in UTF-16, is an error whatever the variant
    try:
        codecs.lookup_error(errors)
    except LookupError:
        raise ParameterError(
            f"unknown unicode_errors {errors!r}", field="unicode_errors", fix="choose strict, replace or ignore"
        ) from None
    if variant == "word2vec-binary":
        words, vectors = read_binary(p, errors)
    elif variant in ("word2vec", "glove"):
        has_header = variant == "word2vec"
        binary = has_header and sniff_variant(p) == "word2vec-binary"
        words, vectors = read_text(p, errors, has_header=has_header, binary=binary)
    else:
        raise FormatError(f"unknown word2vec variant {variant!r}", path=p, fix="use word2vec, word2vec-binary or glove")
    stem = Path(p.name[: -len(p.suffix)] if path_is_compressed(p) else p.name).stem
    metadata = pa.table({"label": words})
    return Embedding(vectors, name=name or stem, metadata=metadata, label_column="label", source=str(p), checked=True)


# -- writing -----------------------------------------------------------------------------------------
def write(embedding: Embedding, path: Path, *, binary: bool = False) -> Path:
    """Write word2vec text (header line, shortest round-trip float32 numbers) or binary; labels are the words."""
    path = Path(path)
    words = embedding.labels
    for row, word in enumerate(words):
        if not word or any(c in word for c in " \n\r"):
            raise FormatError(
                f"label {word!r} of row {row + 1:,} cannot be a word2vec word (empty, or holds a space or line break)",
                path=path,
                fix="choose another --label-column, or replace spaces in the labels (with '_', say)",
            )
    vectors = np.asarray(embedding.vectors, dtype=np.float32)
    n, dim = vectors.shape
    with path.open("wb") as fh:
        fh.write(f"{n} {dim}\n".encode())
        chunk = _binary_chunk if binary else _text_chunk
        for start in range(0, n, 10_000):
            fh.write(chunk(words[start : start + 10_000], vectors[start : start + 10_000]))
    return path


def _binary_chunk(words: list[str], rows: np.ndarray) -> bytes:
    little = rows.astype("<f4", copy=False)
    return b"".join(w.encode() + b" " + v.tobytes() + b"\n" for w, v in zip(words, little, strict=True))


def _text_chunk(words: list[str], rows: np.ndarray) -> bytes:
    """Lines of `word v1 ... vD`, each float32 written as the shortest text that reads back to it."""
    columns = [pa.array(words, type=pa.string())]
    columns += [pc.cast(pa.array(rows[:, j]), pa.string()) for j in range(rows.shape[1])]
    return ("\n".join(pc.binary_join_element_wise(*columns, " ").to_pylist()) + "\n").encode()
