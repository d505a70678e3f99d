"""The Embedding Projector's TSV pair: a vectors file and a metadata file.

Vectors: one row per line, tab-separated numbers, no header. If the first field of the first row is not a
number, every row starts with a label (as the standalone projector reads it). Blank lines are skipped and
trailing whitespace is ignored, as the projector does.

Metadata, with exactly the projector's rules: a header row only when the file has more than one column
(its first line holds a tab); a single-column file has no header (the vocab-file format) and its column is
named ``label``; line i+1 of a multi-column file is row i; the final line break does not start a row; empty
cells are empty. Quote characters are literal: the projector does no quoting.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ..embedding import Embedding
from ..errors import FormatError, MetadataError, NotFoundError, ParameterError
from ..metadata import column_strings, typed_table
from .registry import ReadOptions

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_BLOCK_BYTES = 8 << 20  # pyarrow.csv block size: large blocks parse fastest here
_SLOW_CHUNK_ROWS = 4096  # rows converted at a time by the line-by-line pass
_WRITE_CHUNK_ROWS = 16384


# -- vectors ---------------------------------------------------------------------------------------------
def read_vectors(path: Path) -> tuple[np.ndarray, list[str] | None]:
    """Read a projector vectors TSV as (float32 N x D matrix, labels or None).

    The file is parsed by pyarrow with float32 columns; only when that fails does a line-by-line pass run,
    which either accepts what the projector accepts (blank lines, trailing tabs, padded numbers) or raises a
    FormatError naming the line and column of the first problem.
    """
    path = Path(path)
    _check_file(path)
    first = _first_line(path)
    if first is not None:
        try:
            result = _read_fast(path, first)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
            result = None
        if result is not None:
            return result
    return _read_slow(path)


def _first_line(path: Path) -> list[str] | None:
    """The first line's fields when the fast reader can rely on them, else None."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
        while b"\n" not in head:
            more = fh.read(1 << 20)
            if not more:
                break
            head += more
    line = head.split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf").removesuffix(b"\r")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.strip() or text != text.rstrip():
        return None
    return text.split("\t")


