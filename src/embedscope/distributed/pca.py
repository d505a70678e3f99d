"""Exact PCA on a cluster, spherized as on one machine (rows centred on the column mean and scaled to length 1,
by default from 50 dimensions: a first pass sums the columns). Each worker sums its shards' rows and their products
(shifted by one common estimate of the mean, in float64); the sums are added up, the covariance's top eigenvectors
are the components (signs as scikit-learn's); then each worker writes its shards' coordinates as Parquet shards,
row for row with the input (`part-00000.parquet`: x, y[, z]). The answer equals the single-machine PCA of the
whole table (compute/pca.py)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..compute.pca import _flip
from ..errors import ParameterError
from ..formats.tables.shards import ShardSet

BLOCK = 65_536  # rows multiplied at once on a worker
AXES = ("x", "y", "z")


@dataclass
class DistributedPCA:
    components: np.ndarray  # k x D float32
    mean: np.ndarray  # D float32
    explained_variance_ratio: np.ndarray  # k float64
    rows: int
    outputs: list[Path]  # one coordinates shard per input shard, in order


def shard_sums(shards: ShardSet, i: int) -> tuple[int, np.ndarray]:
    """(rows, column sums) of shard i, float64 (on a worker)."""
    x = shards.vectors(i)
    sums = np.zeros(x.shape[1])
    for start in range(0, len(x), BLOCK):
        sums += np.asarray(x[start : start + BLOCK]).sum(axis=0, dtype=np.float64)
    return len(x), sums


def _rows(x: np.ndarray, centre: np.ndarray | None) -> np.ndarray:
    """Rows as the projection reads them: spherized (float32, as compute/prep.py does) when `centre` is given."""
    if centre is None:
        return np.asarray(x, dtype=np.float32)
    block = np.subtract(x, centre.astype(np.float32), dtype=np.float32)
    norms = np.sqrt(np.einsum("ij,ij->i", block, block))
    norms[norms == 0] = 1.0
    return block / norms[:, None]


def shard_moments(
    shards: ShardSet, i: int, shift: np.ndarray, centre: np.ndarray | None = None
) -> tuple[int, np.ndarray, np.ndarray]:
    """(rows, column sums, Gram matrix) of shard i's rows (spherized around `centre` when given) minus `shift`,
    float64 (on a worker)."""
    x = shards.vectors(i)
    d = x.shape[1]
    gram, sums = np.zeros((d, d)), np.zeros(d)
    for start in range(0, len(x), BLOCK):
        block = _rows(x[start : start + BLOCK], centre).astype(np.float64) - shift
        gram += block.T @ block
        sums += block.sum(axis=0)
    return len(x), sums, gram


def write_coords(
    shards: ShardSet, i: int, components: np.ndarray, mean: np.ndarray, out: Path, centre: np.ndarray | None = None
) -> Path:
    """Shard i's coordinates on the components, written as out/part-<i>.parquet (on a worker; written whole, then
    moved into place, so a retried task leaves one file)."""
    x = _rows(shards.vectors(i), centre)
    return write_shard((np.asarray(x, dtype=np.float64) - mean) @ components.T, out, i)


def write_whole(path: Path, write: Callable[[str], None]) -> Path:
    """`write(name)` to a temporary file beside `path`, then moved into place: a task that runs again (its worker
    lost) leaves one whole file, and a write that fails leaves none."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_shard(coords: np.ndarray, out: Path, i: int) -> Path:
    """Coordinates (x, y[, z], float32) written whole as out/part-<i>.parquet."""
    table = pa.table({AXES[a]: pa.array(np.asarray(coords[:, a], dtype=np.float32)) for a in range(coords.shape[1])})
    return write_whole(Path(out) / f"part-{i:05d}.parquet", lambda name: pq.write_table(table, name))


def distributed_pca(
    shards: ShardSet,
    client: Any,
    *,
    n_components: int = 2,
    spherize: bool | None = None,
    out: Path,
    progress: Callable[[str, int, int], None] | None = None,
) -> DistributedPCA:
    """PCA of every row of `shards` on `client`'s workers; coordinates written under `out` (see the docstring).
    `spherize` None: when the vectors have 50 dimensions or more, as on one machine."""

    if n_components not in (2, 3):
        raise ParameterError(f"`n_components` must be 2 or 3, got {n_components}", field="n_components")
    if shards.rows < 2 or shards.dim < n_components:
        raise ParameterError(f"PCA of {shards.rows:,} x {shards.dim:,} data to {n_components}-D", field="n_components")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    count = len(shards.shards)
    sphere = column_mean(shards, client, spherize=spherize, progress=progress)  # what rows are spherized around
    first = _rows(shards.vectors(0)[:4096], sphere)
    shift = np.asarray(first, dtype=np.float64).mean(axis=0)
    futures = client.map(shard_moments, [shards] * count, range(count), shift=shift, centre=sphere, pure=False)
    n, sums, gram = 0, np.zeros(shards.dim), np.zeros((shards.dim, shards.dim))
    for done, (rows, s, g) in enumerate(_as_completed(client, futures), start=1):
        n, sums, gram = n + rows, sums + s, gram + g
        _say(progress, "sums", done, count)
    centre = sums / n
    cov = (gram - n * np.outer(centre, centre)) / (n - 1)
    values, vectors = np.linalg.eigh(cov)
    values = np.clip(values[::-1][:n_components], 0.0, None)
    components = _flip(vectors[:, ::-1][:, :n_components].T)
    mean = centre + shift
    total = float(np.trace(cov))
    ratio = values / total if total > 0 else np.zeros(n_components)
    writes = client.map(
        write_coords,
        [shards] * count,
        range(count),
        components=components,
        mean=mean,
        out=out,
        centre=sphere,
        pure=False,
    )
    paths = []
    for done, path in enumerate(_as_completed(client, writes), start=1):
        paths.append(path)
        _say(progress, "coordinates", done, count)
    return DistributedPCA(
        components.astype(np.float32), mean.astype(np.float32), ratio, n, sorted(Path(p) for p in paths)
    )


def column_mean(
    shards: ShardSet, client: Any, *, spherize: bool | None, progress: Callable[[str, int, int], None] | None = None
) -> np.ndarray | None:
    """The column mean the rows are spherized around (a pass over every shard), or None when they are not (spherize
    None: from 50 dimensions, as on one machine)."""
    from ..compute.prep import default_spherize

    if not (default_spherize(shards.dim) if spherize is None else spherize):
        return None
    count = len(shards.shards)
    n, sums = 0, np.zeros(shards.dim)
    futures = client.map(shard_sums, [shards] * count, range(count), pure=False)
    for done, (rows, s) in enumerate(_as_completed(client, futures), start=1):
        n, sums = n + rows, sums + s
        _say(progress, "mean", done, count)
    return (sums / n).astype(np.float32)


def _as_completed(client: Any, futures: list[Any]) -> Any:
    from distributed import as_completed

    for future in as_completed(futures):
        yield future.result()


def _say(progress: Callable[[str, int, int], None] | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)
