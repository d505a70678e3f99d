"""TensorFlow checkpoints, read without TensorFlow: finding one (prefix, .index, .data-*, folder) and reading it.

The bundle format itself is read by bundle.py. Every 2-D float variable that is not optimizer state is
offered as an Embedding named by its key; with a tensor chosen, only that one is read and checked. TF2 keys
may be chosen without their `/.ATTRIBUTES/VARIABLE_VALUE` suffix.
"""

from __future__ import annotations

import logging
import re
from functools import partial
from pathlib import Path

from ...checks import describe_content
from ...embedding import Collection
from ...errors import FormatError, NotFoundError
from .._selection import read_each
from ..options import ReadOptions
from ..side_files import present
from . import pbtxt
from .bundle import Bundle, TensorEntry, dtype_name, is_optimizer_state

__all__ = ["Bundle", "TensorEntry", "dtype_name", "is_optimizer_state", "latest_checkpoint", "list_tensors", "read"]

log = logging.getLogger(__name__)


def _step(index: Path) -> tuple[int, float]:
    match = re.search(r"-(\d+)$", index.name[: -len(".index")])
    return (int(match.group(1)) if match else -1, index.stat().st_mtime)


def latest_checkpoint(folder: Path, *, root: Path | None = None) -> Path | None:
    """The prefix the folder's `checkpoint` state file names, else that of its newest-step *.index file.

    The state file is opened as a regular file only (under `root`, links resolved, when given)."""
    state = folder / "checkpoint"
    if present(state, what="checkpoint state file", root=root):
        message = pbtxt.read(state, root=root)
        named = message.string("model_checkpoint_path")
        if "\x00" in named:
            raise FormatError(
                "model_checkpoint_path holds a NUL character",
                path=state,
                line=message.where("model_checkpoint_path")[0],
            )
        if named:
            prefix = Path(named) if Path(named).is_absolute() else folder / named
            if Path(f"{prefix}.index").is_file():
                return prefix
            local = folder / Path(named).name
            if Path(f"{local}.index").is_file():
                log.warning("%s names %s, which is not there; using %s in the same folder", state, named, local)
                return local
            raise NotFoundError(
                f"the `checkpoint` file names {named!r}, but {prefix}.index does not exist",
                path=state,
                fix="point at a checkpoint's .index file, or fix model_checkpoint_path",
            )
    indexes = [p for p in folder.glob("*.index") if p.is_file()]
    if not indexes:
        return None
    newest = max(indexes, key=_step)
    return newest.with_name(newest.name[: -len(".index")])


def resolve_prefix(path: Path) -> Path:
    """The checkpoint prefix of a prefix, a `.index` file, a `.data-*` file or a folder."""
    if path.is_dir():
        prefix = latest_checkpoint(path)
        if prefix is None:
            raise NotFoundError(
                "no TensorFlow checkpoint here (no `checkpoint` file, no *.index file)",
                path=path,
                fix="point at a checkpoint prefix such as model.ckpt-100, or at its .index file",
            )
        return prefix
    name = path.name
    if name.endswith(".index"):
        prefix = path.with_name(name[: -len(".index")])
    elif re.search(r"\.data-\d+-of-\d+$", name):
        prefix = path.with_name(name[: name.rindex(".data-")])
    else:
        prefix = path
    if Path(f"{prefix}.index").is_file():
        return prefix
    fix = "point at the checkpoint's prefix (model.ckpt-100), its .index file or its folder"
    if path.is_file():
        with path.open("rb") as fh:
            looks = describe_content(fh.read(1024))
        raise FormatError(
            f"not a TensorFlow checkpoint: it looks like {looks}, and there is no {prefix.name}.index beside it",
            path=path,
            fix=fix,
        )
    raise NotFoundError(f"no checkpoint index {prefix.name}.index", path=path, fix=fix)


def list_tensors(prefix: str | Path) -> list[tuple[str, str, tuple[int, ...]]]:
    """(key, dtype name, shape) of every tensor in the checkpoint, in key order (for `embedscope info`)."""
    bundle = Bundle(resolve_prefix(Path(prefix)))
    return [(key, e.dtype_name, e.shape) for key, e in sorted(bundle.entries.items())]


def read(path: Path, options: ReadOptions, fmt: str) -> Collection:
    """Every 2-D float variable of the checkpoint (or only `options.tensor`) as an Embedding in run "."."""
    bundle = Bundle(resolve_prefix(path))
    collection = Collection(source=str(path))
    if options.tensor is not None:
        collection.add(".", bundle.embedding(options.tensor))
        return collection
    items = [(key, partial(bundle.embedding, key)) for key in bundle.embedding_keys()]
    for emb in read_each(items, path=bundle.index_path):
        collection.add(".", emb)
    return collection
