"""word2vec binary: a `N D` header line, then per word: the word, a space, D little-endian float32 and
optionally a newline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from ...checks import BOM, as_float32, check_finite
from ...errors import FormatError
from .shared import bad_utf8, header, open_file, payload_is_text, show


def read_binary(path: Path, errors: str) -> tuple[pa.Array, np.ndarray]:
    """(words, float32 vectors) of a binary word2vec file; truncation and stray data are errors."""
    with open_file(path) as fh:
        data = fh.read()
    if not data.strip():
        raise FormatError("the file is empty", path=path, fix="write the vectors into it")
    skip = len(BOM) if data.startswith(BOM) else 0
    end = data.find(b"\n", skip)
    end = len(data) if end < 0 else end
    n, dim = header(path, data[skip:end])
    width, pos = 4 * dim, end + 1
    _check_declared(path, n, dim, len(data) - pos)
    raw = np.frombuffer(data, dtype=np.uint8)
    # a record takes at least width + 2 bytes: never allocate more rows than the file can hold
    vectors = np.empty((min(n, (len(data) - pos) // (width + 2) + 1), dim), dtype="<f4")
    out = vectors.view(np.uint8).reshape(-1, width)
    words: list[str] = []
    for i in range(n):
        while data[pos : pos + 1] == b"\n":
            pos += 1
        space = data.find(b" ", pos)
        if pos >= len(data) or space < 0:
            raise FormatError(
                f"truncated: the header says {n:,} words, the file ends after word {i:,}",
                path=path,
                fix="the file is cut short, or its header count is wrong: download or write it again",
            )
        word = data[pos:space]
        found = len(data) - space - 1
        if found < width:
            raise FormatError(
                f"truncated: word {i + 1:,} of {n:,} ({show(word)}) needs {width:,} bytes of vector, found {found:,}",
                path=path,
                fix="the file is cut short: download or write it again",
            )
        try:
            words.append(word.decode("utf-8", errors))
        except UnicodeDecodeError as exc:
            raise bad_utf8(path, word, exc, index=i) from None
        if i == 0 and payload_is_text(data[space + 1 : space + 1 + width], dim):
            raise FormatError("this is word2vec text, not binary", path=path, fix="use --format word2vec")
        out[i] = raw[space + 1 : space + 1 + width]
        pos = space + 1 + width
    if data[pos:].strip():
        raise FormatError(
            f"the header says {n:,} words, but more data follows word {n:,} (at byte {pos:,})",
            path=path,
            line=1,
            fix="correct the word count in the header line",
        )
    vectors = as_float32(vectors[:n])
    check_finite(vectors, path=path, labels=words)
    return pa.array(words, type=pa.string()), vectors


def _check_declared(path: Path, n: int, dim: int, have: int) -> None:
    """Refuse a header that declares more than the file holds, before anything is allocated for it."""
    need = n * (4 * dim + 1)  # each record: at least a space and its D float32
    if need > have:
        raise FormatError(
            f"truncated: the header says {n:,} words of {dim:,} numbers, which take at least {need:,} bytes, "
            f"but {have:,} bytes follow the header",
            path=path,
            line=1,
            fix="the file is cut short, or its header line is wrong: download or write it again",
        )
