"""The neighbour index on a cluster: FAISS inverted lists (IVF), trained on a sample, filled and searched shard by
shard on the workers, its recall measured on a sample against exact search and reported.

The coarse quantizer (`nlist` centroids, about 4 sqrt(N)) is trained once on a seeded sample; each worker adds its
shards' rows (ids: their row numbers in the whole table) to a copy and writes `index-00000.faiss`, ... beside a
small `index.json`. Codes are flat (exact vectors) while the vectors fit a memory budget, product-quantized (PQ,
8 bits a code, D/8 sub-vectors) past it. Cosine normalises the rows and searches by inner product. A search sends the
queries to every shard's index, each returns its k best, and the k best of those are the answer.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NotFoundError, ParameterError, require
from ..formats.tables.shards import ShardSet
from .pca import _as_completed, write_whole

FLAT_BUDGET = 8 << 30  # bytes of exact codes beyond which the codes are product-quantized
TRAIN_SAMPLE = 100_000
RECALL_QUERIES = 200
METRICS = ("cosine", "euclidean")


@dataclass
class IndexInfo:
    folder: str
    rows: int
    dim: int
    metric: str
    codes: str  # "flat" or "pq<m>"
    nlist: int
    nprobe: int
    shards: int
    recall: float | None  # share of the exact k nearest found, on RECALL_QUERIES sampled rows
    k: int


def _faiss() -> Any:
    return require("faiss", extra="distributed", purpose="the neighbour index on a cluster")


def _prepared(x: np.ndarray, metric: str) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=np.float32)
    if metric == "cosine":
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        x = x / norms
    return x


def fill_shard(shards: ShardSet, i: int, trained: bytes, metric: str, folder: Path) -> Path:
    """Shard i's rows added to a copy of the trained index, written whole to folder/index-<i>.faiss (a worker)."""
    faiss = _faiss()
    index = faiss.deserialize_index(np.frombuffer(trained, dtype=np.uint8))
    x = _prepared(shards.vectors(i), metric)
    start = shards.shards[i].start
    index.add_with_ids(x, np.arange(start, start + len(x), dtype=np.int64))
    return write_whole(Path(folder) / f"index-{i:05d}.faiss", lambda name: faiss.write_index(index, name))


def search_shard(path: Path, queries: np.ndarray, k: int, nprobe: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores, ids) of the k best rows of one shard's index for each query (a worker)."""
    faiss = _faiss()
    index = faiss.read_index(str(path))
    index.nprobe = nprobe
    return index.search(queries, k)


