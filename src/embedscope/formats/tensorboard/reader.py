"""TensorBoard log dirs for the Embedding Projector: read their runs (writing is in writer.py).

Each `embeddings { ... }` entry of a run's projector config takes its tensor from `tensor_path` (TSV, or raw
little-endian float32 `.bytes` with `tensor_shape`) or, by `tensor_name`, from the run's checkpoint:
`model_checkpoint_path`, the latest one in `model_checkpoint_dir`, else the latest one in the run folder (or
its parent). Listed embeddings come first, then the checkpoint's other 2-D float variables. With a tensor
chosen, only the entries and variables of that name are read. Reading everything, an embedding that cannot
be read is skipped with a warning; the log dir fails only when none can be. Layout and path rules are in
logdir.py. (Over 400 lines: one reader of one config format, entries, checkpoints and steps, kept together.)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO, Any

import numpy as np
import pyarrow as pa

from ...checks import check_finite
from ...embedding import Collection, Embedding, Steps
from ...errors import AmbiguousError, FormatError, NotFoundError
from ...files import open_regular
from ...metadata import typed_table
from ...sprite import Sprite
from .._selection import SKIPPABLE, choose, missing, read_each
from ..options import ReadOptions
from ..side_files import present
from ..tensorflow import checkpoint as tf_checkpoint
from ..tensorflow import pbtxt
from .logdir import (
    CONFIG_NAME,
    CONFIG_SCHEMA,
    PLUGIN_ASSETS,
    SNIFF_BYTES,
    LogDir,
    Run,
    find_runs,
    reads_as_text,
)
from .writer import split_step, write

__all__ = ["CONFIG_NAME", "CONFIG_SCHEMA", "PLUGIN_ASSETS", "find_runs", "read", "reads_as_text", "write"]

log = logging.getLogger(__name__)


def _tensor_file(
    path: Path, shape: list[int], *, config: Path | None, line: int, root: Path
) -> tuple[np.ndarray, list[str] | None]:
    """Vectors from a tensor_path: TSV, or raw little-endian float32 with tensor_shape (memory-mapped).

    The file is opened confined to the log dir `root` (a regular file, under it once links are resolved)."""
    from .. import tsv

    if not present(path, what="tensor_path file", root=root):
        raise NotFoundError("tensor_path file not found", path=path, fix=f"fix tensor_path in {config}")
    suffix = path.suffix.lower()
    if suffix == ".bytes" and not shape:
        raise FormatError(
            "a raw float32 tensor_path needs tensor_shape",
            path=config,
            line=line,
            fix="add `tensor_shape: N` and `tensor_shape: D` to this embeddings entry",
        )
    if suffix != ".bytes" and (not shape or suffix in (".tsv", ".txt")):
        vectors, labels = tsv.read_vectors(path, root=root)
    else:
        with open_regular(path, root=root, what="tensor_path file") as fh:
            head = fh.read(SNIFF_BYTES)
            if suffix == ".bytes" or not reads_as_text(head, complete=len(head) < SNIFF_BYTES):
                return _raw_float32(path, fh, shape, config=config, line=line), None
        vectors, labels = tsv.read_vectors(path, root=root)
    if shape and list(vectors.shape) != shape:
        raise FormatError(
            f"tensor_shape {shape} does not match the {vectors.shape[0]:,} x {vectors.shape[1]:,} vectors "
            f"in {path.name}",
            path=config,
            line=line,
            fix="fix tensor_shape, or leave it out for a TSV tensor",
        )
    return vectors, labels


def _raw_float32(path: Path, fh: IO[bytes], shape: list[int], *, config: Path | None, line: int) -> np.ndarray:
    if len(shape) != 2:
        raise FormatError(
            f"tensor_shape has {len(shape)} numbers {shape}; a raw float32 tensor needs 2 (N and D)",
            path=config,
            line=line,
        )
    n, dim = shape
    size = os.fstat(fh.fileno()).st_size
    if size != n * dim * 4:
        raise FormatError(
            f"expected {n:,} x {dim:,} float32 = {n * dim * 4:,} bytes for tensor_shape [{n}, {dim}], "
            f"found {size:,} bytes",
            path=path,
            fix="tensor_shape must give the rows and columns of the raw little-endian float32 file",
        )
    vectors = np.memmap(fh, dtype="<f4", mode="r", shape=(n, dim)) if size else np.zeros((n, dim), np.float32)
    check_finite(vectors, path=path)
    return vectors


def _read_entry(
    logdir: LogDir,
    run: Run,
    entry: pbtxt.Message,
    bundle: Callable[[], tf_checkpoint.Bundle | None],
    memo: dict[tuple[str, Path], Any] | None = None,
) -> Embedding:
    """One embeddings entry as an Embedding (`memo` shares metadata and sprites read for other entries)."""
    config = run.config
    base = config.parent if config else run.folder

    def resolve(field: str, value: str, owner: pbtxt.Message = entry) -> Path:
        return logdir.confine(value, base, what=field, config=config, line=owner.where(field)[0])

    name = entry_name(entry)
    shape = _shape(entry)
    line = entry.line
    labels: list[str] | None = None
    if entry.string("tensor_path"):
        source = resolve("tensor_path", entry.string("tensor_path"))
        vectors, labels = _tensor_file(source, shape, config=config, line=line, root=logdir.real)
    else:
        checkpoint = bundle()
        if checkpoint is None:
            raise NotFoundError(
                f"embedding `{name}` has no tensor_path and run {run.name!r} has no checkpoint",
                path=config,
                line=line,
                fix="add tensor_path (with tensor_shape for .bytes) or model_checkpoint_path",
            )
        key = checkpoint.resolve(name)
        vectors = checkpoint.read_matrix(key)
        source = Path(f"{checkpoint.prefix}.index")
        if shape and list(vectors.shape) != shape:
            raise FormatError(
                f"tensor_shape {shape} does not match checkpoint tensor `{key}` of shape {list(vectors.shape)}",
                path=config,
                line=line,
                fix="fix or remove tensor_shape",
            )
    n = int(vectors.shape[0])
    memo = {} if memo is None else memo
    metadata = _memoised(
        memo, "metadata", entry.string("metadata_path"), base, lambda: _metadata(resolve, entry, n, logdir.real)
    )
    if metadata is None and labels is not None:
        metadata = typed_table({"label": labels})
    sprite_msg = entry.get("sprite")
    sprite = None
    if isinstance(sprite_msg, pbtxt.Message):
        message = sprite_msg
        image = message.string("image_path")
        sprite = _memoised(memo, "sprite", image, base, lambda: _sprite(resolve, message, n, config, logdir.real))
        if sprite is not None:
            sprite.check_holds(n)
    bookmarks = entry.string("bookmarks_path")
    embedding = Embedding(
        vectors,
        name=name,
        metadata=metadata,
        sprite=sprite,
        source=str(source),
        bookmarks_path=str(resolve("bookmarks_path", bookmarks)) if bookmarks else None,
        checked=True,
    )
    return embedding


def _memoised(memo: dict[tuple[str, Path], Any], kind: str, value: str, base: Path, read: Callable[[], Any]) -> Any:
    """What `read()` gives for the file `value` names, read once per file (step entries share them)."""
    if not value:
        return read()
    key = (kind, base / value)
    if key not in memo:
        memo[key] = read()
    return memo[key]


def _stat(path: Path | None) -> object:
    """What changes when a file is replaced or written: (inode, size, mtime in ns); None when it is missing."""
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def entry_name(entry: pbtxt.Message) -> str:
    """The name an embeddings entry goes by: its tensor_name (without `:0`), else its tensor_path's file name."""
    name = entry.string("tensor_name")
    name = name[:-2] if name.endswith(":0") else name
    return name or PurePosixPath(entry.string("tensor_path")).name


