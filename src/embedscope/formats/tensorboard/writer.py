"""Writing a TensorBoard log dir the projector opens: config, tensor (raw float32 or TSV), metadata, sprite, and
an events file in each run folder so that TensorBoard lists it."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path, PurePosixPath

import numpy as np

from ...embedding import Embedding
from ...errors import ParameterError
from ..tensorflow import pbtxt
from .events import mark_run
from .logdir import CONFIG_NAME, CONFIG_SCHEMA, SNIFF_BYTES, reads_as_text

log = logging.getLogger(__name__)


def _stem(name: str) -> str:
    name = name.removesuffix("/.ATTRIBUTES/VARIABLE_VALUE")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "embedding"


STEP_SEPARATOR = "@"  # entry `NAME@STEP` is step STEP of embedding NAME
_STEP_NAME = re.compile(r"(?P<base>.+)@(?P<step>0|[1-9][0-9]{0,17})")


def split_step(tensor_name: str) -> tuple[str, int | None]:
    """(`NAME`, STEP) of a step entry's name `NAME@STEP`; (tensor_name, None) for any other name."""
    match = _STEP_NAME.fullmatch(tensor_name)
    return (match["base"], int(match["step"])) if match else (tensor_name, None)


def write_tensor(vectors: np.ndarray, folder: Path, stem: str) -> Path:
    """Raw float32 `<stem>.bytes`, unless TensorBoard would take those bytes for text: then `<stem>.tsv`.

    Written under a temporary name and renamed into place, so a reader never finds half a file.
    """
    from .. import tsv

    rows = max(1, SNIFF_BYTES // max(1, vectors.shape[1] * 4))
    head = np.ascontiguousarray(vectors[:rows], dtype="<f4").tobytes()[:SNIFF_BYTES]
    text = reads_as_text(head, complete=vectors.shape[0] <= rows)
    path = folder / f"{stem}.{'tsv' if text else 'bytes'}"
    partial = folder / f".{path.name}.partial"
    if text:
        log.warning("TensorBoard would misread these vectors' raw bytes as text; writing %s.tsv instead", stem)
        tsv.write_vectors(vectors, partial)
    else:
        np.asarray(vectors, dtype="<f4").tofile(partial)
    partial.replace(path)
    return path


def step_entries(config: pbtxt.Message, name: str) -> dict[int, pbtxt.Message]:
    """The `NAME@STEP` entries of embedding `name` in a config, by step."""
    out: dict[int, pbtxt.Message] = {}
    for entry in config.messages("embeddings"):
        base, step = split_step(entry.string("tensor_name"))
        if step is not None and base == name:
            out[step] = entry
    return out


def replace_config(path: Path, config: pbtxt.Message, name: str, steps: dict[int, pbtxt.Message]) -> None:
    """Write `config` with embedding `name` as entries `name` (its latest step) and `name@STEP` for every step.

    The other entries stay, in their order; the file is replaced atomically (written beside it, then renamed).
    """
    ordered = [steps[s] for s in sorted(steps)]
    latest = pbtxt.Message([f for f in ordered[-1].fields if f.name != "tensor_name"])
    latest.fields.insert(0, pbtxt.Field("tensor_name", name, 0, 0))
    ours = {name} | {e.string("tensor_name") for e in ordered}
    others = [e for e in config.messages("embeddings") if e.string("tensor_name") not in ours]
    out = pbtxt.Message([f for f in config.fields if f.name != "embeddings"])
    for kept in [*others, latest, *ordered]:
        out.add("embeddings", kept)
    _write_config(path, pbtxt.dumps(out))


def _write_config(path: Path, text: str) -> None:
    """Replace the config atomically, and make its folder a run TensorBoard lists (events.py)."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    mark_run(path.parent)


def write(embedding: Embedding, path: Path, *, run: str | None = None, tensor_name: str | None = None) -> Path:
    """Write a log dir TensorBoard's projector opens: config, tensor, metadata.tsv, sprite.png; returns the log dir.

    With `run`, the files go to that subfolder. An existing config there keeps its other embeddings; an entry
    with the same tensor name is replaced.
    """
    from .. import tsv

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
    entry.add("tensor_path", write_tensor(embedding.vectors, folder, stem).name)
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
    _write_config(config_path, pbtxt.dumps(out))
    return root
