"""A worker process killed in the middle of a run: dask runs its tasks again elsewhere (its nanny starts a new one),
and the output still has every row once, equal to an undisturbed run's."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

pytest.importorskip("distributed", reason="the distributed extra: pip install 'embedscope[distributed]'")

from embedscope.distributed import cluster_client, distributed_pca
from embedscope.formats.tables.shards import open_shards

pytestmark = pytest.mark.xdist_group("cluster")
SHARDS, ROWS, DIM = 24, 3000, 64


def coords_of(paths: list[Path]) -> np.ndarray:
    return np.concatenate([np.column_stack([pq.read_table(p).column(a).to_numpy() for a in "xy"]) for p in paths])


def test_a_killed_worker_loses_no_row_and_repeats_none(tmp_path: Path) -> None:
    from sklearn.datasets import load_digits

    digits = load_digits().data.astype(np.float32)
    rng = np.random.default_rng(0)
    folder = tmp_path / "shards"
    folder.mkdir()
    for i in range(SHARDS):  # real images, a little noise: 72,000 rows in 24 shards
        rows = digits[rng.integers(0, len(digits), ROWS)] + rng.normal(scale=0.1, size=(ROWS, DIM)).astype(np.float32)
        np.save(folder / f"{i:03d}.npy", rows)
    shards = open_shards(folder)
    with cluster_client("local:2") as client:
        calm = distributed_pca(shards, client, spherize=False, out=tmp_path / "calm")
        killed: list[str] = []

        def kill_one(stage: str, done: int, total: int) -> None:
            if stage == "sums" and done == 2 and not killed:
                victim = sorted(client.scheduler_info()["workers"])[0]
                pid = client.run(os.getpid, workers=[victim])[victim]
                killed.append(victim)
                os.kill(pid, signal.SIGKILL)  # the worker process, as an out-of-memory kill would end it

        hit = distributed_pca(shards, client, spherize=False, out=tmp_path / "hit", progress=kill_one)
    assert killed
    assert [p.name for p in hit.outputs] == [f"part-{i:05d}.parquet" for i in range(SHARDS)]
    assert sorted(p.name for p in (tmp_path / "hit").iterdir()) == [p.name for p in hit.outputs]  # no stray files
    assert hit.rows == SHARDS * ROWS and [pq.read_metadata(p).num_rows for p in hit.outputs] == [ROWS] * SHARDS
    np.testing.assert_allclose(coords_of(hit.outputs), coords_of(calm.outputs), atol=1e-4)
