"""Tables read through pyarrow: Parquet, Arrow IPC / Feather and CSV.

Which columns hold the vectors, first rule that applies:

1. ``options.vector_column`` naming a column: that column (a list column of numbers; in CSV also a text
   column of ``[0.1, 0.2, ...]`` values; a single numeric column gives 1-D vectors).
2. ``options.vector_column`` naming no column: a prefix; the numeric columns named prefix + number
   (``dim`` picks ``dim_0, dim_1, ...``, ``v`` picks ``v0, v1, ...``), in the order of their numbers.
3. The only list column of numbers (with several: the one a file written by embedscope names, else an error
   listing them).
4. The only CSV text column whose values look like ``[0.1, 0.2, ...]``.
5. The largest group of at least two columns sharing a name prefix followed by a number
   (``dim_0..dim_299``, ``v0..v299``, ``0..299``), at least one of them numeric, ordered by number; a tie
   is an error listing the groups. A text column in the group (a CSV cell that is not a number makes
   pyarrow read its column as text) is an error naming that cell, never silently metadata.
6. Every numeric column, in table order.

Every other column becomes metadata. Parquet and Arrow files are read memory-mapped; an uncompressed Arrow
file with a float32 list column gives vectors that are a view of the mapped file, not a copy.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from ...checks import as_float32, describe_content, find_non_finite, reencode_fix
from ...embedding import Embedding
from ...errors import AmbiguousError, FormatError, NotFoundError
from ...metadata import check_width, typed_table
from ..options import ReadOptions
from .csv_file import check_columns, csv_line, read_csv

_VECTOR_KEY = b"embedscope.vector_column"
_LABEL_KEY = b"embedscope.label_column"
_MODEL_KEY = b"embedscope.model"  # the sentence-transformers model that made the vectors (embedscope embed)
_NUMBERED = re.compile(r"(.*?)(\d+)")


def read(path: Path, options: ReadOptions, fmt: str) -> Embedding:
    """Read a table file (`fmt` is "parquet", "arrow" or "csv") as one Embedding."""
    table = read_table(path, fmt)
    if table.num_rows == 0:
        raise FormatError("the table has no rows", path=path, fix="check that the right file was given")
    try:
        vectors, names = _vectors(table, options.vector_column, path)
    except _RowError as exc:
        if fmt != "csv":
            raise
        line = csv_line(path, exc.row)
        raise FormatError(exc.detail, path=path, line=line, field=exc.field, fix=exc.fix) from None
    vector_columns = set(names)
    rest_names = [name for name in table.column_names if name not in vector_columns]
    check_width(len(rest_names), path=path)
    rest = {name: _plain(table.column(name)) for name in rest_names}
    metadata = typed_table(rest) if rest else None
    schema_meta = table.schema.metadata or {}
    label = options.label_column
    stored_label = schema_meta.get(_LABEL_KEY, b"").decode(errors="replace")
    if label is None and metadata is not None and stored_label in metadata.column_names:
        label = stored_label
    name = options.name or path.stem
    model = schema_meta.get(_MODEL_KEY, b"").decode(errors="replace") or None
    return Embedding(
        vectors, name=name, metadata=metadata, label_column=label, source=str(path), checked=True, model=model
    )


def _vectors(table: pa.Table, want: str | None, path: Path) -> tuple[np.ndarray, list[str]]:
    kind, names = _choose(table, want, path)
    if kind == "columns":
        return _columns_matrix(table, names, path), names
    column = table.column(names[0])
    if kind == "text":
        column = _parse_text_lists(column, names[0], path)
    return _list_matrix(column, names[0], path), names


def read_table(path: Path, fmt: str) -> pa.Table:
    """The whole table, memory-mapped where the format allows; pyarrow's errors become FormatErrors."""
    if not path.is_file():
        raise NotFoundError("no such file", path=path, fix="check the path")
    table = read_csv(path) if fmt == "csv" else _read_binary_table(path, fmt)
    _check_unique_names(table, path)
    return table


