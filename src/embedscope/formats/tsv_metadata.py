"""The Embedding Projector's metadata TSV, with exactly the projector's rules.

A header row only when the file has more than one column (its first line holds a tab); a single-column file
has no header (the vocab-file format) and its column is named ``label``; line i+1 of a multi-column file is
row i; the final line break does not start a row; empty cells are empty. Quote characters are literal: the
projector does no quoting. A line count that does not fit the vectors says which rule the file breaks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from ..errors import FormatError, MetadataError, NotFoundError, ParameterError
from ..metadata import check_width, column_strings, typed_table
from .text_lines import text_lines

log = logging.getLogger(__name__)

_SHOWN_RENAMES = 3  # renamed columns named in the one warning
_CHUNK_ROWS = 65_536  # rows written at a time


def check_file(path: Path, *, what: str = "a .tsv file") -> None:
    if not path.exists() or path.is_dir():  # a FIFO or device is refused when opened (files.open_regular)
        kind = "is a folder, not a file" if path.is_dir() else "no such file"
        raise NotFoundError(kind, path=path, fix=f"give the path of {what}")


def metadata_lines(path: Path, *, root: Path | None = None) -> list[str]:
    """The file's lines as the projector splits them: UTF-8 (BOM allowed), LF or CRLF, no row after the last break.

    A FIFO or device is refused; with `root`, a file that does not lie under it (links resolved) is refused too.
    """
    path = Path(path)
    check_file(path)
    return [text.removesuffix("\r") for _, text in text_lines(path, root=root, what="metadata file")]


def read_labels(path: Path) -> list[str]:
    """A single-column file (a vocab file): one label per line, no header; a line with a tab is an error."""
    lines = metadata_lines(path)
    _check_single_column(path, lines, labels_only=True)
    return lines


def _check_single_column(path: Path, lines: list[str], *, labels_only: bool = False) -> None:
    for number, line in enumerate(lines, start=1):
        if "\t" not in line:
            continue
        columns = line.count("\t") + 1
        if labels_only:
            raise MetadataError(
                f"expected one label per line, found {columns} tab-separated columns",
                path=path,
                line=number,
                fix="a label file has one column: remove the tabs",
            )
        raise MetadataError(
            f"this line has {columns} tab-separated columns but the first line has one",
            path=path,
            line=number,
            fix="a multi-column file needs a header row of column names as its first line",
        )


def read_metadata(path: Path, *, n: int | None, root: Path | None = None) -> pa.Table:
    """Read a projector metadata TSV; with `n`, its row count must fit n vectors (or say which rule broke).

    With `root`, the file must lie under it (see metadata_lines)."""
    path = Path(path)
    lines = metadata_lines(path, root=root)
    if not lines:
        if n == 0:
            return typed_table({"label": []})
        raise FormatError("the metadata file is empty", path=path, fix="write one line per vector")
    if "\t" not in lines[0]:
        _check_count(path, lines, n, header=False)
        _check_single_column(path, lines)
        return typed_table({"label": lines})
    header = _column_names(lines[0].split("\t"), path)
    rows = lines[1:]
    _check_count(path, lines, n, header=True)
    width = len(header)
    split: list[list[str]] = []
    for number, line in enumerate(rows, start=2):
        fields = line.split("\t")
        if len(fields) > width:
            raise MetadataError(
                f"expected {width} tab-separated columns (as in the header), found {len(fields)}",
                path=path,
                line=number,
                fix="a value must not contain a tab; add a column to the header or remove the extra tab",
            )
        split.append(fields + [""] * (width - len(fields)))
    columns = list(zip(*split, strict=True)) if split else [() for _ in header]
    return typed_table({name: list(values) for name, values in zip(header, columns, strict=True)})


def _check_count(path: Path, lines: list[str], n: int | None, *, header: bool) -> None:
    """Raise unless the rows fit n vectors, naming the projector's rule the file breaks."""
    rows = len(lines) - header
    if n is None or rows == n:
        return
    blank = next((i for i, line in enumerate(reversed(lines[header:])) if line.strip()), rows)
    if blank and rows - blank == n:
        rule, fix = f"the file ends with {blank} blank line{'s' * (blank > 1)}", "remove the blank lines at the end"
    elif header and len(lines) == n:
        rule, fix = (
            "multi-column metadata needs a header row",
            "add a first line with the column names, separated by tabs",
        )
    elif not header and rows == n + 1:
        rule = "single-column metadata must not have a header row"
        fix = f"remove the first line ({lines[0]!r}); line i of a single-column file is vector i"
    else:
        what = "rows after the header row" if header else "lines (one label per line, no header)"
        raise MetadataError(
            f"{rows:,} {what} for {n:,} vectors", path=path, fix="give one line per vector, in the same order"
        )
    raise MetadataError(f"{len(lines):,} lines for {n:,} vectors: {rule}", path=path, fix=fix)


