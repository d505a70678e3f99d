"""The items to embed, read from a file: a CSV, TSV, Parquet or JSON Lines table (a text or image column chosen),
or a text file of one item a line. Every column is kept, to go with the vectors as metadata."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from ..errors import FormatError, ParameterError
from ..formats.text_lines import text_lines

TABLE_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
TEXT_SUFFIXES = (".txt", ".text", "")
TEXT_NAMES = ("text", "sentence", "content", "body", "review", "title", "document", "prompt")


def read_items(path: Path) -> pa.Table:
    """The file's table; a text file is one column `text`, a line each (blank lines kept: refused later by row)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return _table(path, TABLE_SUFFIXES[suffix])
    if suffix in TEXT_SUFFIXES:
        lines = [line.removesuffix("\r") for _, line in text_lines(path, what="text file")]
        return pa.table({"text": pa.array(lines, type=pa.string())})
    raise ParameterError(
        f"cannot read items from a {suffix} file",
        path=path,
        fix="give a .csv, .tsv, .parquet, .jsonl or .txt file (one item a line)",
    )


def _table(path: Path, kind: str) -> pa.Table:
    from ..formats.tables.csv_file import read_csv
    from ..formats.tables.table import read_table

    if kind == "csv":
        return read_csv(path)
    if kind == "tsv":
        return read_csv(path, delimiter="\t")
    if kind == "parquet":
        return read_table(path, "parquet")
    return _jsonl(path)


def _jsonl(path: Path) -> pa.Table:
    import pyarrow.json as pajson

    try:
        return pajson.read_json(path)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise FormatError(f"could not be read as JSON Lines: {exc}", path=path, fix="one JSON object a line") from None


def text_column(table: pa.Table, given: str | None, *, path: Path | None = None) -> str:
    """The column whose values are embedded: the one given, else the only text column, else a text-like name."""
    strings = [f.name for f in table.schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    if given is not None:
        if given not in table.column_names:
            raise ParameterError(
                f"no column `{given}` to embed",
                path=path,
                field="text_column",
                fix=f"choose one of {table.column_names}",
            )
        if given not in strings:
            kind = table.schema.field(given).type
            raise ParameterError(
                f"column `{given}` holds {kind}, not text",
                path=path,
                field="text_column",
                fix=f"choose one of {strings}",
            )
        return given
    if len(strings) == 1:
        return strings[0]
    for name in TEXT_NAMES:
        for column in strings:
            if column.lower() == name:
                return column
    raise ParameterError(
        f"which column holds the texts? {'text columns: ' + str(strings) if strings else 'there is no text column'}",
        path=path,
        field="text_column",
        fix="name it with --text-column",
    )


def texts_of(table: pa.Table, column: str, *, path: Path | None = None) -> list[str]:
    """The column's texts; an empty or missing one is an error listing the rows (numbered from 1)."""
    values = table.column(column).to_pylist()
    empty = [i for i, v in enumerate(values) if v is None or not str(v).strip()]
    if empty:
        shown = ", ".join(f"{i + 1:,}" for i in empty[:10]) + (", ..." if len(empty) > 10 else "")
        many = "s" if len(empty) > 1 else ""
        raise ParameterError(
            f"{len(empty):,} empty text{many} in `{column}`, row{many} {shown}",
            path=path,
            field="text_column",
            fix="fill them in or remove those rows: an empty text has no meaning to embed",
        )
    return [str(v) for v in values]
