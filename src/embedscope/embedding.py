"""The data model: an Embedding (vectors + metadata + labels + sprite) and a Collection of named runs.

Over 400 lines: Embedding, its Steps and the Collection are one data model, used together everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from .checks import as_float32, check_finite, is_memory_mapped
from .errors import AmbiguousError, FormatError, NotFoundError, ParameterError
from .metadata import check_rows, column_strings, default_label_column, metadata_table
from .sprite import Sprite

__all__ = [
    "Collection",
    "Embedding",
    "Sprite",
    "Steps",
    "as_float32_matrix",
    "match_tensor_name",
    "metadata_table",
    "use_writer",
]

log = logging.getLogger(__name__)

VARIABLE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"  # how TF2 checkpoints key a variable's value

# What Embedding.save calls: formats/registry.py registers its save() when imported (as `import embedscope`
# does), so the data model never imports the formats built on it.
_writer: Callable[..., Path] | None = None


def use_writer(save: Callable[..., Path]) -> None:
    """Make `save` the function Embedding.save calls (formats/registry.py registers embedscope.save)."""
    global _writer
    _writer = save


def as_float32_matrix(vectors: Any, *, source: str | None = None) -> np.ndarray:
    """Return a float32 N x D array, copying only when the dtype or layout requires it."""
    arr = vectors if isinstance(vectors, np.ndarray) else np.asarray(vectors)
    if arr.ndim != 2:
        raise FormatError(
            f"expected a 2-D N x D matrix, found {arr.ndim}-D with shape {tuple(arr.shape)}",
            path=source,
            fix="pass a vocabulary_size x embedding_size table (reshape it first)",
        )
    if arr.dtype.kind not in "fiu" and arr.dtype.name != "bfloat16":
        raise FormatError(f"expected numbers, found dtype {arr.dtype}", path=source)
    return as_float32(arr)


def match_tensor_name(want: str, names: Iterable[str]) -> str | None:
    """The name `want` stands for: an exact match, else the one name that is `want` + "/.ATTRIBUTES/VARIABLE_VALUE".

    TF2 checkpoints key a variable as `embedding/.ATTRIBUTES/VARIABLE_VALUE`; `embedding` chooses it.
    """
    names = list(names)
    if want in names:
        return want
    short = [n for n in names if n.endswith(VARIABLE_SUFFIX) and n[: -len(VARIABLE_SUFFIX)] == want]
    if len(short) > 1:
        raise AmbiguousError(f"{want!r} matches {len(short)} tensors: {', '.join(short[:10])}", field="tensor")
    return short[0] if short else None


class OriginalVectors(Protocol):
    """Where a map's own vectors are when the embedding holds only its coordinates (a table too large for one
    machine, mapped on a cluster: distributed/served.py): neighbours by row are answered from them."""

    metric: str  # the one metric they answer

    @property
    def how(self) -> str:
        """How, in a few words (the index and its recall, or an exact scan)."""
        ...

    def nearest(self, row: int, k: int) -> list[tuple[int, float]]:
        """The k rows nearest to `row`, itself left out: (row, cosine similarity) or (row, euclidean distance)."""
        ...


class Embedding:
    """N vectors of D float32 numbers, with metadata whose row i describes vector i (see metadata.metadata_table).

    Vectors are checked for NaN/Inf when they are in memory (an array a Python user passes, say), which is an
    error naming the first row. A memory-mapped array is not scanned here, so opening a large file stays
    instant: the readers check what they map. `checked=True` says the caller has checked already.
    """

    def __init__(
        self,
        vectors: Any,
        *,
        name: str = "embedding",
        metadata: Any = None,
        label_column: str | None = None,
        sprite: Sprite | None = None,
        source: str | None = None,
        bookmarks_path: str | None = None,
        checked: bool = False,
        model: str | None = None,
    ) -> None:
        self.vectors: np.ndarray = as_float32_matrix(vectors, source=source)
        if not checked and not is_memory_mapped(self.vectors):
            check_finite(self.vectors, path=source, what="vectors")
        self.name = name
        self.source = source
        metadata = metadata_table(metadata)
        check_rows(metadata, self.vectors.shape[0], path=source)
        self.metadata: pa.Table | None = metadata
        if label_column is not None and (metadata is None or label_column not in metadata.column_names):
            have = [] if metadata is None else metadata.column_names
            raise NotFoundError(
                f"no metadata column `{label_column}`", field="label_column", fix=f"choose one of {have}"
            )
        self.label_column = label_column or default_label_column(metadata)
        if sprite is not None:
            sprite.check_holds(self.vectors.shape[0])
        self.sprite = sprite
        self.bookmarks_path = bookmarks_path
        self.model = (
            model  # the sentence-transformers model that made the vectors (embed/): what search by meaning uses
        )
        self.steps: Steps | None = None  # snapshots over training, when the source holds several (see Steps)
        self.original: OriginalVectors | None = None  # a map's own vectors, when the vectors are its coordinates
        self.map_columns: list[str] | None = None  # then the metadata columns holding them: what the page draws

    # -- shape -----------------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.vectors.shape[0]), int(self.vectors.shape[1]))

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def __repr__(self) -> str:
        cols = [] if self.metadata is None else self.metadata.column_names
        return f"Embedding({self.name!r}, shape={self.shape}, metadata={cols})"

    # -- labels ----------------------------------------------------------------------------------------
    @cached_property
    def labels(self) -> list[str]:
        """One display label per vector: the label column, or the row index when there is none."""
        if self.metadata is None or self.label_column is None:
            return [str(i) for i in range(len(self))]
        return column_strings(self.metadata, self.label_column)

    @cached_property
    def _label_index(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for i, label in enumerate(self.labels):
            index.setdefault(label, []).append(i)
        return index

    def indices_of(self, label: str) -> list[int]:
        """Every row whose label is `label` (empty when none)."""
        return list(self._label_index.get(label, []))

    def index_of(self, label: str) -> int:
        """The one row labelled `label`; errors when there is none or several."""
        rows = self._label_index.get(label)
        if not rows:
            raise NotFoundError(
                f"no point labelled {label!r} among {len(self):,} points (label column `{self.label_column}`)",
                fix="check the spelling, or give a row as #INDEX",
            )
        if len(rows) > 1:
            shown = ", ".join(f"#{i}" for i in rows[:10])
            raise AmbiguousError(
                f"label {label!r} is ambiguous: {len(rows)} points carry it ({shown})",
                fix="give the row as #INDEX",
            )
        return rows[0]

    def resolve(self, query: str | int) -> int:
        """A row from an int, `#INDEX` or a label."""
        if isinstance(query, int | np.integer):
            self._check_ids(np.asarray([query]))
            return int(query)
        if query.startswith("#") and query[1:].isdigit() and query not in self._label_index:
            index = int(query[1:])
            self._check_ids(np.asarray([index]))
            return index
        return self.index_of(query)

    # -- lookup ----------------------------------------------------------------------------------------
    def _check_ids(self, ids: np.ndarray) -> None:
        if ids.size == 0:
            return
        if not np.issubdtype(ids.dtype, np.integer):
            raise ParameterError(f"ids must be integers, found dtype {ids.dtype}", field="ids")
        bad = (ids < 0) | (ids >= len(self))
        if bad.any():
            first = int(ids[bad].flat[0])
            raise ParameterError(
                f"id {first} is out of range: this embedding has N = {len(self):,} rows (ids 0..{len(self) - 1})",
                field="ids",
            )

    def lookup(self, ids: Any) -> np.ndarray:
        """Rows for integer ids, shaped ids.shape + (D,), as `tf.nn.embedding_lookup` returns them."""
        arr = np.asarray(ids)
        if arr.dtype == object or arr.dtype.kind in "fb":
            raise ParameterError(f"ids must be integers, found dtype {arr.dtype}", field="ids")
        self._check_ids(arr)
        return np.asarray(self.vectors[arr.reshape(-1)]).reshape(*arr.shape, self.dim)

    def __getitem__(self, key: str | int) -> np.ndarray:
        return np.asarray(self.vectors[self.resolve(key)])

    def subset(self, indices: Sequence[int] | np.ndarray, *, name: str | None = None) -> Embedding:
        """A new Embedding of the given rows (metadata, sprite thumbnails and order follow)."""
        idx = np.asarray(indices, dtype=np.int64)
        self._check_ids(idx)
        return Embedding(
            np.asarray(self.vectors[idx]),
            name=name or self.name,
            metadata=None if self.metadata is None else self.metadata.take(pa.array(idx)),
            label_column=self.label_column,
            sprite=None if self.sprite is None else self.sprite.take(idx),
            source=self.source,
            checked=True,
            model=self.model,
        )

    def at(self, step: int | None) -> Embedding:
        """This embedding at a training step (None: as it is, the latest); its metadata and sprite are this one's."""
        if step is None or (self.steps is None and step == 0):
            return self
        if self.steps is None:
            raise NotFoundError(
                f"embedding {self.name!r} has no steps; asked for step {step}", field="step", fix="leave `step` out"
            )
        memo: dict[int, Embedding] = self.__dict__.setdefault("_at", {})
        if step in memo and memo[step].steps is self.steps:
            return memo[step]
        found = self.steps[step]
        if found.vectors.shape != self.vectors.shape:
            raise FormatError(
                f"step {step} of {self.name!r} is {found.shape[0]:,} x {found.shape[1]:,}, "
                f"the embedding {self.shape[0]:,} x {self.shape[1]:,}",
                path=found.source,
                fix="every step of an embedding must have the same shape",
            )
        out = Embedding(
            found.vectors,
            name=self.name,
            metadata=self.metadata,
            label_column=self.label_column,
            sprite=self.sprite,
            source=found.source,
            checked=True,
            model=self.model,
        )
        out.steps = self.steps
        memo[step] = out
        return out

    def with_metadata(self, metadata: pa.Table | None, *, label_column: str | None = None) -> Embedding:
        """The same vectors with other metadata (checked against N); steps stay."""
        out = Embedding(
            self.vectors,
            name=self.name,
            metadata=metadata,
            label_column=label_column,
            sprite=self.sprite,
            source=self.source,
            bookmarks_path=self.bookmarks_path,
            checked=True,
            model=self.model,
        )
        out.steps = self.steps
        return out

    def with_columns(self, columns: pa.Table) -> Embedding:
        """The same vectors with these metadata columns added, in place of any of the same name; the label column
        stays what it was (none stays none)."""
        table = self.metadata
        if table is None:
            table = columns
        else:
            table = table.drop_columns([c for c in columns.column_names if c in table.column_names])
            for name in columns.column_names:
                table = table.append_column(name, columns.column(name))
        new = self.with_metadata(table, label_column=self.label_column)
        new.label_column = self.label_column
        return new

    def save(self, path: str | Path, *, format: str | None = None, **options: Any) -> Path:
        """Write this embedding; the format comes from the path's suffix unless named (embedscope.save)."""
        if _writer is None:
            raise RuntimeError("no writer registered: import embedscope (formats/registry.py registers save)")
        return _writer(self, path, format=format, **options)


