"""TensorBoard log dirs for the Embedding Projector: read their runs, write one TensorBoard opens.

A run is a folder holding `projector_config.pbtxt`, or a folder whose `plugins/org_tensorflow_tensorboard_projector/`
holds it; the run is named by the folder's path relative to the log dir ("." for the log dir itself). Each
`embeddings { ... }` entry takes its tensor from `tensor_path` (TSV, or raw little-endian float32 `.bytes` with
`tensor_shape`) or, by `tensor_name`, from the run's checkpoint: `model_checkpoint_path`, the latest one in
`model_checkpoint_dir`, else the latest one in the run folder (or its parent). Listed embeddings come first, then
the checkpoint's other 2-D float variables. Every path resolves relative to the config file and must stay inside
the log dir.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import pyarrow as pa

from ..embedding import Collection, Embedding, Sprite
from ..errors import AccessDeniedError, EmbedscopeError, FormatError, NotFoundError, ParameterError
from ..metadata import typed_table
from . import pbtxt, tf_checkpoint
from .registry import ReadOptions

log = logging.getLogger(__name__)

CONFIG_NAME = "projector_config.pbtxt"
PLUGIN_ASSETS = ("plugins", "org_tensorflow_tensorboard_projector")
_SPRITE_SCHEMA: pbtxt.Schema = {"image_path": ("string", False), "single_image_dim": ("uint", True)}
_EMBEDDING_SCHEMA: pbtxt.Schema = {
    "tensor_name": ("string", False),
    "metadata_path": ("string", False),
    "bookmarks_path": ("string", False),
    "tensor_shape": ("uint", True),
    "sprite": (_SPRITE_SCHEMA, False),
    "tensor_path": ("string", False),
}
CONFIG_SCHEMA: pbtxt.Schema = {
    "model_checkpoint_path": ("string", False),
    "embeddings": (_EMBEDDING_SCHEMA, True),
    "model_checkpoint_dir": ("string", False),
}
_SNIFF_BYTES = 1 << 20


@dataclass(frozen=True)
class Run:
    name: str  # "." or the folder's path relative to the log dir
    folder: Path  # where its checkpoints are looked for
    config: Path | None  # its projector_config.pbtxt


def _run_name(rel: Path) -> str:
    return rel.as_posix() if rel.parts else "."


def find_runs(root: Path) -> list[Run]:
    """Every run of the log dir, "." first, then by path (symlinked folders are not followed)."""
    runs: dict[str, Run] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        here = Path(dirpath)
        rel = here.relative_to(root)
        if CONFIG_NAME not in filenames:
            continue
        in_assets = rel.parts[-2:] == PLUGIN_ASSETS
        run_dir = here.parent.parent if in_assets else here
        name = _run_name(run_dir.relative_to(root))
        if name in runs:
            log.warning("run %r has two projector configs; using %s, as TensorBoard does", name, here / CONFIG_NAME)
        runs[name] = Run(name, run_dir, here / CONFIG_NAME)
    if "." not in runs:
        try:
            if tf_checkpoint.latest_checkpoint(root) is not None:
                runs["."] = Run(".", root, None)
        except EmbedscopeError as exc:
            log.warning("not reading the log dir's own checkpoint: %s", exc)
    return [runs[k] for k in sorted(runs, key=lambda k: (k != ".", k))]


def reads_as_text(head: bytes, *, complete: bool) -> bool:
    """Whether TensorBoard, which tries a tensor file as TSV first, takes it for text.

    TensorBoard decodes it line by line and falls back to raw float32 only on a UnicodeDecodeError, so the
    first line that is not just a newline must not be UTF-8. `complete` says `head` is the whole file.
    """
    pos = 0
    while pos < len(head):
        newline = head.find(b"\n", pos)
        end = len(head) if newline < 0 else newline + 1
        if head[pos:end] != b"\n":
            try:
                codecs.getincrementaldecoder("utf-8")().decode(head[pos:end], final=newline >= 0 or complete)
            except UnicodeDecodeError:
                return False
            return True
        pos = end
    return True


class _LogDir:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.real = root.resolve()

    def confine(self, value: str, base: Path, *, what: str, config: Path | None, line: int | None = None) -> Path:
        """`value` resolved against `base`, symlinks followed; it must stay inside the log dir."""
        if "\x00" in value:
            raise FormatError(f"{what} holds a NUL character", path=config, line=line)
        candidate = Path(os.path.expanduser(value))
        real = (candidate if candidate.is_absolute() else base / candidate).resolve()
        if not real.is_relative_to(self.real):
            raise AccessDeniedError(
                f"{what} {value!r} resolves to {real}, outside the log dir {self.root}",
                path=config,
                line=line,
                fix="keep every file a projector config names inside its log dir, named by a relative path",
            )
        return real

    def checkpoint(self, prefix: Path, local: Path, *, what: str, config: Path | None, line: int | None = None) -> Path:
        """A checkpoint prefix inside the log dir; one named outside it is taken from folder `local` if there."""
        if "\x00" in str(prefix):
            raise FormatError(f"{what} holds a NUL character", path=config, line=line)
        index = Path(f"{prefix}.index")
        if not index.resolve().is_relative_to(self.real):
            moved = local / prefix.name
            if Path(f"{moved}.index").is_file() and moved.resolve().is_relative_to(self.real):
                log.warning("%s names %s, outside the log dir; using %s", what, prefix, moved)
                return moved
        self.confine(str(index), index.parent, what=what, config=config, line=line)
        for data in prefix.parent.glob(f"{prefix.name}.data-*"):
            self.confine(str(data), data.parent, what=what, config=config, line=line)
        return prefix

    def run_checkpoint(self, run: Run, config: pbtxt.Message) -> Path | None:
        base = run.config.parent if run.config else run.folder
        named = config.string("model_checkpoint_path")
        line = config.where("model_checkpoint_path")[0]
        if named:
            prefix = Path(os.path.expanduser(named))
            prefix = prefix if prefix.is_absolute() else base / prefix
            prefix = self.checkpoint(prefix, base, what="model_checkpoint_path", config=run.config, line=line)
            if not Path(f"{prefix}.index").is_file():
                raise NotFoundError(
                    f"model_checkpoint_path {named!r}: no {prefix.name}.index",
                    path=run.config,
                    line=line,
                    fix="name an existing checkpoint prefix (such as model.ckpt-100) or leave the field out",
                )
            return prefix
        folder = config.string("model_checkpoint_dir")
        if folder:
            line = config.where("model_checkpoint_dir")[0]
            folders = [self.confine(folder, base, what="model_checkpoint_dir", config=run.config, line=line)]
        else:
            folders = [run.folder] + ([run.folder.parent] if run.folder.resolve() != self.real else [])
        for candidate in folders:
            found = tf_checkpoint.latest_checkpoint(candidate)
            if found is not None:
                return self.checkpoint(found, candidate, what=f"{candidate / 'checkpoint'}", config=run.config)
        return None


def _tensor_file(
    path: Path, shape: list[int], *, config: Path | None, line: int
) -> tuple[np.ndarray, list[str] | None]:
    """Vectors from a tensor_path: TSV, or raw little-endian float32 with tensor_shape (memory-mapped)."""
    from . import tsv

    if not path.is_file():
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
        vectors, labels = tsv.read_vectors(path)
    else:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
        if suffix != ".bytes" and reads_as_text(head, complete=len(head) < _SNIFF_BYTES):
            vectors, labels = tsv.read_vectors(path)
        else:
            return _raw_float32(path, shape, config=config, line=line), None
    if shape and list(vectors.shape) != shape:
        raise FormatError(
            f"tensor_shape {shape} does not match the {vectors.shape[0]:,} x {vectors.shape[1]:,} vectors "
            f"in {path.name}",
            path=config,
            line=line,
            fix="fix tensor_shape, or leave it out for a TSV tensor",
        )
    return vectors, labels


def _raw_float32(path: Path, shape: list[int], *, config: Path | None, line: int) -> np.ndarray:
    if len(shape) != 2:
        raise FormatError(
            f"tensor_shape has {len(shape)} numbers {shape}; a raw float32 tensor needs 2 (N and D)",
            path=config,
            line=line,
        )
    n, dim = shape
    size = path.stat().st_size
    if size != n * dim * 4:
        raise FormatError(
            f"expected {n:,} x {dim:,} float32 = {n * dim * 4:,} bytes for tensor_shape [{n}, {dim}], "
            f"found {size:,} bytes",
            path=path,
            fix="tensor_shape must give the rows and columns of the raw little-endian float32 file",
        )
    vectors = np.memmap(path, dtype="<f4", mode="r", shape=(n, dim)) if size else np.zeros((n, dim), np.float32)
    tf_checkpoint.check_finite(vectors, what=path.name, path=path)
    return vectors


def _read_entry(
    logdir: _LogDir, run: Run, entry: pbtxt.Message, bundle: Callable[[], tf_checkpoint.Bundle | None]
) -> tuple[Embedding, str | None]:
    """One embeddings entry as an Embedding, and the checkpoint key it took (None for a tensor file)."""
    config = run.config
    base = config.parent if config else run.folder

    def resolve(field: str, value: str, owner: pbtxt.Message = entry) -> Path:
        return logdir.confine(value, base, what=field, config=config, line=owner.where(field)[0])

    name = entry.string("tensor_name")
    name = name[:-2] if name.endswith(":0") else name
    shape = [int(v) for v in entry.all("tensor_shape") if isinstance(v, int)]
    line = entry.line
    key: str | None = None
    labels: list[str] | None = None
    if entry.string("tensor_path"):
        source = resolve("tensor_path", entry.string("tensor_path"))
        vectors, labels = _tensor_file(source, shape, config=config, line=line)
        name = name or PurePosixPath(entry.string("tensor_path")).name
    else:
        checkpoint = bundle()
        if checkpoint is None:
            raise NotFoundError(
                f"embedding `{name}` has no tensor_path and run {run.name!r} has no checkpoint",
                path=config,
                line=line,
                fix="add tensor_path (with tensor_shape for .bytes) or model_checkpoint_path",
            )
        key = name
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
    metadata = _metadata(resolve, entry, n)
    if metadata is None and labels is not None:
        metadata = typed_table({"label": labels})
    sprite_msg = entry.get("sprite")
    sprite = _sprite(resolve, sprite_msg, n, config) if isinstance(sprite_msg, pbtxt.Message) else None
    bookmarks = entry.string("bookmarks_path")
    embedding = Embedding(
        vectors,
        name=name,
        metadata=metadata,
        sprite=sprite,
        source=str(source),
        bookmarks_path=str(resolve("bookmarks_path", bookmarks)) if bookmarks else None,
    )
    return embedding, key


def _metadata(resolve: Callable[[str, str], Path], entry: pbtxt.Message, n: int) -> pa.Table | None:
    from . import tsv

    value = entry.string("metadata_path")
    if not value:
        return None
    path = resolve("metadata_path", value)
    if not path.is_file():
        raise NotFoundError("metadata_path file not found", path=path, fix="fix metadata_path in the projector config")
    return tsv.read_metadata(path, n=n)


def _sprite(resolve: Callable[..., Path], msg: pbtxt.Message, n: int, config: Path | None) -> Sprite | None:
    from . import sprite

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
    return sprite.read_sprite(path, (dims[0], dims[1]), n=n)


def _read_run(logdir: _LogDir, run: Run, collection: Collection) -> None:
    config = pbtxt.read(run.config, schema=CONFIG_SCHEMA) if run.config else pbtxt.Message()
    entries = config.messages("embeddings")
    # TensorBoard: a first entry with neither tensor_name nor tensor_path gives defaults to unlisted variables.
    first = entries[0] if entries else None
    defaults = entries.pop(0) if first and not first.string("tensor_name") + first.string("tensor_path") else None
    opened: list[tf_checkpoint.Bundle | None] = []

    def bundle() -> tf_checkpoint.Bundle | None:
        if not opened:
            prefix = logdir.run_checkpoint(run, config)
            opened.append(None if prefix is None else tf_checkpoint.Bundle(prefix))
        return opened[0]

    listed: set[str] = set()
    for entry in entries:
        embedding, key = _read_entry(logdir, run, entry, bundle)
        listed.add(key or embedding.name)
        collection.add(run.name, embedding)
    checkpoint = bundle()
    if checkpoint is None:
        return
    for key in checkpoint.embedding_keys(required=False):
        if key in listed:
            continue
        embedding = checkpoint.embedding(key)
        if defaults is not None:
            embedding = _with_defaults(logdir, run, defaults, embedding)
        collection.add(run.name, embedding)


def _with_defaults(logdir: _LogDir, run: Run, defaults: pbtxt.Message, embedding: Embedding) -> Embedding:
    base = run.config.parent if run.config else run.folder

    def resolve(field: str, value: str) -> Path:
        return logdir.confine(value, base, what=field, config=run.config, line=defaults.where(field)[0])

    try:
        metadata = _metadata(resolve, defaults, len(embedding))
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
    logdir = _LogDir(root)
    runs = find_runs(root)
    if path != root:
        runs = [r for r in runs if r.config is not None and r.config.resolve() == path.resolve()]
    if not runs:
        raise FormatError(
            f"no {CONFIG_NAME} and no checkpoint in this log dir",
            path=root,
            fix="write one with embedscope convert, or with tensorboard.plugins.projector.visualize_embeddings",
        )
    collection = Collection(source=str(path))
    for run in runs:
        if run.config is not None:
            logdir.confine(str(run.config), run.config.parent, what="config file", config=run.config)
        _read_run(logdir, run, collection)
    if not len(collection):
        raise FormatError(
            f"the log dir's {len(runs)} run(s) hold no embedding: no entry with a tensor, no 2-D checkpoint variable",
            path=root,
            fix="add embeddings { tensor_path: ... } or a checkpoint to a run",
        )
    return collection


# -- writing -------------------------------------------------------------------------------------------------
def _stem(name: str) -> str:
    name = name.removesuffix("/.ATTRIBUTES/VARIABLE_VALUE")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "embedding"


def _write_tensor(vectors: np.ndarray, folder: Path, stem: str) -> Path:
    """Raw float32 `<stem>.bytes`, unless TensorBoard would take those bytes for text: then `<stem>.tsv`."""
    from . import tsv

    rows = max(1, _SNIFF_BYTES // max(1, vectors.shape[1] * 4))
    head = np.ascontiguousarray(vectors[:rows], dtype="<f4").tobytes()[:_SNIFF_BYTES]
    if reads_as_text(head, complete=vectors.shape[0] <= rows):
        log.warning("TensorBoard would misread these vectors' raw bytes as text; writing %s.tsv instead", stem)
        return tsv.write_vectors(vectors, folder / f"{stem}.tsv")
    path = folder / f"{stem}.bytes"
    np.asarray(vectors, dtype="<f4").tofile(path)
    return path


def write(embedding: Embedding, path: Path, *, run: str | None = None, tensor_name: str | None = None) -> Path:
    """Write a log dir TensorBoard's projector opens: config, tensor, metadata.tsv, sprite.png; returns the log dir.

    With `run`, the files go to that subfolder. An existing config there keeps its other embeddings; an entry
    with the same tensor name is replaced.
    """
    from . import tsv

    root = Path(path)
    folder = root
    if run not in (None, "", "."):
        rel = PurePosixPath(str(run))
        if rel.is_absolute() or ".." in rel.parts:
            raise ParameterError(f"run {run!r} must be a relative folder inside the log dir", field="run")
        folder = root / rel
    folder.mkdir(parents=True, exist_ok=True)
    name = tensor_name or embedding.name
    config_path = folder / CONFIG_NAME
    config = pbtxt.read(config_path, schema=CONFIG_SCHEMA) if config_path.is_file() else pbtxt.Message()
    others = [e for e in config.messages("embeddings") if e.string("tensor_name") != name]
    stem = _stem(name)
    prefix = "" if not others else f"{stem}."

    entry = pbtxt.Message().add("tensor_name", name)
    entry.add("tensor_path", _write_tensor(embedding.vectors, folder, stem).name)
    entry.add("tensor_shape", embedding.shape[0]).add("tensor_shape", embedding.shape[1])
    if embedding.metadata is not None and embedding.metadata.num_columns:
        tsv.write_metadata(embedding.metadata, folder / f"{prefix}metadata.tsv")
        entry.add("metadata_path", f"{prefix}metadata.tsv")
    if embedding.sprite is not None:
        embedding.sprite.image.save(folder / f"{prefix}sprite.png")
        width, height = embedding.sprite.single_image_dim
        sprite = pbtxt.Message().add("image_path", f"{prefix}sprite.png")
        entry.add("sprite", sprite.add("single_image_dim", width).add("single_image_dim", height))
    if embedding.bookmarks_path and Path(embedding.bookmarks_path).is_file():
        target = folder / f"{prefix}bookmarks.json"
        if Path(embedding.bookmarks_path).resolve() != target.resolve():
            shutil.copyfile(embedding.bookmarks_path, target)
        entry.add("bookmarks_path", target.name)

    out = pbtxt.Message([f for f in config.fields if f.name != "embeddings"])
    for kept in [*others, entry]:
        out.add("embeddings", kept)
    partial = config_path.with_name(f".{CONFIG_NAME}.partial")
    partial.write_text(pbtxt.dumps(out), encoding="utf-8")
    partial.replace(config_path)
    return root