def _read_fast(path: Path, first: list[str]) -> tuple[np.ndarray, list[str] | None] | None:
    labeled = not _NUMBER.fullmatch(first[0].strip())
    names = [f"f{i}" for i in range(len(first))]
    types = {name: pa.float32() for name in names}
    if labeled:
        types["f0"] = pa.string()
    table = pa_csv.read_csv(
        path,
        read_options=pa_csv.ReadOptions(column_names=names, block_size=_BLOCK_BYTES),
        parse_options=pa_csv.ParseOptions(
            delimiter="\t", quote_char=False, escape_char=False, newlines_in_values=False, ignore_empty_lines=True
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types=types, null_values=[], strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    columns = table.columns[1:] if labeled else table.columns
    if not columns:
        return None
    matrix = np.stack([col.to_numpy() for col in columns], axis=1)
    if not np.isfinite(matrix).all():
        return None  # the line-by-line pass names the row
    labels = table.column(0).to_pylist() if labeled else None
    return matrix, labels


def _read_slow(path: Path) -> tuple[np.ndarray, list[str] | None]:
    text = _decode(path.read_bytes(), path).replace("\r\n", "\n").replace("\r", "\n")  # as pyarrow splits lines
    labeled: bool | None = None
    dim = 0
    labels: list[str] = []
    blocks: list[np.ndarray] = []
    cells: list[str] = []
    where: list[tuple[int, str | None]] = []  # (line number, label) of each pending row
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        fields = line.split("\t")
        if labeled is None:
            labeled = not _NUMBER.fullmatch(fields[0].strip())
            dim = len(fields) - labeled
            if dim == 0:
                raise FormatError(
                    f"expected tab-separated numbers, found only the label {fields[0]!r}",
                    path=path,
                    line=number,
                    fix="write one vector per line, its numbers separated by tabs",
                )
        values = fields[1:] if labeled else fields
        label = fields[0] if labeled else None
        if len(values) != dim:
            raise _count_error(path, number, fields, dim, labeled=labeled)
        cells.extend(values)
        where.append((number, label))
        if labeled:
            labels.append(fields[0])
        if len(where) == _SLOW_CHUNK_ROWS:
            blocks.append(_convert(path, cells, where, dim, labeled))
            cells, where = [], []
    if labeled is None:
        raise FormatError(
            "the file is empty: expected one vector per line, numbers separated by tabs",
            path=path,
            fix="check that the right file was given",
        )
    if where:
        blocks.append(_convert(path, cells, where, dim, labeled))
    matrix = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
    return matrix, (labels if labeled else None)


def _count_error(path: Path, number: int, fields: list[str], dim: int, *, labeled: bool) -> FormatError:
    found = len(fields) - labeled
    if not labeled and found == dim + 1 and not _NUMBER.fullmatch(fields[0].strip()):
        return FormatError(
            f"this row starts with the label {fields[0]!r}, but the first row has no label",
            path=path,
            line=number,
            fix="give every row a label in its first field, or none",
        )
    if labeled and found == dim - 1 and _NUMBER.fullmatch(fields[0].strip()):
        return FormatError(
            f"this row has no label, but the first row starts with one (expected {dim:,} numbers after it)",
            path=path,
            line=number,
            fix="give every row a label in its first field, or none",
        )
    row_for = f' (row for "{fields[0]}")' if labeled else ""
    return FormatError(
        f"expected {dim:,} tab-separated numbers, found {found:,}{row_for}",
        path=path,
        line=number,
        fix="every row needs the same number of values; check for missing or extra tabs",
    )


def _convert(path: Path, cells: list[str], where: list[tuple[int, str | None]], dim: int, labeled: bool) -> np.ndarray:
    """Turn one chunk of rows' cells into float32, naming the line and column of a bad or non-finite value."""
    strings = pc.utf8_trim_whitespace(pa.array(cells, pa.string()))
    try:
        values = pc.cast(strings, pa.float32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        index = _first_unparsable(strings)
        row, col = divmod(index, dim)
        number, label = where[row]
        row_for = f' (row for "{label}")' if label is not None else ""
        raise FormatError(
            f"expected a number, found {cells[index]!r}{row_for}",
            path=path,
            line=number,
            column=col + 1 + labeled,
            fix="every field after the optional label must be a number such as -0.25 or 1e-3",
        ) from None
    matrix = values.to_numpy(zero_copy_only=False).reshape(-1, dim)
    finite = np.isfinite(matrix)
    if not finite.all():
        row, col = (int(i) for i in np.argwhere(~finite)[0])
        number, label = where[row]
        row_for = f' (row for "{label}")' if label is not None else ""
        raise FormatError(
            f"expected a finite number, found {cells[row * dim + col]!r}{row_for}",
            path=path,
            line=number,
            column=col + 1 + labeled,
            fix="NaN and infinity cannot be shown; fix or drop that row",
        )
    return matrix


def _first_unparsable(strings: pa.Array) -> int:
    """Index of the first string pyarrow cannot read as a float32 (bisection, so O(N) work in all)."""
    lo, hi = 0, len(strings)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            pc.cast(strings.slice(lo, mid - lo), pa.float32())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            hi = mid
        else:
            lo = mid
    return lo


def _check_file(path: Path) -> None:
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "no such file"
        raise NotFoundError(what, path=path, fix="give the path of a .tsv file")


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FormatError(
            f"is not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded",
            path=path,
            line=line,
            fix="save the file as UTF-8",
        ) from None


# -- metadata ---------------------------------------------------------------------------------------------
def read_metadata(path: Path, *, n: int | None) -> pa.Table:
    """Read a projector metadata TSV; with `n`, its row count must fit n vectors (or say which rule broke)."""
    path = Path(path)
    _check_file(path)
    lines = _decode(path.read_bytes(), path).split("\n")
    if lines[-1] == "":
        lines.pop()  # the final line break does not start a row
    lines = [line.removesuffix("\r") for line in lines]
    if not lines:
        if n == 0:
            return typed_table({"label": []})
        raise FormatError("the metadata file is empty", path=path, fix="write one line per vector")
    if "\t" not in lines[0]:
        _check_count(path, lines, n, header=False)
        for number, line in enumerate(lines, start=1):
            if "\t" in line:
                raise MetadataError(
                    f"this line has {line.count(chr(9)) + 1} tab-separated columns but the first line has one",
                    path=path,
                    line=number,
                    fix="a multi-column file needs a header row of column names as its first line",
                )
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


# -- the pair -----------------------------------------------------------------------------------------------
def _sibling_names(path: Path) -> Iterator[Path]:
    stem = path.stem
    for name in (f"{stem}_metadata.tsv", f"{stem}-metadata.tsv", f"{stem}.metadata.tsv"):
        yield path.with_name(name)
    for word in ("vectors", "tensors", "tensor", "embeddings", "vecs"):
        if stem.endswith(word) and stem != word:
            yield path.with_name(f"{stem[: -len(word)]}metadata.tsv")
    yield path.with_name("metadata.tsv")


def _sibling_metadata(path: Path, n: int) -> pa.Table | None:
    """The metadata file next to `path`, when there is one and its rows fit (a warning otherwise)."""
    for candidate in _sibling_names(path):
        if candidate == path or not candidate.is_file():
            continue
        try:
            table = read_metadata(candidate, n=n)
        except FormatError as exc:
            log.warning("not attaching %s: %s", candidate.name, exc)
            continue
        log.info("attached metadata from %s", candidate)
        return table
    return None


def read(path: Path, options: ReadOptions, fmt: str) -> Embedding:
    """Read a vectors TSV with its metadata: options.metadata, else a fitting sibling file, else its labels."""
    vectors, labels = read_vectors(path)
    n = int(vectors.shape[0])
    given = options.metadata
    metadata = read_metadata(given, n=n) if given is not None else _sibling_metadata(path, n)
    if metadata is None and labels is not None:
        metadata = typed_table({"label": labels})
    return Embedding(
        vectors,
        name=options.name or path.stem,
        metadata=metadata,
        label_column=options.label_column,
        source=str(path),
    )


def write(embedding: Embedding, path: Path, *, metadata_path: Path | None = None) -> Path:
    """Write the vectors TSV (shortest float32 text that reads back exactly) and, with metadata, its TSV.

    The metadata goes to `metadata_path`, by default `<stem>_metadata.tsv` beside the vectors.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_vectors(embedding.vectors, path)
    if embedding.metadata is not None and embedding.metadata.num_columns:
        write_metadata(embedding.metadata, Path(metadata_path or path.with_name(f"{path.stem}_metadata.tsv")))
    return path


def write_vectors(vectors: np.ndarray, path: Path) -> Path:
    """Write an N x D matrix as a vectors TSV, each float32 in its shortest round-tripping form."""
    path = Path(path)
    n, dim = vectors.shape
    names = [f"f{j}" for j in range(dim)]
    schema = pa.schema([(name, pa.float32()) for name in names])
    options = pa_csv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")
    with pa_csv.CSVWriter(path, schema, write_options=options) as writer:
        for start in range(0, n, _WRITE_CHUNK_ROWS):
            block = np.ascontiguousarray(np.asarray(vectors[start : start + _WRITE_CHUNK_ROWS], np.float32).T)
            writer.write_table(pa.table(dict(zip(names, block, strict=True)), schema=schema))
    return path