class Steps:
    """Snapshots of one embedding over training: step number -> Embedding, each read when first used.

    `loaders` maps each step to a function reading that step. `stamp` and `reload` let a long-lived reader (the
    server) see steps appended since: `stale()` says the source changed, `reload()` reads the embedding again
    (a new Embedding with new Steps), or None when it cannot.
    """

    def __init__(
        self,
        loaders: Mapping[int, Callable[[], Embedding]],
        *,
        stamp: Callable[[], object] | None = None,
        seen: object = None,
        reload: Callable[[], Embedding] | None = None,
    ) -> None:
        if not loaders:
            raise ParameterError("an embedding's steps need at least one step", field="steps")
        self._loaders = dict(sorted(loaders.items()))
        self._loaded: dict[int, Embedding] = {}
        self._stamp = stamp  # what stamp() gave before the source was read is `seen`
        self._seen = seen
        self._reload = reload

    def __repr__(self) -> str:
        return f"Steps({self.numbers})"

    @property
    def numbers(self) -> list[int]:
        """Every step, in increasing order."""
        return list(self._loaders)

    @property
    def latest(self) -> int:
        return self.numbers[-1]

    def __len__(self) -> int:
        return len(self._loaders)

    def __iter__(self) -> Iterator[int]:
        return iter(self._loaders)

    def __contains__(self, step: object) -> bool:
        return step in self._loaders

    def __getitem__(self, step: int) -> Embedding:
        if isinstance(step, bool) or not isinstance(step, int | np.integer) or int(step) not in self._loaders:
            shown = ", ".join(str(s) for s in self.numbers[:20]) + (", ..." if len(self) > 20 else "")
            raise NotFoundError(f"no step {step!r}", field="step", fix=f"choose one of: {shown}")
        step = int(step)
        if step not in self._loaded:
            self._loaded[step] = self._loaders[step]()
        return self._loaded[step]

    def hold(self, step: int, embedding: Embedding) -> None:
        """Use `embedding` as step `step` (already read) instead of reading it again."""
        self._loaded[step] = embedding

    def previous(self, step: int) -> int | None:
        """The step before `step` (None for the first)."""
        earlier = [s for s in self._loaders if s < step]
        return earlier[-1] if earlier else None

    def stale(self) -> bool:
        """Whether the source changed since these steps were read (a cheap check: a stat, no reading)."""
        return self._stamp is not None and self._reload is not None and self._stamp() != self._seen

    def reload(self) -> Embedding | None:
        """The embedding read again from its source (None when it cannot be); also marks the change as seen."""
        if self._stamp is not None:
            self._seen = self._stamp()
        return None if self._reload is None else self._reload()


