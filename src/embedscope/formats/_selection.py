"""Choosing tensors in files that hold several (checkpoints, model weights, .npz), shared by their readers.

With a tensor chosen (``ReadOptions.tensor``), a reader reads, converts and checks that one only: a broken
tensor elsewhere in the file does not matter. A name that does not exist lists every tensor that does, with
its shape. Reading everything, a tensor that cannot be used is skipped with a warning naming it and why; the
file fails only when nothing usable is left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from os import PathLike
from typing import TypeVar

from ..embedding import match_tensor_name
from ..errors import EmbedscopeError, FormatError, NotFoundError

log = logging.getLogger(__name__)

T = TypeVar("T")
_LISTED = 100  # tensors named in a "no tensor" message at most
# what makes one tensor unusable without making the file unreadable
SKIPPABLE = (FormatError, NotFoundError)


def shape_text(shape: Sequence[int]) -> str:
    return f"[{', '.join(str(int(d)) for d in shape)}]"


def choose(want: str, names: Iterable[str]) -> str | None:
    """The existing name `want` stands for (exact, else without the TF2 `/.ATTRIBUTES/VARIABLE_VALUE` suffix)."""
    return match_tensor_name(want, names)


def missing(want: str, listing: Sequence[tuple[str, str]], *, path: str | PathLike[str] | None) -> NotFoundError:
    """The error for a tensor name that does not exist, listing every (name, "dtype, shape") the file holds."""
    shown = ", ".join(f"{name} ({what})" for name, what in listing[:_LISTED])
    more = f", and {len(listing) - _LISTED:,} more (embedscope info lists them all)" if len(listing) > _LISTED else ""
    held = f"it holds {len(listing):,} tensor{'s' * (len(listing) != 1)}: {shown}{more}" if listing else "it holds none"
    return NotFoundError(f"no tensor `{want}`", path=path, field="tensor", fix=held)


def not_a_matrix(
    name: str, shape: Sequence[int], *, path: str | PathLike[str] | None, dtype: str | None = None
) -> FormatError:
    """A chosen tensor that is not 2-D."""
    of = f" ({dtype})" if dtype else ""
    return FormatError(
        f"tensor `{name}`{of} has shape {shape_text(shape)}; needs 2-D: an embedding is a "
        "vocabulary_size x dimension matrix",
        path=path,
        field="tensor",
        fix="choose a 2-D float tensor with --tensor (tensor= in Python)",
    )


def not_float(name: str, dtype: str, *, path: str | PathLike[str] | None) -> FormatError:
    """A chosen 2-D tensor whose values are not floating point numbers."""
    return FormatError(
        f"tensor `{name}` has dtype {dtype}; an embedding needs float32, float16, float64 or bfloat16",
        path=path,
        field="tensor",
        fix="choose a float tensor with --tensor (tensor= in Python)",
    )


def read_each(
    items: Iterable[tuple[str, Callable[[], T]]], *, path: str | PathLike[str] | None, what: str = "tensor"
) -> list[T]:
    """Call each reader; skip (with a warning) those whose tensor cannot be used, fail only if none can.

    With one failure and nothing usable, that error is raised as it is; with several, one error lists them.
    """
    results: list[T] = []
    failures: list[tuple[str, EmbedscopeError]] = []
    for name, reader in items:
        try:
            results.append(reader())
        except SKIPPABLE as error:
            failures.append((name, error))
    if results:
        for name, exc in failures:
            log.warning("%s: skipping %s `%s`: %s", path, what, name, _reason(exc, path))
        return results
    if not failures:
        return results
    if len(failures) == 1:
        raise failures[0][1]
    kinds = {type(exc) for _, exc in failures}
    kind = kinds.pop() if len(kinds) == 1 else FormatError
    reasons = "; ".join(f"`{name}`: {_reason(exc, path)}" for name, exc in failures)
    raise kind(
        f"none of its {len(failures)} {what}s can be used: {reasons}",
        path=path,
        fix=f"fix the file, or choose a {what} with --tensor",
    )


def _reason(exc: EmbedscopeError, path: str | PathLike[str] | None) -> str:
    """Why one tensor was left out: its message, with where it happened when that is another file or a line."""
    if (exc.path is not None and exc.path != str(path)) or exc.line is not None:
        return exc.describe()
    return exc.message
