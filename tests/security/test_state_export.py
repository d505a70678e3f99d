"""Export streams: the file is made and sent a slice of rows at a time, so a request for a file of hundreds of MB
costs the server a bounded amount of memory, and the file is what it was, byte for byte (#13)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyarrow.parquet as pq
import pytest

from embedscope.formats.coords import coords_table, write_table
from embedscope.server.routes import export

BASE = "/api/runs/r0/embeddings/e0/export"
HERE = Path(__file__).parent


def _finished(client: Any, **request: Any) -> Any:
    job = client.state.jobs.start("r0", "e0", **request)
    if job.future is not None:
        job.future.result(timeout=60)
    return job


def _whole(client: Any, tmp_path: Path, fmt: str, *, indices: Any = None, job: Any = None, metadata: bool = True):
    """The file as the export wrote it before it streamed: the whole table, by formats.coords.write_table."""
    emb = client.state.embedding("r0", "e0")
    rows = np.arange(len(emb)) if indices is None else np.asarray(indices, dtype=np.int64)
    coords = None
    if job is not None:
        coords = job.result.coords if indices is None else job.result.coords[rows]
    table = coords_table(emb, coords, indices=rows, metadata=metadata)
    return write_table(table, tmp_path / f"whole.{fmt}", format=fmt).read_bytes()


@pytest.mark.parametrize("slice_rows", [None, 3])
@pytest.mark.parametrize("fmt", ["csv", "tsv", "parquet"])
def test_the_streamed_file_is_what_it_was(client, tmp_path: Path, monkeypatch, fmt: str, slice_rows) -> None:
    if slice_rows is not None:  # several slices, the last one short
        monkeypatch.setattr(export, "MIN_CHUNK_ROWS", slice_rows)
        monkeypatch.setattr(export, "MAX_CHUNK_ROWS", slice_rows)
    job = _finished(client, method="pca")
    cases = [
        (client.get(BASE, params={"format": fmt}), {}),
        (
            client.get(BASE, params={"format": fmt, "job_id": job.id, "metadata": "false"}),
            {"job": job, "metadata": False},
        ),
        (client.post(BASE, json={"format": fmt, "indices": [7, 1, 1, 4]}), {"indices": [7, 1, 1, 4]}),
        (client.post(BASE, json={"format": fmt, "indices": [], "job_id": job.id}), {"indices": [], "job": job}),
    ]
    for response, request in cases:
        assert response.status_code == 200, response.text
        expected = _whole(client, tmp_path, fmt, **request)
        if fmt != "parquet" or slice_rows is None:
            assert response.content == expected, request
        else:  # one row group per slice: the same table
            assert pq.read_table(io.BytesIO(response.content)).equals(pq.read_table(io.BytesIO(expected)))
            assert pq.ParquetFile(io.BytesIO(response.content)).metadata.num_row_groups == max(
                1, -(-len(request.get("indices", range(8))) // slice_rows)
            )


def test_an_error_before_the_first_slice_is_the_one_error_shape(client, expect_error) -> None:
    expect_error(client.post(BASE, json={"indices": [99]}), 422, "parameter", match="out of range")


def _memory(pid: int) -> dict[str, int]:
    """VmHWM (peak) and VmRSS of a process, in MiB."""
    out = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0]) // 1024
    return out


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="measures peak memory through Linux /proc")
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_large_export_streams_in_bounded_memory(tmp_path: Path, fmt: str) -> None:
    """100k rows with 500 bytes of metadata text each, exported 6 times over (600k rows): a 4 MB request for a
    file of about 300 MiB. Made whole, the table and the file took about twice the file's size (595-600 MiB more, as
    measured); streamed, the server's peak grows by the request's indices and a slice or two (36 MiB for CSV, 127 MiB
    for Parquet's larger row groups, as measured)."""
    rows, text, times = 100_000, 500, 6
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(export.__file__).parents[3]), str(HERE)])}
    child = subprocess.Popen(
        [sys.executable, str(HERE / "state_export_server.py"), str(tmp_path), str(rows), str(text)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        Path(f"/proc/{child.pid}/clear_refs").write_text("5")  # the peak so far (making the data) is forgotten
        before = _memory(child.pid)
        body = json.dumps({"indices": list(range(rows)) * times, "format": fmt}).encode()
        size, lines, tail = 0, 0, b""
        with (
            httpx.Client(timeout=600) as http,
            http.stream("POST", url + BASE, content=body, headers={"content-type": "application/json"}) as response,
        ):
            assert response.status_code == 200
            for chunk in response.iter_bytes():
                size, lines, tail = size + len(chunk), lines + chunk.count(b"\n"), (tail + chunk)[-2000:]
        after = _memory(child.pid)
    finally:
        child.terminate()
        child.wait(timeout=60)
    if fmt == "csv":
        assert lines == rows * times + 1 and f'\n{rows - 1},"w{rows - 1}",'.encode() in tail
    assert size > 250 * 2**20 and tail.endswith(b"PAR1" if fmt == "parquet" else b"\n")
    growth = after["VmHWM"] - before["VmRSS"]
    assert growth < 250, f"the server's peak memory grew by {growth} MiB for a {size >> 20} MiB export"
