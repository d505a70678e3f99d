"""Unpickling whose work is bounded by the pickle's size: the base of embedscope's restricted Unpicklers.

A pickle is a small program. Its opcodes are cheap, but memo references let one object be shared by many:
a REDUCE can hand the same large tuple to 100,000 calls, and a DAG of shared lists a few hundred bytes long
expands into 2**100 paths when it is walked. So each call an Unpickler admits is charged the size of its
arguments, and whatever walks the loaded objects afterwards (a state dict flattened into dotted keys, a
vocabulary turned into labels) is charged too, against one WorkBudget proportional to the file's size; past
it, reading stops with a FormatError instead of expanding the shared references.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..errors import FormatError

CALLS_PER_BYTE = 1  # unpickling a genuine file costs well under a step per byte (a tensor: ~12 steps, 60 bytes)
WALK_PER_BYTE = 16  # walking it: a dotted key is charged its length, each time a tensor is met
WORK_SLACK = 1 << 20
_SIZED = (tuple, list, dict, set, frozenset, str, bytes, bytearray)


class WorkBudget:
    """Steps (objects visited, arguments passed, characters of keys built) a file of `size` bytes may cost."""

    def __init__(self, size: int, *, path: Path, what: str, per_byte: int = CALLS_PER_BYTE) -> None:
        self.size = size
        self.path = path
        self.what = what
        self.limit = per_byte * size + WORK_SLACK
        self.spent = 0

    @classmethod
    def of_file(cls, path: Path, *, what: str, per_byte: int = CALLS_PER_BYTE) -> WorkBudget:
        return cls(path.stat().st_size, path=path, what=what, per_byte=per_byte)

    def charge(self, steps: int) -> None:
        self.spent += steps
        if self.spent > self.limit:
            raise FormatError(
                f"reading this {self.what} file of {self.size:,} bytes takes more than {self.limit:,} steps: its "
                "pickle shares objects that would be expanded again and again (a pickle bomb?)",
                path=self.path,
                fix="save the data again without sharing containers (a plain state dict of tensors)",
            )

    def charge_args(self, args: tuple[Any, ...]) -> None:
        self.charge(1 + len(args) + sum(len(a) for a in args if isinstance(a, _SIZED)))

    def call(self, func: Callable[..., Any]) -> Charged:
        return Charged(func, self)


class Charged:
    """A callable the pickle may REDUCE: each call is charged its arguments' sizes first. `func` is the callable."""

    __slots__ = ("budget", "func")

    def __init__(self, func: Callable[..., Any], budget: WorkBudget) -> None:
        self.func = func
        self.budget = budget

    def __call__(self, *args: Any) -> Any:
        self.budget.charge_args(args)
        return self.func(*args)


def unwrap(func: object) -> object:
    """The callable a Charged stands for (or `func` itself)."""
    return func.func if isinstance(func, Charged) else func


class BoundedUnpickler(pickle.Unpickler):
    """An Unpickler holding the WorkBudget its admitted calls are charged to."""

    def __init__(self, file: IO[bytes], budget: WorkBudget) -> None:
        super().__init__(file)
        self.budget = budget
