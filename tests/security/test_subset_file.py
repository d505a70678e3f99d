"""`embedscope project --subset FILE`: a FIFO never blocks it, and an index of thousands of digits is one error line
(Python's int() refuses 4,300+ digits with a ValueError of its own)."""

from __future__ import annotations

import os

import numpy as np
from bounded import assert_one_error_line, run_cli


def _vectors(tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.arange(30, dtype=np.float32).reshape(10, 3))
    return path


def test_a_fifo_as_subset_file(tmp_path):
    fifo = tmp_path / "subset.txt"
    os.mkfifo(fifo)
    outcome = run_cli("project", _vectors(tmp_path), "--subset", fifo, "-o", tmp_path / "o.csv")
    assert_one_error_line(outcome, match="subset.txt: expected a regular subset file, found a FIFO")


def test_an_index_of_ten_thousand_digits(tmp_path):
    subset = tmp_path / "subset.txt"
    subset.write_text("0\n1\n" + "9" * 10_000 + "\n")
    outcome = run_cli("project", _vectors(tmp_path), "--subset", subset, "-o", tmp_path / "o.csv")
    line = assert_one_error_line(
        outcome, match=r"subset.txt line 3: row 9+.* is out of range: the embedding has 10 rows"
    )
    assert len(line) < 2000


def test_a_unicode_digit_is_not_an_index(tmp_path):
    subset = tmp_path / "subset.txt"
    subset.write_text("1\n\u00b2\n", encoding="utf-8")  # "²".isdigit() is True, int("²") raises
    outcome = run_cli("project", _vectors(tmp_path), "--subset", subset, "-o", tmp_path / "o.csv")
    assert_one_error_line(outcome, match=r"subset.txt line 2: expected a row index, found '\u00b2'")
