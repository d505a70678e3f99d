"""A training corpus: sentences of tokens streamed from a text file, a folder of them, or stdin (`-`).

Nothing is read whole into memory: files are read in pieces of at most 1 MiB (a corpus with no line breaks,
such as text8, streams too), one line is one sentence, and a sentence longer than gensim's 10,000-word limit
is cut into several so that no word is dropped. Files ending in .gz, .bz2 or .xz are decompressed on the fly.
Standard input can be read only once, so its tokens are spooled to a temporary file on the first pass and
read back from there on the next ones (word2vec passes over the corpus once per epoch).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import FormatError, NotFoundError, ParameterError

CHUNK_BYTES = 1 << 20  # the most one read takes; a longer line is cut at a space
MAX_SENTENCE = 10_000  # gensim's MAX_SENTENCE_LEN: longer sentences are cut, not truncated
ERRORS = ("strict", "replace", "ignore")
STDIN = "-"

# letters, digits, underscore (and U+FFFD, what errors="replace" puts for bad bytes), inner apostrophes kept
_WORD = r"[\w\ufffd]+(?:['’][\w\ufffd]+)*"
_WORDS = re.compile(_WORD)
_WORDS_AND_PUNCTUATION = re.compile(rf"{_WORD}|[^\w\s]")
_OPENERS: dict[str, Callable[..., Any]] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


@dataclass(frozen=True)
class Tokenizer:
    """Splits text into words: runs of letters and digits (inner apostrophes kept), optionally lower-cased;
    with `punctuation`, every other non-space character is a token of its own."""

    lowercase: bool = True
    punctuation: bool = False

    def __call__(self, text: str) -> list[str]:
        if self.lowercase:
            text = text.lower()
        pattern = _WORDS_AND_PUNCTUATION if self.punctuation else _WORDS
        return pattern.findall(text)

    def to_dict(self) -> dict[str, bool]:
        return {"lowercase": self.lowercase, "punctuation": self.punctuation}


class Corpus:
    """Re-iterable sentences (lists of tokens) of a text file, a folder of text files, or stdin (`-`).

    A folder contributes every file under it (recursively, sorted by path; hidden files and folders left out).
    Bytes that are not UTF-8 raise a FormatError naming the file, line and byte offset, unless `errors` is
    "replace" (U+FFFD in their place) or "ignore" (dropped).
    """

    def __init__(
        self,
        source: str | os.PathLike[str],
        *,
        lowercase: bool = True,
        punctuation: bool = False,
        errors: str = "strict",
        spool_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        if errors not in ERRORS:
            raise ParameterError(f"`errors` must be one of {', '.join(ERRORS)}, got {errors!r}", field="errors")
        self._spool: Path | None = None  # stdin's tokens, once read completely
        self._stdin_started = False
        self.source = str(source)
        self.tokenizer = Tokenizer(lowercase=lowercase, punctuation=punctuation)
        self.errors = errors
        self.files = [] if self.source == STDIN else _files(Path(source))
        self._spool_dir = spool_dir

    def __repr__(self) -> str:
        return f"Corpus({self.source!r}, files={len(self.files)}, {self.tokenizer})"

    def __iter__(self) -> Iterator[list[str]]:
        if self.source != STDIN:
            for path in self.files:
                yield from self._file_sentences(path)
        elif self._spool is not None:
            yield from _spooled(self._spool)
        else:
            yield from self._read_stdin()

    def close(self) -> None:
        """Delete stdin's spool file, if any."""
        spool = getattr(self, "_spool", None)  # None too when __init__ failed
        if spool is not None:
            spool.unlink(missing_ok=True)
            self._spool = None

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------------------------
    def _file_sentences(self, path: Path) -> Iterator[list[str]]:
        opener = _OPENERS.get(path.suffix.lower())
        try:
            fh: IO[bytes] = opener(path, "rb") if opener else open(path, "rb")  # noqa: SIM115
        except OSError as exc:
            raise NotFoundError(f"cannot open the corpus file: {exc.strerror}", path=path) from None
        with fh:
            try:
                yield from self._sentences(fh, str(path))
            except (OSError, EOFError, lzma.LZMAError) as exc:
                raise FormatError(f"cannot read the corpus file: {exc}", path=path) from None

    def _read_stdin(self) -> Iterator[list[str]]:
        if self._stdin_started:
            raise ParameterError(
                "standard input can be read only once, and its first pass was not finished",
                field="corpus",
                fix="read the whole corpus on the first pass, or give a file instead of -",
            )
        self._stdin_started = True
        handle, name = tempfile.mkstemp(prefix="embedscope-corpus-", suffix=".txt", dir=self._spool_dir)
        spool = Path(name)
        try:
            with open(handle, "w", encoding="utf-8") as out:
                for sentence in self._sentences(sys.stdin.buffer, "<stdin>"):
                    out.write(" ".join(sentence))
                    out.write("\n")
                    yield sentence
        except BaseException:
            spool.unlink(missing_ok=True)
            raise
        self._spool = spool

    def _sentences(self, fh: IO[bytes], name: str) -> Iterator[list[str]]:
        tokenize, errors = self.tokenizer, self.errors
        pending: list[str] = []
        line = 1
        for piece, offset, ends_line in _pieces(fh):
            try:
                text = piece.decode("utf-8", errors)
            except UnicodeDecodeError as exc:
                raise _decode_error(exc, name=name, piece=piece, offset=offset, line=line) from None
            tokens = tokenize(text)
            if pending:
                tokens = pending + tokens
                pending = []
            while len(tokens) > MAX_SENTENCE:
                yield tokens[:MAX_SENTENCE]
                tokens = tokens[MAX_SENTENCE:]
            if ends_line:
                line += 1
                if tokens:
                    yield tokens
            else:
                pending = tokens
        if pending:
            yield pending


