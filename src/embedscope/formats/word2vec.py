"""word2vec text and binary, GloVe text and fastText .vec: read in bulk, write text or binary.

Text files hold one word per line followed by its D numbers (word2vec and fastText .vec start with a
`N D` header line; GloVe has none). Fields are separated by ASCII spaces only, as word2vec.c and gensim
read them: a word may hold any other character, tabs and non-breaking spaces included. A word with ASCII
spaces in it (GloVe 840B has a few) is kept whole, since every line ends with exactly D numbers.

Regular files are parsed in bulk by pyarrow's CSV reader; anything it refuses (blank lines, ragged rows,
bad numbers, words with spaces) is read again line by line, which either reads the irregular file or names
the exact line, column and word that is wrong. Binary files hold, after the header, per word: the word, a
space, D little-endian float32 and optionally a newline. `.gz` and `.bz2` files are read too.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import logging
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..embedding import Embedding
from ..errors import FormatError, ParameterError

log = logging.getLogger(__name__)

BOM = b"\xef\xbb\xbf"
_NUMBER_BYTES = frozenset(b"0123456789+-.eEnNaAiIfFtTyY")
_SAMPLE_LINES = 200
_UNICODE_FIX = "if words were cut inside a character (common in word2vec.c output), read with unicode_errors='replace'"


def _open(path: Path) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    if name.endswith(".bz2"):
        return cast(IO[bytes], bz2.open(path, "rb"))
    return path.open("rb")


def _head(path: Path) -> bytes:
    with _open(path) as fh:
        head = fh.read(1 << 16)
    if not head.strip():
        raise FormatError("the file is empty", path=path, fix="write the vectors into it, one word per line")
    return head.removeprefix(BOM)


def _parse_header(line: bytes) -> tuple[int, int] | None:
    fields = line.split()
    if len(fields) == 2 and all(f.isdigit() for f in fields):
        return int(fields[0]), int(fields[1])
    return None


def _header(path: Path, line: bytes) -> tuple[int, int]:
    parsed = _parse_header(line)
    if parsed is None:
        raise FormatError(
            f"expected a header line `COUNT DIMENSIONS`, found {_show(line[:80])}",
            path=path,
            line=1,
            fix="word2vec files start with their word count and dimensions; use --format glove for text without one",
        )
    return parsed


def _is_number(token: bytes | str) -> bool:
    if isinstance(token, str):
        token = token.encode("utf-8", "replace")
    if not token or not set(token) <= _NUMBER_BYTES:
        return False
    try:
        float(token)
    except ValueError:
        return False
    return True


def _payload_is_text(payload: bytes, dim: int) -> bool:
    """Whether what follows the first word is numbers in text (else it is binary float32)."""
    tokens = payload.split(b"\n", 1)[0].rstrip(b" \r").split(b" ")
    return all(_is_number(t) for t in tokens) and (len(tokens) >= 2 or dim == 1)


def sniff_variant(path: Path) -> str:
    """Tell word2vec text, word2vec binary and GloVe apart by the header line and what follows the first word."""
    with _damaged_compression(path):
        first, _, rest = _head(path).partition(b"\n")
    header = _parse_header(first)
    if header is not None:
        _, space, after = rest.partition(b" ")
        return "word2vec" if not space or _payload_is_text(after, header[1]) else "word2vec-binary"
    tokens = first.rstrip().split(b" ")
    if len(tokens) >= 2 and _is_number(tokens[-1]):
        return "glove"
    raise FormatError(
        f"cannot tell the format: the first line {_show(first)} is neither a word2vec header `COUNT DIMENSIONS` "
        "nor a word followed by numbers (GloVe)",
        path=path,
        line=1,
        fix="name the format with --format",
    )


def _show(raw: bytes | str, limit: int = 60) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = text.rstrip("\r\n")
    return repr(text if len(text) <= limit else text[:limit] + "…")


# -- reading -----------------------------------------------------------------------------------------
def read(path: Path, options: Any, fmt: str) -> Embedding:
    """Read `path` as `fmt` ("word2vec", "word2vec-binary" or "glove")."""
    name, errors = options.name, options.unicode_errors
    return read_word2vec(path, variant=fmt, name=name, unicode_errors=errors)


def read_word2vec(
    path: str | Path, *, variant: str | None = None, name: str | None = None, unicode_errors: str | None = None
) -> Embedding:
    """Read word2vec text/binary or GloVe text; `unicode_errors` ("strict", "replace", "ignore") as gensim's."""
    p = Path(path)
    with _damaged_compression(p):
        return _read_word2vec(p, variant or sniff_variant(p), name, unicode_errors or "strict")


