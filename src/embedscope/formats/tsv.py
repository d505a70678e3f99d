"""The Embedding Projector's TSV pair: a vectors file and a metadata file (rules in tsv_metadata.py).

Vectors: one row per line, tab-separated numbers, no header. If the first field of the first row is not a
number, every row starts with a label (as the standalone projector reads it). Blank lines are skipped and
trailing whitespace is ignored, as the projector does. Errors name the line and the column (the 1-based
tab-separated field, the label counted).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ..checks import check_not_wide, find_non_finite
from ..embedding import Embedding
from ..errors import FormatError
from ..files import open_regular
from ..metadata import typed_table
from .metadata_file import read_metadata_file
from .options import ReadOptions
from .side_files import present
from .text_lines import ARROW_MAX_COLUMNS, read_line, text_lines
from .tsv_metadata import check_file, read_metadata, write_metadata

__all__ = ["read", "read_metadata", "read_vectors", "write", "write_metadata", "write_vectors"]

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_BLOCK_BYTES = 8 << 20  # pyarrow.csv block size: large blocks parse fastest here
_SLOW_CHUNK_CELLS = 1 << 20  # values converted at a time by the line-by-line pass
_WRITE_CHUNK_ROWS = 16384


# -- vectors ---------------------------------------------------------------------------------------------
def read_vectors(path: Path, *, root: Path | None = None) -> tuple[np.ndarray, list[str] | None]:
    """Read a projector vectors TSV as (float32 N x D matrix, labels or None).

    The file is parsed by pyarrow with float32 columns; only when that fails does a line-by-line pass run,
    which either accepts what the projector accepts (blank lines, trailing tabs, padded numbers) or raises a
    FormatError naming the line and column of the first problem. A FIFO or device is refused; with `root`,
    a file that does not lie under it (links resolved) is refused too.
    """
    path = Path(path)
    check_file(path)
    with open_regular(path, root=root, what="vectors file") as fh:
        check_not_wide(fh.read(1024), path=path)
        fh.seek(0)
        first = _first_line(fh, path)
    if first is not None and len(first) <= ARROW_MAX_COLUMNS:  # wider rows are read line by line
        try:
            result = _read_fast(path, first)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
            result = None
        if result is not None:
            return result
    return _read_slow(path, root)


def _first_line(fh: IO[bytes], path: Path) -> list[str] | None:
    """The first line's fields when the fast reader can rely on them, else None (read up to MAX_LINE_BYTES)."""
    line = read_line(fh, path=path, number=1)
    line = line.removeprefix(b"\xef\xbb\xbf").removesuffix(b"\n").removesuffix(b"\r")
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
    if find_non_finite(matrix) is not None:
        return None  # the line-by-line pass names the line and column
    labels = table.column(0).to_pylist() if labeled else None
    return matrix, labels


def _split_lines(path: Path, root: Path | None) -> Iterator[tuple[int, str]]:
    """(number, text) of each line, read one at a time; a lone CR also ends a line, as pyarrow splits lines."""
    number = 0
    for _, text in text_lines(path, root=root, what="vectors file"):
        for part in text.removesuffix("\r").split("\r"):
            number += 1
            yield number, part


def _read_slow(path: Path, root: Path | None = None) -> tuple[np.ndarray, list[str] | None]:
    labeled: bool | None = None
    dim = 0
    labels: list[str] = []
    blocks: list[np.ndarray] = []
    cells: list[str] = []
    where: list[tuple[int, str | None]] = []  # (line number, label) of each pending row
    for number, raw in _split_lines(path, root):
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
        if len(cells) >= _SLOW_CHUNK_CELLS:
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
    bad = find_non_finite(matrix)
    if bad is not None:
        row, col = bad
        number, label = where[row]
        row_for = f' (row for "{label}")' if label is not None else ""
        raise FormatError(
            f"holds {float(matrix[row, col])}, expected a finite number{row_for}",
            path=path,
            line=number,
            column=col + 1 + labeled,
            fix="NaN and infinity cannot be shown or compared: fix or drop that row",
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
        if candidate == path or not present(candidate, what="metadata file"):
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
    metadata = read_metadata_file(given, n=n) if given is not None else _sibling_metadata(path, n)
    if metadata is None and labels is not None:
        metadata = typed_table({"label": labels})
    return Embedding(
        vectors,
        name=options.name or path.stem,
        metadata=metadata,
        label_column=options.label_column,
        source=str(path),
        checked=True,
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
