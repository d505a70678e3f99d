"""Reading text files one line at a time, each line capped, so that no reader's cost runs away on one huge line.

A row of vectors or metadata is kilobytes long; a "line" of hundreds of megabytes (a file without line breaks, a
binary file taken for text) is refused as soon as MAX_LINE_BYTES of it have been read, with the line's number,
instead of being held, copied and split in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import IO

from ..checks import BOM, check_not_wide, utf8_error
from ..errors import FormatError
from ..files import open_regular

MAX_LINE_BYTES = 8 << 20  # 8 MiB: far above a row of 100,000 numbers, far below what a runaway line costs
# pyarrow's CSV reader costs far more per column than per byte (a 600 KB header of 100,000 names made it allocate
# 200 MB): text wider than this is read line by line instead, or refused where a table must be read whole
ARROW_MAX_COLUMNS = 20_000
_HEAD_BYTES = 1024


def line_too_long(path: str | PathLike[str] | None, number: int, limit: int = MAX_LINE_BYTES) -> FormatError:
    return FormatError(
        f"this line is longer than {limit:,} bytes, expected one row of text per line",
        path=path,
        line=number,
        fix="check that this is the right file: a row of vectors or metadata is far shorter (is it text with "
        "line breaks?)",
    )


def read_line(fh: IO[bytes], *, path: str | PathLike[str] | None, number: int, limit: int = MAX_LINE_BYTES) -> bytes:
    """The next line of `fh` with its line break (b"" at the end), refused past `limit` bytes without reading on."""
    line = fh.readline(limit + 1)
    if len(line) > limit and not line.endswith(b"\n"):
        raise line_too_long(path, number, limit)
    return line


def iter_lines(
    fh: IO[bytes], *, path: str | PathLike[str] | None, start: int = 1, limit: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, bytes]]:
    """(number, raw line with its break) of each line left in `fh`, numbered from `start`, each capped."""
    number = start
    while line := read_line(fh, path=path, number=number, limit=limit):
        yield number, line
        number += 1


def text_lines(
    path: Path, *, root: Path | None = None, what: str = "text file", limit: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, str]]:
    """(number, text) of each line of a UTF-8 file (BOM allowed), without its "\\n"; UTF-16/32, bytes that are
    not UTF-8 and over-long lines are FormatErrors naming the line (and column). The file is opened by
    files.open_regular: a regular file, under `root` when given."""
    with open_regular(path, root=root, what=what) as fh:
        check_not_wide(fh.read(_HEAD_BYTES), path=path)
        fh.seek(0)
        for number, raw in iter_lines(fh, path=path, limit=limit):
            if number == 1:
                raw = raw.removeprefix(BOM)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise utf8_error(raw, exc, path=path, first_line=number) from None
            yield number, text.removesuffix("\n")