def _shape(entry: pbtxt.Message) -> list[int]:
    return [int(v) for v in entry.all("tensor_shape") if isinstance(v, int)]


def _metadata(resolve: Callable[[str, str], Path], entry: pbtxt.Message, n: int, root: Path) -> pa.Table | None:
    from .. import tsv

    value = entry.string("metadata_path")
    if not value:
        return None
    path = resolve("metadata_path", value)
    if not present(path, what="metadata_path file", root=root):
        raise NotFoundError("metadata_path file not found", path=path, fix="fix metadata_path in the projector config")
    return tsv.read_metadata(path, n=n, root=root)


def _sprite(resolve: Callable[..., Path], msg: pbtxt.Message, n: int, config: Path | None, root: Path) -> Sprite | None:
    from .. import sprite

    image = msg.string("image_path")
    if not image:
        return None
    dims = [int(v) for v in msg.all("single_image_dim") if isinstance(v, int)]
    if len(dims) != 2 or min(dims) <= 0:
        raise FormatError(
            f"sprite single_image_dim must be 2 positive numbers (width, height), found {dims}",
            path=config,
            line=msg.line,
            fix="add `single_image_dim: W` and `single_image_dim: H` to the sprite",
        )
    path = resolve("image_path", image, msg)
    return sprite.read_sprite(path, (dims[0], dims[1]), n=n, root=root)


