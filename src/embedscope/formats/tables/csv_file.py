"""CSV tables through pyarrow: only empty cells are missing values, and errors name the file's line."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

from ...checks import check_not_wide, decode_text, describe_content, reencode_fix
from ...errors import FormatError
from ..text_lines import ARROW_MAX_COLUMNS, read_line

MAX_TABLE_COLUMNS = ARROW_MAX_COLUMNS


def read_csv(path: Path, *, delimiter: str = ",", text: Sequence[str] = ()) -> pa.Table:
    """The whole CSV table (TSV with `delimiter` "\\t"); the columns named in `text` stay text as written ("007",
    "1.50", "nan"), the others are typed by their values. UTF-16, bytes that are not UTF-8 and ragged rows are errors
    naming their line."""
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(0)
        check_not_wide(head, path=path)
        check_columns(_header_width(read_line(fh, path=path, number=1), delimiter), path=path)
    try:
        table = _read_csv(path, delimiter, text)
        table.validate(full=True)
        names = table.column_names  # raises when a name is not UTF-8
    except UnicodeDecodeError:
        decode_text(path.read_bytes(), path=path)  # raises naming the line and column
        raise FormatError("column names are not UTF-8 text", path=path, fix=reencode_fix()) from None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, pa.ArrowMemoryError, OSError) as exc:
        raise FormatError(
            f"could not be read as csv: {exc}", path=path, fix=f"the file looks like {describe_content(head)}: check it"
        ) from None
    return _check_utf8(table, names, path)


def check_columns(count: int, *, path: Path) -> None:
    """Refuse a table of more than MAX_TABLE_COLUMNS columns before it is read: each costs far more than its bytes."""
    if count > MAX_TABLE_COLUMNS:
        raise FormatError(
            f"expected at most {MAX_TABLE_COLUMNS:,} columns, found {count:,}",
            path=path,
            fix="keep the vector column(s) and the metadata columns you want to see",
        )


def _header_width(line: bytes, delimiter: str) -> int:
    """The number of fields in a CSV header line (exact when it may be over the limit)."""
    sep = delimiter.encode()
    if line.count(sep) < MAX_TABLE_COLUMNS:
        return line.count(sep) + 1
    try:
        return len(next(csv.reader([line.decode("utf-8", "replace").rstrip("\r\n")], delimiter=delimiter), []))
    except csv.Error:  # a field longer than the csv module takes: count the separators
        return line.count(sep) + 1


def _read_csv(path: Path, delimiter: str, text: Sequence[str]) -> pa.Table:
    # only empty cells are missing values: "nan" must stay NaN (and be refused in a vector), "NA" stays text
    types = {name: pa.string() for name in text}
    options = pa_csv.ConvertOptions(null_values=[""], strings_can_be_null=False, column_types=types)
    try:
        parse = pa_csv.ParseOptions(delimiter=delimiter)
        return pa_csv.read_csv(path, convert_options=options, parse_options=parse)
    except pa.ArrowInvalid as exc:
        if "CSV parse error" not in str(exc):
            raise
        ragged = _ragged_csv_row(path, delimiter)
        if ragged is None:
            raise
    line, expected, found = ragged
    what = "comma" if delimiter == "," else "tab"
    raise FormatError(
        f"expected {expected} {what}-separated fields (as in the header), found {found}",
        path=path,
        line=line,
        fix=f"quote values that contain {what}s, or remove the extra {what}s",
    )


def _ragged_csv_row(path: Path, delimiter: str) -> tuple[int, int, int] | None:
    """(line, expected, found) of the first row whose field count differs from the header's."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader, None)
            for row in reader:
                if header is not None and row and len(row) != len(header):
                    return reader.line_num, len(header), len(row)
        except csv.Error:
            return None
    return None


def _check_utf8(table: pa.Table, names: list[str], path: Path) -> pa.Table:
    """pyarrow reads CSV text that is not UTF-8 as binary columns: name the line and column of the first bad byte."""
    if any(pa.types.is_binary(field.type) for field in table.schema):
        decode_text(path.read_bytes(), path=path)  # raises naming the line and column
    return table


def csv_line(path: Path, row: int) -> int | None:
    """The line of the file where table row `row` (0-based, after the header) starts."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        index, end = -1, 0  # -1 is the header record
        try:
            for record in reader:
                start, end = end + 1, reader.line_num
                if not record:
                    continue  # pyarrow skips empty lines
                if index == row:
                    return start
                index += 1
        except csv.Error:
            return None
    return None