def _check_unique_names(table: pa.Table, path: Path) -> None:
    seen: set[str] = set()
    for name in table.column_names:
        if name in seen:
            raise FormatError(
                f"two columns are named {name!r}", path=path, field=name, fix="give every column its own name"
            )
        seen.add(name)


def _read_binary_table(path: Path, fmt: str) -> pa.Table:
    try:
        if fmt == "parquet":
            check_columns(pq.read_metadata(path, memory_map=True).num_columns, path=path)
            table = pq.read_table(path, memory_map=True)
        elif fmt == "arrow":
            table = _read_ipc(path)
        else:
            raise FormatError(f"unknown table format {fmt!r}", path=path, fix="use parquet, arrow or csv")
        table.validate(full=True)  # a damaged file must not reach compute kernels (they may crash on it)
        table.column_names  # noqa: B018 - raises when a name is not UTF-8
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, pa.ArrowMemoryError, OSError) as exc:
        with path.open("rb") as fh:
            looks = describe_content(fh.read(1024))
        raise FormatError(
            f"could not be read as {fmt}: {exc}", path=path, fix=f"the file looks like {looks}: check it"
        ) from None
    except UnicodeDecodeError:
        raise FormatError("column names are not UTF-8 text", path=path, fix=reencode_fix()) from None
    return table


def _read_ipc(path: Path) -> pa.Table:
    source = pa.memory_map(str(path))
    try:
        return ipc.open_file(source).read_all()
    except pa.ArrowInvalid:
        source.seek(0)
    try:
        return ipc.open_stream(source).read_all()
    except pa.ArrowInvalid:
        return feather.read_table(str(path), memory_map=True)  # Feather version 1


# -- choosing the vector columns ------------------------------------------------------------------------------
def _is_number_type(t: pa.DataType) -> bool:
    return pa.types.is_floating(t) or pa.types.is_integer(t)


def _is_vector_list(t: pa.DataType) -> bool:
    listy = pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)
    return listy and _is_number_type(t.value_type)


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _looks_like_lists(column: pa.ChunkedArray) -> bool:
    first = pc.drop_null(column[:100])
    return len(first) > 0 and all(str(v).lstrip().startswith("[") for v in first.to_pylist())


def _choose(table: pa.Table, want: str | None, path: Path) -> tuple[str, list[str]]:
    """("list" | "text" | "columns", column names) by the rules in the module docstring."""
    schema = table.schema
    names = table.column_names
    if want is not None:
        return _chosen(table, want, path)
    lists = [n for n in names if _is_vector_list(schema.field(n).type)]
    if len(lists) > 1:
        stored = (schema.metadata or {}).get(_VECTOR_KEY, b"").decode(errors="replace")
        if stored not in lists:
            raise AmbiguousError(
                f"{len(lists)} list columns could hold the vectors: {', '.join(lists)}",
                path=path,
                fix="choose one with --vector-column (vector_column= in Python)",
            )
        lists = [stored]
    if lists:
        return "list", lists
    texts = [n for n in names if _is_text(schema.field(n).type) and _looks_like_lists(table.column(n))]
    if len(texts) == 1:
        return "text", texts
    groups = _numbered(table, _NUMBERED)
    sized = sorted(((len(g), prefix) for prefix, g in groups.items() if len(g) >= 2), reverse=True)
    if len(sized) > 1 and sized[0][0] == sized[1][0]:
        tied = [f"{p}0..({size})" for size, p in sized if size == sized[0][0]]
        raise AmbiguousError(
            f"several groups of numbered columns could hold the vectors: {', '.join(tied)}",
            path=path,
            fix="choose one by its prefix with --vector-column (vector_column= in Python)",
        )
    if sized:
        return "columns", _only_numbers(table, groups[sized[0][1]], path)
    numeric = [n for n in names if _is_number_type(schema.field(n).type)]
    if not numeric:
        kinds = ", ".join(f"{n} ({schema.field(n).type})" for n in names[:20])
        raise FormatError(
            f"no column holds vectors: expected a list column of numbers or numeric columns, found {kinds}",
            path=path,
            fix="store the vectors as a list<float> column or as numeric columns such as dim_0, dim_1, ...",
        )
    return "columns", numeric