_Item = tuple[str, Callable[[], tuple[str, Embedding]]]


class _RunReader:
    """The embeddings of one run, each as a reader to call: listed entries first, then checkpoint variables."""

    def __init__(self, logdir: LogDir, run: Run) -> None:
        self.logdir = logdir
        self.run = run
        self.stamp = _stat(run.config)  # before reading: a change made while reading shows as stale
        self.memo: dict[tuple[str, Path], Any] = {}
        self.config = pbtxt.read(run.config, schema=CONFIG_SCHEMA, root=logdir.real) if run.config else pbtxt.Message()
        self.entries = self.config.messages("embeddings")
        # TensorBoard: a first entry with neither tensor_name nor tensor_path gives defaults to unlisted variables
        first = self.entries[0] if self.entries else None
        plain = first is not None and not first.string("tensor_name") + first.string("tensor_path")
        self.defaults = self.entries.pop(0) if plain else None
        self._opened: list[tf_checkpoint.Bundle | None] = []
        self.error: Exception | None = None  # why its checkpoint could not be opened, if it could not

    def bundle(self) -> tf_checkpoint.Bundle | None:
        if not self._opened:
            prefix = self.logdir.run_checkpoint(self.run, self.config)
            self._opened.append(None if prefix is None else tf_checkpoint.Bundle(prefix, root=self.logdir.real))
        return self._opened[0]

    def label(self, name: str) -> str:
        return name if self.run.name == "." else f"{self.run.name}: {name}"

    def shown(self) -> list[tuple[str, pbtxt.Message, dict[int, pbtxt.Message]]]:
        """(name, entry, steps) of each embedding the entries make: `NAME@STEP` entries are steps of `NAME`.

        The entry read for NAME is the one named NAME, else its latest step; steps is empty for other entries.
        """
        groups: dict[str, dict[int, pbtxt.Message]] = {}
        for entry in self.entries:
            base, step = split_step(entry_name(entry))
            if step is not None:
                groups.setdefault(base, {})[step] = entry
        out: list[tuple[str, pbtxt.Message, dict[int, pbtxt.Message]]] = []
        done: set[str] = set()
        for entry in self.entries:
            name = entry_name(entry)
            base, step = split_step(name)
            key = base if step is not None else name
            if key in done:
                continue
            steps = groups.get(key, {})
            plain = next((e for e in self.entries if entry_name(e) == key), None)
            chosen = plain if plain is not None else steps[max(steps)]
            out.append((key, chosen, dict(sorted(steps.items()))))
            done.add(key)
        return out

    def items(self, want: str | None) -> list[_Item]:
        names = [entry_name(e) for e in self.entries]
        shown = self.shown()
        if want is not None and want in names and split_step(want)[1] is not None:  # one step, by its own name
            entry = self.entries[names.index(want)]
            return [(self.label(want), partial(self._entry, entry))]
        chosen = None if want is None else choose(want, [name for name, _, _ in shown])
        out: list[_Item] = [
            (self.label(name), partial(self._grouped, name, entry, steps))
            for name, entry, steps in shown
            if want is None or name == chosen
        ]
        try:
            checkpoint = self.bundle()
        except SKIPPABLE as exc:
            self.error = exc
            if want is None and all(e.string("tensor_path") for e in self.entries):  # else the entries say it
                out.append((self.label("checkpoint"), partial(_raise, exc)))
            return out
        if checkpoint is None:
            return out
        keys_there = [*checkpoint.entries, *checkpoint.broken]
        listed = {_matched(n, keys_there) or n for n in names}
        if want is not None:
            key = choose(want, keys_there)
            keys = [] if key is None or key in listed or out else [key]
        else:
            keys = [k for k in checkpoint.embedding_keys(required=False) if k not in listed]
        return out + [(self.label(key), partial(self._variable, checkpoint, key)) for key in keys]

    def listing(self) -> list[tuple[str, str]]:
        """(name, what it is) of every entry and checkpoint tensor, for a "no tensor" message."""
        out = [
            (self.label(entry_name(e)), f"shape {_shape(e)}" if _shape(e) else "from tensor_path") for e in self.entries
        ]
        try:
            checkpoint = self.bundle()
        except SKIPPABLE:
            return out
        if checkpoint is not None:
            out += [(self.label(k), e.summary()) for k, e in sorted(checkpoint.entries.items())]
        return out

    def _entry(self, entry: pbtxt.Message) -> tuple[str, Embedding]:
        return self.run.name, _read_entry(self.logdir, self.run, entry, self.bundle, self.memo)

    def _grouped(self, name: str, entry: pbtxt.Message, steps: dict[int, pbtxt.Message]) -> tuple[str, Embedding]:
        """The embedding `name`, with its steps (read when first used) when it has any."""
        _, embedding = self._entry(entry)
        embedding.name = name
        if not steps:
            return self.run.name, embedding
        loaders = {step: partial(self._step, step_entry) for step, step_entry in steps.items()}
        config = self.run.config
        reload = partial(_reload, self.logdir.root, self.run, name)
        embedding.steps = Steps(loaders, stamp=partial(_stat, config), seen=self.stamp, reload=reload)
        latest = steps[max(steps)]
        if latest is entry or latest.string("tensor_path") == entry.string("tensor_path"):
            embedding.steps.hold(max(steps), embedding)
        return self.run.name, embedding

    def _step(self, entry: pbtxt.Message) -> Embedding:
        return _read_entry(self.logdir, self.run, entry, self.bundle, self.memo)

    def _variable(self, checkpoint: tf_checkpoint.Bundle, key: str) -> tuple[str, Embedding]:
        embedding = checkpoint.embedding(key)
        if self.defaults is not None:
            embedding = _with_defaults(self.logdir, self.run, self.defaults, embedding)
        return self.run.name, embedding


