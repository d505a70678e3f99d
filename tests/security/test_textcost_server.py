"""A metadata upload whose header repeats one name 3,000 times: answered at once, with one warning, by a live server.

The renaming of repeated names took cubic time (three such 4 KB uploads pinned the server for 40 s each) and
logged a line per renamed column.
"""

from __future__ import annotations

import logging

import httpx
import pytest

UPLOAD = "/api/runs/r0/embeddings/e0/metadata"
HANG_GUARD = 120  # seconds: far above the second or two a linear reader takes


def _header_bomb(rows: int, columns: int = 3000) -> bytes:
    lines = ["\t".join(["a"] * columns)] + ["\t".join([str(i)] * columns) for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_three_uploads_of_3000_repeated_names_are_answered_with_one_warning_each(
    start_live, data, caplog: pytest.LogCaptureFixture
) -> None:
    base = start_live(data())
    upload = _header_bomb(rows=8)
    with caplog.at_level(logging.WARNING, logger="embedscope"), httpx.Client(base_url=base, timeout=HANG_GUARD) as http:
        for _ in range(3):
            response = http.post(UPLOAD, files={"file": ("wide.tsv", upload)})
            assert response.status_code == 200, response.text[:500]
        columns = http.get(UPLOAD, params={"format": "json", "limit": 1}).json()["columns"]
    assert columns[:3] == ["a", "a_2", "a_3"] and len(columns) == 3000 and len(set(columns)) == 3000
    renamed = [r.getMessage() for r in caplog.records if "renamed" in r.getMessage()]
    assert len(renamed) == 3, renamed[:5]  # one line per upload
    assert all(len(line) < 1000 and "2,999 header columns renamed" in line for line in renamed)