@contextmanager
def _damaged_compression(path: Path) -> Iterator[None]:
    """Turn the errors gzip/bz2 raise for damaged data into a FormatError."""
    try:
        yield
    except (zlib.error, EOFError, OSError) as exc:
        if not path_is_compressed(path):
            raise
        raise FormatError(f"the compressed data is damaged ({exc})", path=path, fix="download it again") from None


def _read_word2vec(p: Path, variant: str, name: str | None, errors: str) -> Embedding:
    _head(p)  # an empty file is an error whatever the variant
    try:
        codecs.lookup_error(errors)
    except LookupError:
        raise ParameterError(
            f"unknown unicode_errors {errors!r}", field="unicode_errors", fix="choose strict, replace or ignore"
        ) from None
    if variant == "word2vec-binary":
        words, vectors = _read_binary(p, errors)
    elif variant in ("word2vec", "glove"):
        words, vectors = _read_text(p, errors, header=variant == "word2vec")
    else:
        raise FormatError(f"unknown word2vec variant {variant!r}", path=p, fix="use word2vec, word2vec-binary or glove")
    stem = Path(p.name[: -len(p.suffix)] if path_is_compressed(p) else p.name).stem
    metadata = pa.table({"label": words})
    return Embedding(vectors, name=name or stem, metadata=metadata, label_column="label", source=str(p))


def _sample(path: Path, header: bool) -> tuple[tuple[int, int] | None, int, list[bytes]]:
    """The header (if any), the byte offset where vectors begin, and the first lines of vectors."""
    with _open(path) as fh:
        first = fh.readline()
        skip = len(BOM) if first.startswith(BOM) else 0
        parsed = _header(path, first[skip:]) if header else None
        lines = [] if header else [first[skip:]]
        lines += [raw for _, raw in zip(range(_SAMPLE_LINES), fh, strict=False)]
    return parsed, len(first) if header else skip, lines


def _read_text(path: Path, errors: str, *, header: bool) -> tuple[pa.Array, np.ndarray]:
    parsed, offset, sample = _sample(path, header)
    first_line = 2 if header else 1
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
    if header and sniff_variant(path) == "word2vec-binary":
        raise FormatError("this is binary word2vec, not text", path=path, fix="use --format word2vec-binary")
    trailing = next(raw for raw in sample if raw.strip()).rstrip(b"\r\n").endswith(b" ")
    try:
        if counts[0] != dim:
            raise pa.ArrowInvalid(f"the first line has {counts[0]} numbers, not {dim}")
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
        with _open(path) as fh:
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
    bad = _first_not_finite(vectors)
    if bad is not None:
        row, col = bad
        value = table.column(col + 1)[row].as_py()
        raise _not_finite(path, col, dim, str(words[row]), value, line=first_line + row)
    return words, vectors


def _first_not_finite(vectors: np.ndarray) -> tuple[int, int] | None:
    finite = np.isfinite(vectors).all(axis=1)
    if finite.all():
        return None
    row = int(np.flatnonzero(~finite)[0])
    return row, int(np.flatnonzero(~np.isfinite(vectors[row]))[0])