def _chosen(table: pa.Table, want: str, path: Path) -> tuple[str, list[str]]:
    schema = table.schema
    if want in table.column_names:
        kind = schema.field(want).type
        if _is_vector_list(kind):
            return "list", [want]
        if _is_text(kind):
            return "text", [want]
        if _is_number_type(kind):
            return "columns", [want]
        raise FormatError(
            f"column `{want}` has type {kind}, expected a list of numbers",
            path=path,
            field="vector_column",
            fix="choose a list column or the prefix of numeric columns",
        )
    found = _numbered(table, re.compile(f"({re.escape(want)}[_\\-. ]?)(\\d+)"))
    if not found:
        raise NotFoundError(
            f"no column `{want}` and no numeric columns named `{want}0`, `{want}_0`, ...",
            path=path,
            field="vector_column",
            fix=f"choose one of {table.column_names[:20]}",
        )
    members = sorted((m for group in found.values() for m in group), key=lambda m: m[0])
    return "columns", _only_numbers(table, members, path)


def _numbered(table: pa.Table, pattern: re.Pattern[str]) -> dict[str, list[tuple[int, str]]]:
    """Numeric or text columns named prefix + number, by prefix (text ones are numbers gone wrong in CSV)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for name in table.column_names:
        kind = table.schema.field(name).type
        match = pattern.fullmatch(name)
        if match and (_is_number_type(kind) or _is_text(kind)):
            groups.setdefault(match.group(1), []).append((int(match.group(2)), name))
    return {prefix: group for prefix, group in groups.items() if _count_numeric(table, group)}


def _count_numeric(table: pa.Table, group: list[tuple[int, str]]) -> int:
    return sum(_is_number_type(table.schema.field(name).type) for _, name in group)


def _only_numbers(table: pa.Table, group: list[tuple[int, str]], path: Path) -> list[str]:
    """The group's names in number order; a text column among them is named with its first non-number."""
    for _, name in group:
        if _is_text(table.schema.field(name).type):
            for row, value in enumerate(table.column(name).to_pylist()):
                try:
                    float(value)
                except (TypeError, ValueError):
                    what = "is empty" if value is None else f"holds {value!r}"
                    raise _RowError(path, row, name, f"{what}, expected a number") from None
    return [name for _, name in sorted(group)]


