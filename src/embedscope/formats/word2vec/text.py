"""word2vec text, GloVe and fastText .vec: one word per line followed by its D numbers, separated by ASCII spaces.

Regular files are parsed in bulk by pyarrow's CSV reader; anything it refuses (blank lines, ragged rows,
bad numbers, words with spaces) is read again line by line, which either reads the irregular file or names
the exact line, column (the character on that line) and word that is wrong.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ...checks import BOM, check_not_wide, find_non_finite
from ...errors import FormatError
from ..text_lines import ARROW_MAX_COLUMNS, iter_lines, read_line
from .shared import bad_utf8, header, is_number, open_file, path_is_compressed

log = logging.getLogger(__name__)

_SAMPLE_LINES = 200
_FINITE_FIX = "NaN and infinity cannot be shown or compared: replace them (or drop the row) before loading"


def _sample(path: Path, has_header: bool) -> tuple[tuple[int, int] | None, int, list[bytes]]:
    """The header (if any), the byte offset where vectors begin, and the first lines of vectors."""
    with open_file(path) as fh:
        first = read_line(fh, path=path, number=1)
        skip = len(BOM) if first.startswith(BOM) else 0
        parsed = header(path, first[skip:]) if has_header else None
        lines = [] if has_header else [first[skip:]]
        lines += [raw for _, (_, raw) in zip(range(_SAMPLE_LINES), iter_lines(fh, path=path, start=2), strict=False)]
    return parsed, len(first) if has_header else skip, lines


def read_text(path: Path, errors: str, *, has_header: bool, binary: bool) -> tuple[pa.Array, np.ndarray]:
    """(words, float32 vectors) of a text file; `binary` says the sniffer took it for binary word2vec."""
    parsed, offset, sample = _sample(path, has_header)
    if binary:
        raise FormatError("this is binary word2vec, not text", path=path, fix="use --format word2vec-binary")
    check_not_wide(b"".join(sample)[:1024], path=path)
    first_line = 2 if has_header else 1
    counts = [len([f for f in raw.rstrip().split(b" ") if f]) - 1 for raw in sample if raw.strip()]
    if parsed is not None:
        n_expected, dim = parsed
        if dim == 0:
            raise FormatError("the header says 0 dimensions", path=path, line=1, fix="correct the header line")
    elif counts:
        n_expected, dim = None, Counter(counts).most_common(1)[0][0]
    else:
        n_expected, dim = None, 0
    if not counts or dim < 1:
        raise FormatError("no vectors found", path=path, line=first_line, fix="put one word and its numbers per line")
    trailing = next(raw for raw in sample if raw.strip()).rstrip(b"\r\n").endswith(b" ")
    try:
        if counts[0] != dim:
            raise pa.ArrowInvalid(f"the first line has {counts[0]} numbers, not {dim}")
        if dim > ARROW_MAX_COLUMNS:
            raise pa.ArrowInvalid(f"{dim:,} numbers per line are too many columns for pyarrow")
        words, vectors = _fast_text(path, offset, dim, trailing=trailing, errors=errors, first_line=first_line)
    except pa.ArrowInvalid as exc:
        words, vectors = _slow_text(path, dim, errors=errors, first_line=first_line)
        log.warning("%s is irregular (%s): read line by line, which is slower", path, str(exc).split("\n")[0][:200])
    if n_expected is not None and n_expected != len(words):
        raise FormatError(
            f"the header says {n_expected:,} words, found {len(words):,} lines of vectors",
            path=path,
            line=1,
            fix=f'correct the first line to "{len(words)} {dim}"',
        )
    return words, vectors


def _fast_text(
    path: Path, offset: int, dim: int, *, trailing: bool, errors: str, first_line: int
) -> tuple[pa.Array, np.ndarray]:
    names = ["word", *(str(j) for j in range(dim))] + (["_"] if trailing else [])
    types = {n: pa.float64() for n in names[1 : dim + 1]} | {"word": pa.binary()}
    read_opts = pacsv.ReadOptions(column_names=names, block_size=1 << 24)
    parse_opts = pacsv.ParseOptions(
        delimiter=" ", quote_char=False, double_quote=False, escape_char=False, ignore_empty_lines=False
    )
    convert_opts = pacsv.ConvertOptions(
        column_types=types, include_columns=names[: dim + 1], null_values=[], strings_can_be_null=False
    )
    if path_is_compressed(path):
        with open_file(path) as fh:
            stream: Any = pa.BufferReader(pa.py_buffer(fh.read())[offset:])
    else:
        stream = pa.memory_map(str(path))
        stream.seek(offset)
    try:
        table = pacsv.read_csv(stream, read_options=read_opts, parse_options=parse_opts, convert_options=convert_opts)
    finally:
        stream.close()
    vectors = np.empty((table.num_rows, dim), dtype=np.float32)
    with np.errstate(over="ignore"):  # too large for float32 becomes inf, refused below
        for j in range(dim):
            start = 0
            for chunk in table.column(j + 1).chunks:
                vectors[start : start + len(chunk), j] = chunk.to_numpy(zero_copy_only=False)
                start += len(chunk)
    words = _words(path, table.column(0), errors, first_line)
    bad = find_non_finite(vectors)
    if bad is not None:
        _raise_at_line(path, first_line + bad[0], dim, errors)
    return words, vectors


def _raise_at_line(path: Path, number: int, dim: int, errors: str) -> None:
    """Parse line `number` again, line by line, so that its error names the exact column."""
    with open_file(path) as fh:
        raw = next((line for at, line in iter_lines(fh, path=path) if at == number), b"")
    _parse_line(path, number, raw.removeprefix(BOM).rstrip(), dim, errors)
    raise FormatError("holds a value that is not a finite float32 number", path=path, line=number, fix=_FINITE_FIX)


def _words(path: Path, column: pa.ChunkedArray, errors: str, first_line: int) -> pa.Array:
    """The word column as UTF-8 strings; a bad byte is an error naming its line unless `errors` allows it."""
    binary = column.combine_chunks()
    try:
        return pc.cast(binary, pa.string())
    except pa.ArrowInvalid:
        pass
    words: list[str] = []
    for row, raw in enumerate(binary.to_pylist()):
        try:
            words.append(raw.decode("utf-8", errors))
        except UnicodeDecodeError as exc:
            raise bad_utf8(path, raw, exc, line=first_line + row) from None
    return pa.array(words, type=pa.string())


def _slow_text(path: Path, dim: int, *, errors: str, first_line: int) -> tuple[pa.Array, np.ndarray]:
    """Read line by line: exact, slow; raises at the first line that is wrong."""
    words: list[str] = []
    rows: list[np.ndarray] = []
    with open_file(path) as fh:
        for number, raw in iter_lines(fh, path=path):
            stripped = raw.removeprefix(BOM).rstrip() if number == 1 else raw.rstrip()
            if number >= first_line and stripped:
                word, row = _parse_line(path, number, stripped, dim, errors)
                words.append(word)
                rows.append(row)
    vectors = np.vstack(rows) if rows else np.empty((0, dim), dtype=np.float32)
    return pa.array(words, type=pa.string()), vectors


def _parse_line(path: Path, number: int, raw: bytes, dim: int, errors: str) -> tuple[str, np.ndarray]:
    try:
        text = raw.decode("utf-8", errors)
    except UnicodeDecodeError as exc:
        raise bad_utf8(path, raw, exc, line=number) from None
    fields = [f for f in text.split(" ") if f]
    extra = fields[1 : len(fields) - dim]
    if len(fields) - 1 < dim or (extra and all(is_number(f) for f in extra)):
        raise FormatError(
            f"expected {dim:,} numbers after the word, found {len(fields) - 1:,} (row for {fields[0]!r})",
            path=path,
            line=number,
            fix="every line needs the word and the same number of values",
        )
    word = " ".join(fields[: len(fields) - dim])
    values = np.empty(dim, dtype=np.float64)
    for j, token in enumerate(fields[len(fields) - dim :]):
        try:
            values[j] = float(token.replace("_", "!"))  # Python reads 1_000, other readers do not
        except ValueError:
            raise FormatError(
                f"expected a number, found {token!r} as number {j + 1:,} of {dim:,} (row for {word!r})",
                path=path,
                line=number,
                column=_column_of(text, len(fields) - dim + j),
                fix="fix or remove that value",
            ) from None
    with np.errstate(over="ignore"):
        row = values.astype(np.float32)
    if not np.isfinite(row).all():
        j = int(np.flatnonzero(~np.isfinite(row))[0])
        raise FormatError(
            f"holds {float(values[j])} as number {j + 1:,} of {dim:,}, expected a finite float32 number "
            f"(row for {word!r})",
            path=path,
            line=number,
            column=_column_of(text, len(fields) - dim + j),
            fix=_FINITE_FIX,
        )
    return word, row


def _column_of(text: str, field: int) -> int:
    """1-based character column where the `field`-th non-empty space-separated field of `text` begins."""
    starts = [i for i, c in enumerate(text) if c != " " and (i == 0 or text[i - 1] == " ")]
    return starts[field] + 1