def path_is_compressed(path: Path) -> bool:
    return path.name.lower().endswith((".gz", ".bz2"))


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
            raise _bad_utf8(path, raw, exc, line=first_line + row) from None
    return pa.array(words, type=pa.string())


def _bad_utf8(
    path: Path, raw: bytes, exc: UnicodeDecodeError, *, line: int | None = None, index: int | None = None
) -> FormatError:
    what = "the line" if index is None else f"word {index + 1:,}"
    return FormatError(
        f"{what} {_show(raw)} is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
        path=path,
        line=line,
        column=None if line is None else len(raw[: exc.start].decode("utf-8", "replace")) + 1,
        fix=_UNICODE_FIX,
    )


def _not_finite(
    path: Path, col: int, dim: int, word: str, value: float, *, line: int | None = None, index: int | None = None
) -> FormatError:
    row = f"row for {word!r}" if index is None else f"word {index + 1:,}, {word!r}"
    return FormatError(
        f"expected finite float32 numbers, found {value} as number {col + 1:,} of {dim:,} ({row})",
        path=path,
        line=line,
        fix="replace NaN/Inf values (or drop the row) before loading",
    )


def _slow_text(path: Path, dim: int, *, errors: str, first_line: int) -> tuple[pa.Array, np.ndarray]:
    """Read line by line: exact, slow; raises at the first line that is wrong."""
    words: list[str] = []
    rows: list[np.ndarray] = []
    with _open(path) as fh:
        for number, raw in enumerate(fh, start=1):
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
        raise _bad_utf8(path, raw, exc, line=number) from None
    fields = [f for f in text.split(" ") if f]
    extra = fields[1 : len(fields) - dim]
    if len(fields) - 1 < dim or (extra and all(_is_number(f) for f in extra)):
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
        col = int(np.flatnonzero(~np.isfinite(row))[0])
        raise _not_finite(path, col, dim, word, float(values[col]), line=number)
    return word, row


def _column_of(text: str, field: int) -> int:
    """1-based character column where the `field`-th non-empty space-separated field of `text` begins."""
    starts = [i for i, c in enumerate(text) if c != " " and (i == 0 or text[i - 1] == " ")]
    return starts[field] + 1


def _read_binary(path: Path, errors: str) -> tuple[pa.Array, np.ndarray]:
    with _open(path) as fh:
        data = fh.read()
    if not data.strip():
        raise FormatError("the file is empty", path=path, fix="write the vectors into it")
    skip = len(BOM) if data.startswith(BOM) else 0
    end = data.find(b"\n", skip)
    end = len(data) if end < 0 else end
    n, dim = _header(path, data[skip:end])
    width, pos = 4 * dim, end + 1
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
                f"truncated: word {i + 1:,} of {n:,} ({_show(word)}) needs {width:,} bytes of vector, found {found:,}",
                path=path,
                fix="the file is cut short: download or write it again",
            )
        try:
            words.append(word.decode("utf-8", errors))
        except UnicodeDecodeError as exc:
            raise _bad_utf8(path, word, exc, index=i) from None
        if i == 0 and _payload_is_text(data[space + 1 : space + 1 + width], dim):
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
    vectors = vectors[:n].astype(np.float32, copy=False)
    bad = _first_not_finite(vectors)
    if bad is not None:
        row, col = bad
        raise _not_finite(path, col, dim, words[row], float(vectors[row, col]), index=row)
    return pa.array(words, type=pa.string()), vectors


# -- writing -----------------------------------------------------------------------------------------
def write(embedding: Embedding, path: Path, *, binary: bool = False) -> Path:
    """Write word2vec text (header line, shortest round-trip float32 numbers) or binary; labels are the words."""
    path = Path(path)
    words = embedding.labels
    for row, word in enumerate(words):
        if not word or any(c in word for c in " \n\r"):
            raise FormatError(
                f"label {word!r} of row {row:,} cannot be a word2vec word (empty, or holds a space or line break)",
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