@dataclass
class Collection:
    """Named runs, each holding one or more named embeddings (a log dir has runs; a checkpoint has tensors)."""

    runs: dict[str, dict[str, Embedding]] = field(default_factory=dict)
    source: str | None = None
    roots: dict[str, str] = field(default_factory=dict)  # run -> the folder it was read from (what the server may open)

    def add(self, run: str, embedding: Embedding) -> None:
        tensors = self.runs.setdefault(run, {})
        if embedding.name in tensors:
            raise AmbiguousError(f"run {run!r} has two tensors named {embedding.name!r}", path=self.source)
        tensors[embedding.name] = embedding

    def __iter__(self) -> Iterator[tuple[str, Embedding]]:
        for run, tensors in self.runs.items():
            for emb in tensors.values():
                yield run, emb

    def __len__(self) -> int:
        return sum(len(t) for t in self.runs.values())

    @staticmethod
    def _all(runs: dict[str, dict[str, Embedding]]) -> list[Embedding]:
        return [e for ts in runs.values() for e in ts.values()]

    def default(self) -> Embedding | None:
        """The embedding `get()` chooses when neither run nor tensor is named (None when that is ambiguous)."""
        every = self._all(self.runs)
        return every[0] if len(every) == 1 else _preferred(every)

    def get(self, *, run: str | None = None, tensor: str | None = None) -> Embedding:
        """One embedding, chosen by run and tensor name; either may be left out when unambiguous."""
        runs = self.runs
        if run is not None:
            if run not in runs:
                raise NotFoundError(f"no run {run!r}", path=self.source, field="run", fix=f"choose one of {list(runs)}")
            runs = {run: runs[run]}
        found = [(r, e) for r, ts in runs.items() for e in ts.values() if tensor is None or e.name == tensor]
        if not found and tensor is not None:
            found = [(r, ts[m]) for r, ts in runs.items() if (m := match_tensor_name(tensor, ts)) is not None]
        if not found:
            prefix = len(self.runs) > 1
            names = [f"{r}/{e.name}" if prefix else e.name for r, ts in runs.items() for e in ts.values()]
            names = [f"{n} ({len(e):,} x {e.dim:,})" for n, e in zip(names, self._all(runs), strict=True)]
            what = f"no tensor {tensor!r}" if tensor is not None else "no embeddings"
            raise NotFoundError(what, path=self.source, field="tensor", fix=f"choose one of: {', '.join(names)}")
        if len(found) > 1:
            preferred = _preferred([e for _, e in found]) if tensor is None else None
            if preferred is not None:
                log.warning(
                    "%d embeddings here; using %r, the largest one named like an embedding (choose with --tensor)",
                    len(found),
                    preferred.name,
                )
                return preferred
            choices = [f"{r}/{e.name}" if len(self.runs) > 1 else e.name for r, e in found]
            raise AmbiguousError(
                f"{len(found)} embeddings match: {', '.join(choices[:20])}",
                path=self.source,
                fix="choose one with --run/--tensor (run=/tensor= in Python)",
            )
        return found[0][1]


def _preferred(candidates: list[Embedding]) -> Embedding | None:
    """The largest embedding named like one ("embedding" in its name), when one is strictly the largest."""
    named = sorted((e for e in candidates if "embedding" in e.name.lower()), key=len, reverse=True)
    if named and (len(named) == 1 or len(named[0]) > len(named[1])):
        return named[0]
    return None