def _reload(root: Path, run: Run, name: str) -> Embedding:
    """Embedding `name` of a run read again (the server calls this when the run's config changed)."""
    reader = _RunReader(LogDir(root), run)
    for shown, entry, steps in reader.shown():
        if shown == name:
            return reader._grouped(name, entry, steps)[1]
    raise NotFoundError(f"embedding {name!r} is no longer in {CONFIG_NAME}", path=run.config, fix="restart the server")


def _raise(exc: Exception) -> tuple[str, Embedding]:
    raise exc


def _matched(name: str, keys: list[str]) -> str | None:
    try:
        return choose(name, keys)
    except AmbiguousError:
        return None


def _with_defaults(logdir: LogDir, run: Run, defaults: pbtxt.Message, embedding: Embedding) -> Embedding:
    base = run.config.parent if run.config else run.folder

    def resolve(field: str, value: str) -> Path:
        return logdir.confine(value, base, what=field, config=run.config, line=defaults.where(field)[0])

    try:
        metadata = _metadata(resolve, defaults, len(embedding), logdir.real)
    except FormatError as exc:
        log.warning("not attaching the default metadata to %s: %s", embedding.name, exc)
        metadata = None
    bookmarks = defaults.string("bookmarks_path")
    out = embedding.with_metadata(metadata)
    out.bookmarks_path = str(resolve("bookmarks_path", bookmarks)) if bookmarks else None
    return out


def read(path: Path, options: ReadOptions, fmt: str) -> Collection:
    """Every run of a log dir (or of the log dir holding a projector_config.pbtxt file) as a Collection."""
    root = path.parent if path.is_file() and path.name == CONFIG_NAME else path
    if not root.is_dir():
        raise NotFoundError("no such log dir", path=path, fix="point at a TensorBoard log dir")
    logdir = LogDir(root)
    runs = find_runs(root)
    if path != root:
        runs = [r for r in runs if r.config is not None and r.config.resolve() == path.resolve()]
    if not runs:
        raise FormatError(
            f"no {CONFIG_NAME} and no checkpoint in this log dir",
            path=root,
            fix="write one with embedscope convert, or with tensorboard.plugins.projector.visualize_embeddings",
        )
    readers: list[_RunReader] = []
    for run in runs:
        if run.config is not None:
            logdir.confine_path(run.config, None, "config file", run.config)
        readers.append(_RunReader(logdir, run))
    want = options.tensor
    items = [item for reader in readers for item in reader.items(want)]
    if want is not None and not items:
        unopened = [reader.error for reader in readers if reader.error is not None]
        if unopened:
            raise unopened[0]  # the chosen tensor may be in the checkpoint that cannot be read
        raise missing(want, [entry for reader in readers for entry in reader.listing()], path=root)
    # a chosen tensor's errors are not skipped
    pairs = [one() for _, one in items] if want is not None else read_each(items, path=root, what="embedding")
    if not pairs:
        raise FormatError(
            f"the log dir's {len(runs)} run(s) hold no embedding: no entry with a tensor, no 2-D checkpoint variable",
            path=root,
            fix="add embeddings { tensor_path: ... } or a checkpoint to a run",
        )
    collection = Collection(source=str(path))
    for run_name, embedding in pairs:
        collection.add(run_name, embedding)
    return collection