def exact_shard(shards: ShardSet, i: int, queries: np.ndarray, k: int, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """The exact k best rows of shard i for each query, as FAISS scores them (a worker; for the recall)."""
    faiss = _faiss()
    x = _prepared(shards.vectors(i), metric)
    flat = faiss.IndexFlatIP(x.shape[1]) if metric == "cosine" else faiss.IndexFlatL2(x.shape[1])
    flat.add(x)
    scores, ids = flat.search(queries, min(k, len(x)))
    ids = np.where(ids >= 0, ids + shards.shards[i].start, -1)
    if ids.shape[1] < k:  # a shard of fewer rows than k: pad
        pad = k - ids.shape[1]
        worst = -np.inf if metric == "cosine" else np.inf
        scores = np.hstack([scores, np.full((len(ids), pad), worst, dtype=scores.dtype)])
        ids = np.hstack([ids, np.full((len(ids), pad), -1)])
    return scores, ids


def _merge(parts: list[tuple[np.ndarray, np.ndarray]], k: int, metric: str) -> tuple[np.ndarray, np.ndarray]:
    scores = np.hstack([s for s, _ in parts])
    ids = np.hstack([i for _, i in parts])
    order = np.argsort(-scores if metric == "cosine" else scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(scores, order, axis=1), np.take_along_axis(ids, order, axis=1)


def build_index(
    shards: ShardSet,
    client: Any,
    *,
    out: Path,
    metric: str = "cosine",
    nlist: int | None = None,
    codes: str = "auto",
    k: int = 10,
    random_state: int = 0,
) -> IndexInfo:
    """Train, fill (on the workers) and measure the index of every row of `shards`; see the module's docstring."""
    from .umap import sample_rows

    faiss = _faiss()
    if metric not in METRICS:
        raise ParameterError(f"`metric` must be one of {list(METRICS)}, got {metric!r}", field="metric")
    n, d = shards.rows, shards.dim
    nlist = nlist or max(1, min(int(4 * math.sqrt(n)), n // 39))  # FAISS wants >= 39 training points a centroid
    if not 1 <= nlist <= n:
        raise ParameterError(f"`nlist` must be from 1 to {n:,} (the rows), got {nlist}", field="nlist")
    if codes == "auto":
        codes = "flat" if n * d * 4 <= FLAT_BUDGET else "pq"
    if codes not in ("flat", "pq"):
        raise ParameterError(f"`codes` must be auto, flat or pq, got {codes!r}", field="codes")
    rng = np.random.default_rng(random_state)
    chosen = np.sort(rng.choice(n, size=min(TRAIN_SAMPLE, n), replace=False))
    sample = _prepared(_gather(shards, client, chosen, sample_rows), metric)
    kind = faiss.METRIC_INNER_PRODUCT if metric == "cosine" else faiss.METRIC_L2
    quantizer = faiss.IndexFlatIP(d) if metric == "cosine" else faiss.IndexFlatL2(d)
    if codes == "flat":
        index = faiss.IndexIVFFlat(quantizer, d, nlist, kind)
    else:
        m = next(m for m in (d // 8, d // 4, d // 2, d, 1) if m >= 1 and d % m == 0)
        index = faiss.IndexIVFPQ(quantizer, d, nlist, m, 8, kind)
        codes = f"pq{m}"
    index.train(sample)
    trained = faiss.serialize_index(index).tobytes()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    count = len(shards.shards)
    [shared] = client.scatter([trained], broadcast=True, hash=False)  # the trained index: to each worker once
    filled = [client.submit(fill_shard, shards, i, shared, metric, folder, pure=False) for i in range(count)]
    list(_as_completed(client, filled))
    nprobe = min(nlist, max(8, math.ceil(nlist / 16)))  # lists searched per query: a sixteenth, at least 8
    info = IndexInfo(str(folder), n, d, metric, codes, nlist, nprobe, count, None, k)
    queries_at = np.sort(rng.choice(n, size=min(RECALL_QUERIES, n), replace=False))
    queries = _prepared(_gather(shards, client, queries_at, sample_rows), metric)
    info.recall = _recall(shards, client, info, queries, k)
    (folder / "index.json").write_text(json.dumps(asdict(info), indent=2), encoding="utf-8")
    return info


def _gather(shards: ShardSet, client: Any, rows: np.ndarray, reader: Any) -> np.ndarray:
    """The vectors of global rows `rows` (sorted), read on the workers, in that order."""
    starts = np.array([s.start for s in shards.shards])
    owner = np.searchsorted(starts, rows, side="right") - 1
    count = len(shards.shards)
    local = [rows[owner == i] - starts[i] for i in range(count)]
    return np.concatenate(
        client.gather(client.map(reader, [shards] * count, range(count), local, centre=None, pure=False))
    )


def _each(client: Any, func: Any, firsts: list[Any], *args: Any) -> list[Any]:
    """func(first, *args) for each of `firsts` on the workers, in order; the arguments go to each worker once
    (scattered: large ones passed to map as keywords trip dask up)."""
    big = [i for i, a in enumerate(args) if isinstance(a, np.ndarray | bytes)]
    scattered = client.scatter([args[i] for i in big], broadcast=True, hash=False) if big else []
    shared = list(args)
    for i, future in zip(big, scattered, strict=True):
        shared[i] = future
    return client.gather([client.submit(func, first, *shared, pure=False) for first in firsts])


def _exact_of(pair: tuple[ShardSet, int], queries: np.ndarray, k: int, metric: str) -> tuple[np.ndarray, np.ndarray]:
    return exact_shard(pair[0], pair[1], queries, k, metric)


def _recall(shards: ShardSet, client: Any, info: IndexInfo, queries: np.ndarray, k: int) -> float:
    pairs = [(shards, i) for i in range(len(shards.shards))]
    exact = _merge(_each(client, _exact_of, pairs, queries, k, info.metric), k, info.metric)[1]
    found = search(info, client, queries, k=k)[1]
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(exact, found, strict=True)]))


def load_index(folder: Path) -> IndexInfo:
    path = Path(folder) / "index.json"
    if not path.is_file():
        raise NotFoundError(
            "no index.json here: not an index folder", path=folder, fix="build one with embedscope index"
        )
    return IndexInfo(**json.loads(path.read_text(encoding="utf-8")))


def search(
    info: IndexInfo, client: Any, queries: np.ndarray, *, k: int = 10, nprobe: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, row ids) of the k best rows for each (prepared) query, every shard's index searched on the workers."""
    paths = [Path(info.folder) / f"index-{i:05d}.faiss" for i in range(info.shards)]
    parts = _each(client, search_shard, paths, queries, k, nprobe or info.nprobe)
    return _merge(parts, k, info.metric)


def _labels_at(shards: ShardSet, i: int, rows: np.ndarray, column: str | None) -> list[str]:
    """The labels of shard i's local rows `rows` (their row numbers when there is no label column) (a worker)."""
    if column is None or shards.kind != "parquet":
        return [str(shards.shards[i].start + int(r)) for r in rows]
    import pyarrow.parquet as pq

    values = pq.read_table(shards.shards[i].path, columns=[column]).column(column).take(rows).to_pylist()
    return ["" if v is None else str(v) for v in values]


def _find_label(shards: ShardSet, i: int, label: str, column: str | None) -> int:
    """The first global row of shard i labelled `label`, or -1 (a worker)."""
    if column is None or shards.kind != "parquet":
        return -1
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    values = pq.read_table(shards.shards[i].path, columns=[column]).column(column).cast("string")
    hits = pc.indices_nonzero(pc.equal(values, label)).to_numpy()
    return int(shards.shards[i].start + hits[0]) if len(hits) else -1


def label_column(shards: ShardSet) -> str | None:
    """The column labels come from: as one machine chooses it (a column named label, word, token, name or title,
    else the first text column)."""
    import pyarrow.parquet as pq

    from ..metadata import default_label_column

    if shards.kind != "parquet" or not shards.columns:
        return None
    schema = pq.read_schema(shards.shards[0].path)
    return default_label_column(schema.empty_table().select(shards.columns))


def neighbors_of(
    shards: ShardSet, info: IndexInfo, client: Any, query: str, *, k: int = 10
) -> tuple[str, list[tuple[int, str, float]]]:
    """(the query's label, [(row, label, similarity or distance)]) of the k rows nearest to a row given as
    `#ROW` or by its label, through the index; the query row itself left out."""
    from .umap import sample_rows

    column = label_column(shards)
    if query.startswith("#") and query[1:].isdigit():
        row = int(query[1:])
        if not 0 <= row < shards.rows:
            raise ParameterError(f"row {row:,} is out of range: {shards.rows:,} rows", field="query")
    else:
        found = [
            r
            for r in _each(client, _find_label_of, [(shards, i) for i in range(len(shards.shards))], query, column)
            if r >= 0
        ]
        if not found:
            raise NotFoundError(f"no row labelled {query!r} (label column `{column}`)", field="query", fix="give #ROW")
        row = found[0]
    vector = _prepared(_gather(shards, client, np.array([row]), sample_rows), info.metric)
    scores, ids = search(info, client, vector, k=k + 1)
    hits = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0 and i != row][:k]
    starts = np.array([s.start for s in shards.shards])
    labels: dict[int, str] = {}
    for i in range(len(shards.shards)):
        mine = [r for r, _ in [*hits, (row, 0.0)] if np.searchsorted(starts, r, side="right") - 1 == i]
        if mine:
            local = np.array(mine) - starts[i]
            labels.update(zip(mine, _labels_at(shards, i, local, column), strict=True))
    return labels[row], [(r, labels[r], s) for r, s in hits]


def _find_label_of(pair: tuple[ShardSet, int], label: str, column: str | None) -> int:
    return _find_label(pair[0], pair[1], label, column)
