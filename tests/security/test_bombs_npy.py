"""A .npy header whose shape overflows 64 bits is compared with the file's size as it is, not wrapped to 0."""

from __future__ import annotations

from pathlib import Path

from bombs_kit import npy_header
from bounded import assert_one_error_line, run_cli


def test_shape_product_past_64_bits(tmp_path: Path) -> None:
    path = tmp_path / "wrap.npy"
    path.write_bytes(npy_header((1 << 32, 1 << 32)) + bytes(64))  # 2**64 x 4 bytes: int64 arithmetic gives 0
    assert_one_error_line(run_cli("info", path), match=r"wrap\.npy: truncated: the header says .* = 73,786,976,294")
