"""A .npy file's header: shape, order, dtype and where the data starts, read without the data (numpy.py's reader and
the sharded reader use it)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FormatError


def npy_header(path: Path) -> tuple[tuple[int, ...], bool, np.dtype[Any], int]:
    """(shape, Fortran order, dtype, data offset) of a .npy file, from its header alone."""
    fmt = np.lib.format
    # numpy warns about headers it can still parse (Python 2 era); our own size and dtype checks speak instead
    with path.open("rb") as fh, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            version = fmt.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = fmt.read_array_header_1_0(fh)
            else:
                shape, fortran, dtype = fmt.read_array_header_2_0(fh)
        except Exception as exc:  # numpy parses the header with tokenize/ast: many kinds of error for bad bytes
            raise FormatError(
                f"the .npy header cannot be read ({exc})", path=path, fix="the file is damaged: write it again"
            ) from None
        return tuple(int(s) for s in shape), bool(fortran), dtype, fh.tell()
