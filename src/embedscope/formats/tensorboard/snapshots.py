"""log_embedding: append one snapshot of an embedding table to a TensorBoard log dir from any training loop.

Layout (one folder per name, beside the config; TensorBoard's projector opens it, every step as its own tensor):

    LOGDIR/projector_config.pbtxt   entries `NAME` (the latest step) and `NAME@STEP` (every step, oldest first)
    LOGDIR/NAME/STEP.bytes          the table at that step, raw little-endian float32 (tensor_shape: N, D)
    LOGDIR/NAME/metadata.tsv        written once; metadata@STEP.tsv from a step where it changed
    LOGDIR/NAME/sprite.png          written once; sprite@STEP.png from a step where it changed
    LOGDIR/events.out.tfevents.*    one events file (events.py), so that TensorBoard lists LOGDIR as a run

A reader never sees half a step: every file is written under a temporary name and renamed into place, and the
config, which names them, is replaced last (atomically). embedscope's reader groups `NAME@STEP` entries back
into one embedding `NAME` with steps. One process should write a log dir at a time.

Tensors come from NumPy, PyTorch (detached, moved to the CPU), TensorFlow (tensors and variables), JAX, Keras
variables, or anything NumPy can turn into an array; no framework is imported unless its object is given.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from ...checks import as_float32, check_finite
from ...errors import MetadataError, ParameterError
from ...metadata import check_rows, metadata_table
from ...sprite import Sprite
from ..tensorflow import pbtxt
from .logdir import CONFIG_NAME, CONFIG_SCHEMA
from .writer import STEP_SEPARATOR, replace_config, step_entries, write_tensor

__all__ = ["log_embedding", "to_numpy"]

_NAME = re.compile(r"[A-Za-z0-9_.-][A-Za-z0-9_./ -]*")


def to_numpy(tensor: Any, *, name: str = "tensor") -> np.ndarray:
    """A NumPy array of a framework's tensor, by duck typing (the framework's module is never imported here)."""
    if isinstance(tensor, np.ndarray):
        return tensor
    top = type(tensor).__module__.split(".")[0]
    try:
        if top == "torch":
            value = tensor.detach()
            if getattr(value, "is_sparse", False):
                value = value.to_dense()
            if str(value.dtype) == "torch.bfloat16":  # NumPy has no bfloat16
                value = value.float()
            return np.asarray(value.cpu().numpy())
        if top in ("jax", "jaxlib"):
            return np.asarray(tensor)
        numpy = getattr(tensor, "numpy", None)
        if callable(numpy):  # TensorFlow eager tensors and variables, Keras variables
            return np.asarray(numpy())
        return np.asarray(tensor)
    except (TypeError, ValueError, RuntimeError, AttributeError) as exc:
        raise ParameterError(
            f"cannot turn `{name}` ({type(tensor).__module__}.{type(tensor).__name__}) into an array: {exc}",
            field="tensor",
            fix="pass a NumPy array, or a PyTorch, TensorFlow or JAX tensor",
        ) from None


def _matrix(tensor: Any, name: str, step: int) -> np.ndarray:
    array = to_numpy(tensor, name=name)
    if array.ndim != 2:
        raise ParameterError(
            f"`{name}` at step {step}: expected a 2-D vocabulary_size x embedding_size table, "
            f"found {array.ndim}-D with shape {tuple(array.shape)}",
            field="tensor",
            fix="log the embedding table itself (e.g. layer.weight, layer.embeddings), or reshape it to N x D",
        )
    if array.dtype.kind not in "fiub" and array.dtype.name != "bfloat16":
        raise ParameterError(f"`{name}` at step {step}: expected numbers, found dtype {array.dtype}", field="tensor")
    vectors = as_float32(array)
    check_finite(vectors, path=None, what=f"`{name}` at step {step}", field="tensor")
    return vectors


def _sprite(sprite: Any) -> Sprite:
    if isinstance(sprite, Sprite):
        return sprite
    from ..sprite import make_sprite

    return make_sprite(sprite if isinstance(sprite, str | Path | Sequence) else to_numpy(sprite, name="sprite"))


def _write_once(data: bytes, folder: Path, stem: str, suffix: str, *, current: Path | None, step: int) -> str:
    """The file name holding `data`: the current one when its bytes are the same, else a new file for this step."""
    same_size = current is not None and current.is_file() and current.stat().st_size == len(data)
    if same_size and current is not None and current.read_bytes() == data:
        return current.name
    target = folder / (f"{stem}{suffix}" if current is None else f"{stem}{STEP_SEPARATOR}{step}{suffix}")
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, target)
    return target.name


def _check_name(name: Any) -> str:
    parts = name.split("/") if isinstance(name, str) else []
    if not isinstance(name, str) or not _NAME.fullmatch(name) or any(p in ("", ".", "..") for p in parts):
        raise ParameterError(
            f"`name` must be a non-empty name of letters, digits, '_', '-', '.', '/' or spaces, got {name!r}",
            field="name",
            fix='name the table, e.g. name="word_embedding"',
        )
    return name


def log_embedding(
    logdir: str | os.PathLike[str],
    tensor: Any,
    *,
    name: str,
    metadata: Any = None,
    sprite: Any = None,
    step: int | None = None,
) -> int:
    """Append `tensor` (N x D) as step `step` of embedding `name` in the log dir; returns the step written.

    `step` None is the step after the last one logged (0 for the first). Steps must increase, and every step
    of a name must have the same shape. `metadata` (labels, or columns: one row per vector) and `sprite` (an
    embedscope Sprite, or an N x H x W[ x C] image array) are written when given and differ from what the
    log dir already holds for `name`; left out, the earlier ones stay.
    """
    name = _check_name(name)
    if step is not None and (isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 0):
        raise ParameterError(f"`step` must be a whole number >= 0, got {step!r}", field="step")
    folder = Path(logdir)
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / CONFIG_NAME
    config = pbtxt.read(config_path, schema=CONFIG_SCHEMA) if config_path.is_file() else pbtxt.Message()
    earlier = step_entries(config, name)
    last = max(earlier) if earlier else None
    if step is None:
        step = 0 if last is None else last + 1
    step = int(step)
    if last is not None and step <= last:
        raise ParameterError(
            f"step {step} of `{name}` is not after step {last}, the last one logged in {folder}",
            field="step",
            fix=f"log steps in increasing order (next: {last + 1} or more), or log to a new log dir",
        )
    vectors = _matrix(tensor, name, step)
    previous = earlier[last] if last is not None else None
    if previous is not None:
        shape = [int(v) for v in previous.all("tensor_shape") if isinstance(v, int)]
        if shape and shape != list(vectors.shape):
            raise ParameterError(
                f"`{name}` at step {step} is {vectors.shape[0]:,} x {vectors.shape[1]:,}; "
                f"step {last} was {shape[0]:,} x {shape[1]:,}",
                field="tensor",
                fix="every step of an embedding must have the same shape: log a table of another shape "
                "under another name",
            )
    stem = _folder_of(name, previous, folder)
    target = folder / stem
    target.mkdir(parents=True, exist_ok=True)
    entry = pbtxt.Message().add("tensor_name", f"{name}{STEP_SEPARATOR}{step}")
    entry.add("tensor_path", f"{stem}/{write_tensor(vectors, target, str(step)).name}")
    entry.add("tensor_shape", vectors.shape[0]).add("tensor_shape", vectors.shape[1])
    _add_metadata(entry, previous, metadata, folder, stem, step, len(vectors))
    _add_sprite(entry, previous, sprite, folder, stem, step, len(vectors))
    replace_config(config_path, config, name, {**earlier, step: entry})
    return step


def _folder_of(name: str, previous: pbtxt.Message | None, folder: Path) -> str:
    """The folder (relative to the log dir) of embedding `name`'s files: the one its earlier steps are in; for a new
    name, `name` unless it is there already (`Words` and `words` on a case-insensitive disk), else `name-2`..."""
    if previous is not None:
        earlier = PurePosixPath(previous.string("tensor_path")).parent.as_posix()
        if earlier != ".":
            return earlier
    stem, count = name, 1
    while (folder / stem).exists():
        count += 1
        stem = f"{name}-{count}"
    return stem


def _current(folder: Path, previous: pbtxt.Message | None, field: str) -> tuple[Path | None, pbtxt.Message | None]:
    if previous is None:
        return None, None
    owner = previous.get("sprite") if field == "image_path" else previous
    if not isinstance(owner, pbtxt.Message) or not owner.string(field):
        return None, None
    return folder / owner.string(field), owner


def _add_metadata(
    entry: pbtxt.Message,
    previous: pbtxt.Message | None,
    metadata: Any,
    folder: Path,
    stem: str,
    step: int,
    n: int,
) -> None:
    from ..tsv_metadata import write_metadata

    current, _ = _current(folder, previous, "metadata_path")
    if metadata is None:
        if current is not None:
            entry.add("metadata_path", current.relative_to(folder).as_posix())
        return
    table = metadata_table(metadata)
    assert table is not None
    try:
        check_rows(table, n)
    except MetadataError as exc:
        raise MetadataError(
            f"metadata for `{stem}` at step {step} has {table.num_rows:,} rows for {n:,} vectors",
            field="metadata",
            fix="give one metadata row (one label) per row of the table, in the same order",
        ) from exc
    scratch = folder / stem / f".metadata@{step}.scratch"
    write_metadata(table, scratch)
    data = scratch.read_bytes()
    scratch.unlink()
    written = _write_once(data, folder / stem, "metadata", ".tsv", current=current, step=step)
    entry.add("metadata_path", f"{stem}/{written}")


def _add_sprite(
    entry: pbtxt.Message,
    previous: pbtxt.Message | None,
    sprite: Any,
    folder: Path,
    stem: str,
    step: int,
    n: int,
) -> None:
    import io

    current, owner = _current(folder, previous, "image_path")
    if sprite is None:
        if current is not None and owner is not None:
            entry.add("sprite", owner)
        return
    made = _sprite(sprite)
    made.check_holds(n)
    buffer = io.BytesIO()
    made.image.save(buffer, format="PNG")
    written = _write_once(buffer.getvalue(), folder / stem, "sprite", ".png", current=current, step=step)
    width, height = made.single_image_dim
    message = pbtxt.Message().add("image_path", f"{stem}/{written}")
    entry.add("sprite", message.add("single_image_dim", width).add("single_image_dim", height))
