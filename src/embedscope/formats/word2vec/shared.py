"""What the word2vec text and binary readers share: opening (plain, .gz, .bz2), the header line, number tokens
and the errors for bytes that are not UTF-8."""

from __future__ import annotations

import bz2
import gzip
import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

from ...checks import BOM, check_not_wide, reencode_fix
from ...errors import FormatError
from ..zip_budget import MAX_RATIO, SLACK

_NUMBER_BYTES = frozenset(b"0123456789+-.eEnNaAiIfFtTyY")
_CUT_FIX = (
    "the word was cut inside a multi-byte character (common in word2vec.c output): read it with "
    "--unicode-errors replace (CLI) / unicode_errors='replace'"
)


def path_is_compressed(path: Path) -> bool:
    return path.name.lower().endswith((".gz", ".bz2"))


class _Unpacked(io.RawIOBase):
    """A .gz/.bz2 stream that may unpack to at most MAX_RATIO times its file's size (plus SLACK): a few kilobytes
    of compressed zeros would otherwise unpack to gigabytes in memory (readers that need the whole file read it)."""

    def __init__(self, inner: IO[bytes], path: Path) -> None:
        super().__init__()
        self._inner = inner
        self._path = path
        self._limit = MAX_RATIO * path.stat().st_size + SLACK
        self._spent = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._inner.read(min(len(view), self._limit + 1 - self._spent))
        self._spent += len(data)
        if self._spent > self._limit:
            raise FormatError(
                f"the compressed file unpacks to more than {self._limit:,} bytes ({MAX_RATIO}x its size): "
                "expected a compression ratio that vectors reach, found a compression bomb",
                path=self._path,
                fix="unpack it yourself and read the plain file if it is genuine",
            )
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def open_file(path: Path) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".gz"):
        return cast(IO[bytes], io.BufferedReader(_Unpacked(cast(IO[bytes], gzip.open(path, "rb")), path), 1 << 20))
    if name.endswith(".bz2"):
        return cast(IO[bytes], io.BufferedReader(_Unpacked(cast(IO[bytes], bz2.open(path, "rb")), path), 1 << 20))
    return path.open("rb")


@contextmanager
def damaged_compression(path: Path) -> Iterator[None]:
    """Turn the errors gzip/bz2 raise for damaged data into a FormatError."""
    try:
        yield
    except (zlib.error, EOFError, OSError) as exc:
        if not path_is_compressed(path):
            raise
        raise FormatError(f"the compressed data is damaged ({exc})", path=path, fix="download it again") from None


def head(path: Path) -> bytes:
    """The first 64 KiB without a BOM; an empty file, or one in UTF-16/32, is an error."""
    with open_file(path) as fh:
        data = fh.read(1 << 16)
    if not data.strip():
        raise FormatError("the file is empty", path=path, fix="write the vectors into it, one word per line")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data.split(b"\n", 1)[0][:1024]:
        check_not_wide(data[:1024], path=path)  # only line 1 tells: binary vectors hold NUL bytes after it
    return data.removeprefix(BOM)


def parse_header(line: bytes) -> tuple[int, int] | None:
    fields = line.split()
    if len(fields) == 2 and all(f.isdigit() for f in fields):
        return int(fields[0]), int(fields[1])
    return None


def header(path: Path, line: bytes) -> tuple[int, int]:
    parsed = parse_header(line)
    if parsed is None:
        raise FormatError(
            f"expected a header line `COUNT DIMENSIONS`, found {show(line[:80])}",
            path=path,
            line=1,
            fix="word2vec files start with their word count and dimensions; use --format glove for text without one",
        )
    return parsed


def is_number(token: bytes | str) -> bool:
    if isinstance(token, str):
        token = token.encode("utf-8", "replace")
    if not token or not set(token) <= _NUMBER_BYTES:
        return False
    try:
        float(token)
    except ValueError:
        return False
    return True


def payload_is_text(payload: bytes, dim: int) -> bool:
    """Whether what follows the first word is numbers in text (else it is binary float32)."""
    tokens = payload.split(b"\n", 1)[0].rstrip(b" \r").split(b" ")
    return all(is_number(t) for t in tokens) and (len(tokens) >= 2 or dim == 1)


def show(raw: bytes | str, limit: int = 60) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = text.rstrip("\r\n")
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _looks_cut(token: bytes) -> bool:
    """Whether a token's bad bytes are a multi-byte character cut short at its end."""
    try:
        token.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.end == len(token) and exc.reason == "unexpected end of data"
    return False


def bad_utf8(
    path: Path, raw: bytes, exc: UnicodeDecodeError, *, line: int | None = None, index: int | None = None
) -> FormatError:
    """A word (or a line of text) that is not UTF-8: where, which byte, and the fix that fits.

    `raw` starts where the line starts. A word cut inside a character (word2vec.c cuts long words by bytes)
    is read with unicode_errors='replace'; other bytes mean the file is in another encoding.
    """
    start = raw.rfind(b" ", 0, exc.start) + 1
    end = raw.find(b" ", exc.start)
    token = raw[start : len(raw) if end < 0 else end]
    word = "word" if index is None else f"word {index + 1:,}"
    what = f"{word} {show(token)}" if start == 0 else f"the text {show(token)}"
    return FormatError(
        f"{what} is not UTF-8 (byte 0x{raw[exc.start]:02x})",
        path=path,
        line=line,
        column=None if line is None else len(raw[: exc.start].decode("utf-8", "replace")) + 1,
        fix=_CUT_FIX if _looks_cut(token) else reencode_fix(),
    )
