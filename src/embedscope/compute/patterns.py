"""Matching text patterns against a column of values, vectorised: one engine for search and custom axes.

A pattern is a substring or, with ``regex=True``, a regular expression searched anywhere in the value; both
ignore case by default. Regular expressions use RE2 syntax (pyarrow's engine: no look-around, no
backreferences), so the rows a pattern selects are the same in the inspector's search, in the match counts
under the custom-axes patterns, and in the custom axes themselves. Missing values never match.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ParameterError

Strings: TypeAlias = Any  # a pyarrow string Array or ChunkedArray (pyarrow ships no type hints)


def as_strings(values: Strings | Sequence[object]) -> Strings:
    """Arrow strings of `values` (numbers cast to text), missing values as ""."""
    strings: Any = values
    if not isinstance(strings, pa.Array | pa.ChunkedArray):
        strings = pa.array([None if v is None else str(v) for v in strings], type=pa.string())
    if not (pa.types.is_string(strings.type) or pa.types.is_large_string(strings.type)):
        strings = pc.cast(strings, pa.string())
    return pc.fill_null(strings, "")


def match_rows(
    values: Strings | Sequence[object],
    pattern: str,
    *,
    regex: bool = False,
    ignore_case: bool = True,
    field: str = "pattern",
    subject: str | None = None,
    status: int | None = None,
) -> np.ndarray:
    """Ascending int64 indices of the values that `pattern` matches.

    A regular expression that does not compile raises ParameterError for `field` (said as `subject`, by default
    the field's name; with HTTP `status` when given, e.g. 400 for a search) quoting the pattern and the engine's
    complaint.
    """
    strings = as_strings(values)
    if regex:
        try:
            mask = pc.match_substring_regex(strings, pattern=pattern, ignore_case=ignore_case)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            detail = str(exc).split(":", 1)[-1].strip()
            error = ParameterError(
                f"{subject or f'`{field}`'} is not a valid regular expression: {pattern!r} ({detail})",
                field=field,
                fix="patterns use RE2 syntax (no look-around or backreferences): escape special characters, "
                "or match the pattern as plain text",
            )
            if status is not None:
                error.status = status
            raise error from None
    else:
        mask = pc.match_substring(strings, pattern=pattern, ignore_case=ignore_case)
    if isinstance(mask, pa.ChunkedArray):
        chunks = [chunk.to_numpy(zero_copy_only=False) for chunk in mask.chunks]
        flags = np.concatenate(chunks) if chunks else np.zeros(0, dtype=bool)
    else:
        flags = mask.to_numpy(zero_copy_only=False)
    return np.flatnonzero(flags).astype(np.int64)


def check_pattern(pattern: str, *, regex: bool, field: str = "pattern") -> None:
    """Raise the ParameterError `match_rows` would for a regular expression that does not compile."""
    if regex:
        match_rows(pa.array([""], type=pa.string()), pattern, regex=True, field=field)