def _pieces(fh: IO[bytes]) -> Iterator[tuple[bytes, int, bool]]:
    """(bytes, byte offset, whether a line ends there): whole lines, or cuts of long lines at a space or tab."""
    offset = 0
    carry = b""
    first = True
    while True:
        chunk = fh.readline(CHUNK_BYTES)
        if first:
            first = False
            if chunk.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark is not text
                chunk, offset = chunk[3:], 3
        if not chunk:
            if carry:
                yield carry, offset, True
            return
        data = carry + chunk if carry else chunk
        if data.endswith(b"\n"):
            yield data, offset, True
            offset += len(data)
            carry = b""
            continue
        cut = max(data.rfind(b" "), data.rfind(b"\t")) + 1
        if cut == 0:  # no space yet: keep reading (only a single word this long grows the carry)
            carry = data
            continue
        yield data[:cut], offset, False
        offset += cut
        carry = data[cut:]


def _decode_error(exc: UnicodeDecodeError, *, name: str, piece: bytes, offset: int, line: int) -> FormatError:
    bad = piece[exc.start : exc.end]
    line += piece[: exc.start].count(b"\n")  # pieces hold at most one line, but be exact
    return FormatError(
        f"byte offset {offset + exc.start:,}: expected UTF-8 text, found byte {bad[:1].hex(' ').upper()} "
        f"({exc.reason})",
        path=name,
        line=line,
        fix="convert the corpus to UTF-8 (e.g. iconv -f latin1 -t utf-8), or pass errors='replace' (--errors replace)",
    )


def _spooled(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield line.split()


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.exists():
        raise NotFoundError("no such corpus file or folder", path=path, fix="give a text file, a folder of them, or -")
    if not path.is_dir():
        raise FormatError("the corpus is neither a file nor a folder", path=path)
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    if not files:
        raise FormatError("the corpus folder holds no files", path=path, fix="put text files in it")
    return files
