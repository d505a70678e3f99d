"""The shared checks: NaN/Inf scans, float32 conversion (bfloat16 too), and text that is not UTF-8."""

from __future__ import annotations

import numpy as np
import pytest

from embedscope.checks import (
    as_float32,
    check_finite,
    decode_text,
    describe_content,
    find_non_finite,
    is_memory_mapped,
    wide_encoding,
)
from embedscope.errors import FormatError


@pytest.mark.parametrize("order", ["C", "F"])
def test_first_non_finite_in_row_order(order):
    values = np.ones((50, 7), np.float32, order=order)  # type: ignore[call-overload]
    values[30, 1] = np.inf
    values[12, 5] = np.nan  # the first in row order, though not in column order
    assert find_non_finite(values) == (12, 5)
    assert find_non_finite(np.ones((3, 2), np.int64)) is None
    assert find_non_finite(np.zeros((0, 4), np.float32)) is None


def test_check_finite_message_is_one_based(tmp_path):
    values = np.zeros((5, 3), np.float32)
    values[3, 1] = -np.inf
    with pytest.raises(
        FormatError, match=r"m\.bin field `w`: tensor `w` row 4, column 2 holds -inf, expected a finite"
    ):
        check_finite(values, path=tmp_path / "m.bin", what="tensor `w`", field="w")
    with pytest.raises(FormatError, match=r"row 4, column 2 holds -inf, expected a finite number \(row for 'd'\)"):
        check_finite(values, path=None, labels=["a", "b", "c", "d", "e"])


def test_memory_maps_are_scanned_and_recognised(tmp_path):
    values = np.ones((1000, 4), np.float32)
    values[999, 3] = np.nan
    np.save(tmp_path / "v.npy", values)
    mapped = np.load(tmp_path / "v.npy", mmap_mode="r")
    assert is_memory_mapped(mapped) and is_memory_mapped(mapped[10:20].T)
    assert not is_memory_mapped(values)
    # numpy keeps the memmap class for copies in memory: those are not mapped
    assert not is_memory_mapped(mapped.astype(np.float64)) and not is_memory_mapped(mapped.copy())
    assert find_non_finite(mapped) == (999, 3)


def test_as_float32():
    native = np.ones((2, 2), np.float32)
    assert as_float32(native) is native
    big = np.array([[1e39, -1e39]])
    assert np.isinf(as_float32(big)).all()  # reported by check_finite, not by a warning
    assert as_float32(np.array([[1, 2]], ">f4")).dtype == np.dtype("=f4")
    bits = np.array([[0x3F80, 0xC000]], np.uint16)  # bfloat16 1.0 and -2.0
    assert as_float32(bits, bfloat16=True).tolist() == [[1.0, -2.0]]


def test_wide_encodings():
    assert wide_encoding("a\tb\n".encode("utf-16")) == "UTF-16"
    assert wide_encoding("word 0.1 0.2\n".encode("utf-16-be")) == "UTF-16"
    assert wide_encoding("word\n".encode("utf-32")) == "UTF-32"
    assert wide_encoding("word\n".encode("utf-32-le")) == "UTF-32"
    assert wide_encoding(b"plain text\n") is None
    assert wide_encoding(np.arange(64, dtype="<f4").tobytes()) is None  # binary floats are not UTF-16


def test_decode_text_names_line_and_column(tmp_path):
    assert decode_text(b"\xef\xbb\xbfcaf\xc3\xa9\r\n", path=None) == "café\r\n"
    with pytest.raises(FormatError, match=r"t\.txt line 2, column 4: is not UTF-8: byte 0xe9 cannot be decoded; save"):
        decode_text("ok\ncafé bar\n".encode("latin-1"), path=tmp_path / "t.txt")
    with pytest.raises(FormatError, match=r"t\.txt: is UTF-16, expected UTF-8; save it as UTF-8 \(e\.g\. iconv"):
        decode_text("ok\n".encode("utf-16"), path=tmp_path / "t.txt")


def test_describe_content():
    assert describe_content(b"0.1\t0.2\n0.3\t0.4\n") == "tab-separated text (first line '0.1\\t0.2')"
    assert describe_content(b"a,b\n1,2\n").startswith("comma-separated text")
    assert describe_content(b"PK\x03\x04rest") == "a zip archive"
    assert describe_content(b"\x93NUMPY\x01\x00") == "a NumPy .npy file"
    assert describe_content(bytes(range(1, 40)) + b"\x00\xff\xfe\xfd") == "binary data"


def test_memory_mapped_only_when_backed_by_a_file(tmp_path):
    np.save(tmp_path / "h.npy", np.zeros((3, 2), np.float16))
    mapped = np.load(tmp_path / "h.npy", mmap_mode="r")
    assert is_memory_mapped(mapped)
    assert not is_memory_mapped(mapped.astype(np.float32))
    assert not is_memory_mapped(np.zeros(3))
