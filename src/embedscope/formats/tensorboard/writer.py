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


def _paths(entry: pbtxt.Message) -> list[str]:
    """The files an embeddings entry names (tensor, metadata, bookmarks, sprite)."""
    sprite = entry.get("sprite")
    values = [entry.string(f) for f in ("tensor_path", "metadata_path", "bookmarks_path")]
    values.append(sprite.string("image_path") if isinstance(sprite, pbtxt.Message) else "")
    return [v for v in values if v]


class _FileNames:
    """File names for a new entry that overwrite nothing saved: no file another entry names, no file that is
    there and named by no entry; only the files of the entry being replaced may be written again."""

    def __init__(self, folder: Path, others: list[pbtxt.Message], replaced: list[pbtxt.Message]) -> None:
        self.folder = folder
        self.first = not others
        self.taken = {(folder / p).resolve() for e in others for p in _paths(e)}
        self.reusable = {(folder / p).resolve() for e in replaced for p in _paths(e)} - self.taken

    def free(self, name: str) -> bool:
        path = self.folder / name
        if path.resolve() in self.taken:
            return False
        return not (path.exists() or path.is_symlink()) or path.resolve() in self.reusable

    def choose(self, stem: str, kinds: list[str]) -> tuple[str, dict[str, str]]:
        """(tensor stem, {kind: file name}) for the files of `kinds` ("metadata.tsv", "sprite.png", ...)."""
        options = [(stem, "")] if self.first else []  # the first entry's files: metadata.tsv, sprite.png
        options += [(t, f"{t}.") for t in (stem, *(f"{stem}-{i}" for i in range(2, 10_000)))]
        for tensor, prefix in options:
            names = {kind: f"{prefix}{kind}" for kind in kinds}
            wanted = [f"{tensor}.bytes", f"{tensor}.tsv", *names.values()]
            if len(set(wanted)) == len(wanted) and all(self.free(n) for n in wanted):
                return tensor, names
        raise ParameterError(f"no free file name for `{stem}` in {self.folder}", field="tensor_name")


def write(embedding: Embedding, path: Path, *, run: str | None = None, tensor_name: str | None = None) -> Path:
    """Write a log dir TensorBoard's projector opens: config, tensor, metadata.tsv, sprite.png; returns the log dir.

    With `run`, the files go to that subfolder. An existing config there keeps its other embeddings; an entry
    with the same tensor name is replaced. Nothing else saved there is overwritten: a name whose files are
    taken (`enc/emb` and `enc_emb` both make `enc_emb`) gets `-2`, `-3`... (the config keeps the tensor name).
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
    replaced = [e for e in config.messages("embeddings") if e.string("tensor_name") == name]
    has_metadata = embedding.metadata is not None and embedding.metadata.num_columns > 0
    bookmarks = Path(embedding.bookmarks_path) if embedding.bookmarks_path else None
    has_bookmarks = bookmarks is not None and bookmarks.is_file()
    kinds = [
        k
        for k, has in (
            ("metadata.tsv", has_metadata),
            ("sprite.png", embedding.sprite is not None),
            ("bookmarks.json", has_bookmarks),
        )
        if has
    ]
    stem, files = _FileNames(folder, others, replaced).choose(_stem(name), kinds)

    entry = pbtxt.Message().add("tensor_name", name)
    entry.add("tensor_path", write_tensor(embedding.vectors, folder, stem).name)
    entry.add("tensor_shape", embedding.shape[0]).add("tensor_shape", embedding.shape[1])
    if embedding.metadata is not None and has_metadata:
        tsv.write_metadata(embedding.metadata, folder / files["metadata.tsv"])
        entry.add("metadata_path", files["metadata.tsv"])
    if embedding.sprite is not None:
        embedding.sprite.image.save(folder / files["sprite.png"])
        width, height = embedding.sprite.single_image_dim
        sprite = pbtxt.Message().add("image_path", files["sprite.png"])
        entry.add("sprite", sprite.add("single_image_dim", width).add("single_image_dim", height))
    if bookmarks is not None and has_bookmarks:
        target = folder / files["bookmarks.json"]
        if bookmarks.resolve() != target.resolve():
            shutil.copyfile(bookmarks, target)
        entry.add("bookmarks_path", target.name)

    out = pbtxt.Message([f for f in config.fields if f.name != "embeddings"])
    for kept in [*others, entry]:
        out.add("embeddings", kept)
    _write_config(config_path, pbtxt.dumps(out))
    return root
