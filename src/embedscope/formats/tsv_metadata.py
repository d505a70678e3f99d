"""The Embedding Projector's metadata TSV, with exactly the projector's rules.

A header row only when the file has more than one column (its first line holds a tab); a single-column file
has no header (the vocab-file format) and its column is named ``label``; line i+1 of a multi-column file is
row i; the final line break does not start a row; empty cells are empty. Quote characters are literal: the
projector does no quoting. A line count that does not fit the vectors says which rule the file breaks.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa

from ..checks import decode_text
from ..errors import FormatError, MetadataError, NotFoundError, ParameterError
from ..files import read_regular
from ..metadata import column_strings, typed_table

log = logging.getLogger(__name__)


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
    lines = decode_text(read_regular(path, root=root, what="metadata file"), path=path).split("\n")
    if lines[-1] == "":
        lines.pop()  # the final line break does not start a row
    return [line.removesuffix("\r") for line in lines]


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
    """Header names, with empty and repeated names made unique (and a warning)."""
    out: list[str] = []
    for i, name in enumerate(names):
        new = name.strip() or f"column_{i + 1}"
        base, k = new, 2
        while new in out:
            new, k = f"{base}_{k}", k + 1
        if new != name:
            log.warning("%s: header column %d %r renamed to %r", path, i + 1, name, new)
        out.append(new)
    return out


def write_metadata(table: pa.Table, path: Path) -> Path:
    """Write `table` as a projector metadata TSV (header row only when it has more than one column).

    The format has no quoting, so tabs, carriage returns and newlines inside values and column names are
    replaced by spaces (a warning says how many). Nulls are written as empty cells.
    """
    path = Path(path)
    if table.num_columns == 0:
        raise ParameterError("metadata has no columns to write", field="metadata")
    replaced = 0

    def clean(value: str) -> str:
        nonlocal replaced
        if "\t" in value or "\n" in value or "\r" in value:
            replaced += 1
            return value.replace("\r\n", " ").replace("\t", " ").replace("\n", " ").replace("\r", " ")
        return value

    columns = [[clean(v) for v in column_strings(table, name)] for name in table.column_names]
    lines: list[str] = []
    if table.num_columns > 1:
        lines.append("\t".join(clean(name) for name in table.column_names))
    lines.extend("\t".join(row) for row in zip(*columns, strict=True))
    if replaced:
        log.warning("%s: tabs/newlines replaced by spaces in %d values (TSV cannot hold them)", path, replaced)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8", newline="")
    return path