def _column_names(names: list[str], path: Path) -> list[str]:
    """Header names, with empty and repeated names made unique (`name_2`, `name_3`...), in linear time, and one
    warning that counts the renamed columns."""
    check_width(len(names), path=path, line=1)
    taken = set(names)
    seen: set[str] = set()
    next_suffix: dict[str, int] = {}  # per base name, the suffix to try next: each candidate is tried once
    out: list[str] = []
    renamed: list[str] = []
    for i, name in enumerate(names):
        new = name.strip() or f"column_{i + 1}"
        if new in seen or (new != name and new in taken):
            base = new
            k = next_suffix.get(base, 2)
            while f"{base}_{k}" in taken or f"{base}_{k}" in seen:
                k += 1
            new, next_suffix[base] = f"{base}_{k}", k + 1
        if new != name:
            renamed.append(f"column {i + 1:,} {_shown(name)} -> {_shown(new)}")
        seen.add(new)
        out.append(new)
    if renamed:
        shown = ", ".join(renamed[:_SHOWN_RENAMES]) + (", ..." if len(renamed) > _SHOWN_RENAMES else "")
        log.warning("%s: %s header columns renamed (empty or repeated names): %s", path, f"{len(renamed):,}", shown)
    return out


def _shown(name: str, limit: int = 40) -> str:
    return repr(name if len(name) <= limit else name[:limit] + "…")


def write_metadata(table: pa.Table, path: Path) -> Path:
    """Write `table` as a projector metadata TSV (header row only when it has more than one column).

    The format has no quoting, so tabs, carriage returns and newlines inside values and column names are
    replaced by spaces (a warning says how many). Nulls are written as empty cells.
    """
    path = Path(path)
    chunks = tsv_chunks(table, where=str(path))  # checks the table before the file is made
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return path


def tsv_chunks(table: pa.Table, *, where: str, rows: int = _CHUNK_ROWS) -> Iterator[bytes]:
    """`table` as a projector metadata TSV in UTF-8, `rows` rows at a time (what write_metadata writes, for a download
    streamed without the whole text in memory); `where` names it in the warning about replaced tabs and newlines.

    The table is checked at once (a table without columns is refused), before the first chunk is asked for."""
    if table.num_columns == 0:
        raise ParameterError("metadata has no columns to write", field="metadata")
    return _tsv_chunks(table, where, max(1, rows))


def _tsv_chunks(table: pa.Table, where: str, rows: int) -> Iterator[bytes]:
    replaced = 0

    def clean(value: str) -> str:
        nonlocal replaced
        if "\t" in value or "\n" in value or "\r" in value:
            replaced += 1
            return value.replace("\r\n", " ").replace("\t", " ").replace("\n", " ").replace("\r", " ")
        return value

    if table.num_columns > 1:
        yield ("\t".join(clean(name) for name in table.column_names) + "\n").encode("utf-8")
    for start in range(0, table.num_rows, rows):
        part = table.slice(start, rows)
        columns = [[clean(v) for v in column_strings(part, name)] for name in part.column_names]
        yield "".join("\t".join(row) + "\n" for row in zip(*columns, strict=True)).encode("utf-8")
    if replaced:
        log.warning("%s: tabs/newlines replaced by spaces in %d values (TSV cannot hold them)", where, replaced)