# -- turning columns into a float32 matrix --------------------------------------------------------------------
def _list_matrix(column: pa.ChunkedArray, name: str, path: Path) -> np.ndarray:
    """N x D float32 from a list column: a view of its buffer when it is one chunk of float32 without nulls."""
    arr = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if arr.null_count:
        row = int(pc.index(arr.is_null(), True).as_py())
        raise _RowError(path, row, name, "is null, expected a vector")
    if pa.types.is_fixed_size_list(arr.type):
        dim = arr.type.list_size
    else:
        lengths = pc.list_value_length(arr).to_numpy(zero_copy_only=False)
        dim = int(lengths[0])
        ragged = np.flatnonzero(lengths != dim)
        if ragged.size:
            row = int(ragged[0])
            raise _RowError(path, row, name, f"holds {lengths[row]:,} numbers, expected {dim:,} (as in row 1)")
    if dim == 0:
        raise _RowError(path, 0, name, "holds an empty vector")
    values = arr.flatten()
    if values.null_count:
        index = int(pc.index(values.is_null(), True).as_py())
        raise _RowError(path, index // dim, name, "holds a null, expected a number", column=index % dim)
    matrix = as_float32(values.to_numpy(zero_copy_only=False).reshape(-1, dim))
    _check_finite(matrix, [name], path)
    return matrix


def _columns_matrix(table: pa.Table, names: list[str], path: Path) -> np.ndarray:
    arrays = []
    for name in names:
        column = table.column(name)
        if column.null_count:
            row = int(pc.index(column.is_null(), True).as_py())
            raise _RowError(path, row, name, "is empty, expected a number")
        arrays.append(as_float32(column.to_numpy()))
    matrix = np.stack(arrays, axis=1)
    _check_finite(matrix, names, path)
    return matrix


def _parse_text_lists(column: pa.ChunkedArray, name: str, path: Path) -> pa.ChunkedArray:
    """A text column of "[0.1, 0.2, ...]" (or space-separated) values as list<float32>."""
    inner = pc.utf8_trim(column, characters="[] \t\r\n")
    parts = pc.split_pattern_regex(inner, r"[,\s]+")
    try:
        return parts.cast(pa.list_(pa.float32()))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        for row, cell in enumerate(parts.to_pylist()):
            for value in cell or []:
                try:
                    float(value)
                except ValueError:
                    raise _RowError(path, row, name, f"holds {value!r}, expected a number") from None
        raise FormatError(f"column `{name}` could not be read as vectors", path=path, field=name) from None


def _check_finite(matrix: np.ndarray, names: list[str], path: Path) -> None:
    bad = find_non_finite(matrix)
    if bad is not None:
        row, col = bad
        name = names[0] if len(names) == 1 else names[col]
        column = col if len(names) == 1 else None  # a list column: the position in the vector
        raise _RowError(path, row, name, f"holds {float(matrix[row, col])}, expected a finite number", column=column)


class _RowError(FormatError):
    """A bad value in table row `row` (0-based); `read` names a CSV file's line instead of the row."""

    def __init__(
        self, path: Path, row: int, name: str, detail: str, *, column: int | None = None, fix: str | None = None
    ) -> None:
        self.row = row
        at = "" if column is None else f", column {column + 1:,}"
        self.detail = detail if column is None else f"number {column + 1:,} of the vector {detail}"
        super().__init__(
            f"row {row + 1:,}{at} {detail}",
            path=path,
            field=name,
            fix=fix or "every row needs a complete vector of finite numbers; fix or drop that row",
        )


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A metadata column with dictionary encoding undone, so it can be typed and shown."""
    if pa.types.is_dictionary(column.type):
        return column.cast(column.type.value_type)
    return column


# -- writing ---------------------------------------------------------------------------------------------------
def write(embedding: Embedding, path: Path) -> Path:
    """Write Parquet: a fixed_size_list<float32> column "vector" plus the metadata columns."""
    path = Path(path)
    vectors = np.ascontiguousarray(embedding.vectors, dtype=np.float32)
    dim = vectors.shape[1]
    vector = pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), dim)
    metadata = embedding.metadata
    names = [] if metadata is None else metadata.column_names
    vector_name = "vector"
    while vector_name in names:
        vector_name = f"_{vector_name}"
    columns: dict[str, pa.Array | pa.ChunkedArray] = {vector_name: vector}
    if metadata is not None:
        columns.update({name: metadata.column(name) for name in names})
    schema_meta = {_VECTOR_KEY: vector_name.encode()}
    if embedding.label_column is not None:
        schema_meta[_LABEL_KEY] = embedding.label_column.encode()
    if embedding.model is not None:
        schema_meta[_MODEL_KEY] = embedding.model.encode()
    table = pa.table(columns).replace_schema_metadata(schema_meta)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


# -- what the sharded reader (shards.py) shares ------------------------------------------------------------------
def choose_vector_columns(table: pa.Table, want: str | None, path: Path) -> tuple[str, list[str]]:
    """("list" | "text" | "columns", names) of the vector column(s), by the module's rules (a schema's empty table
    is enough for Parquet)."""
    return _choose(table, want, path)


def vectors_of(table: pa.Table, want: str | None, path: Path) -> tuple[np.ndarray, list[str]]:
    """(N x D float32 vectors, the names of the columns they came from)."""
    return _vectors(table, want, path)
