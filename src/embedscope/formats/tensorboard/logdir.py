"""TensorBoard log dirs: their layout (runs, projector configs, checkpoints) and the paths a config may name.

A run is a folder holding `projector_config.pbtxt`, or a folder whose `plugins/org_tensorflow_tensorboard_projector/`
holds it; the run is named by the folder's path relative to the log dir ("." for the log dir itself). Every
path a config names resolves relative to the config file and must stay inside the log dir.
"""

from __future__ import annotations

import codecs
import glob
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from ...errors import AccessDeniedError, EmbedscopeError, FormatError, NotFoundError
from ..tensorflow import checkpoint as tf_checkpoint
from ..tensorflow import pbtxt

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
SNIFF_BYTES = 1 << 20


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
            if tf_checkpoint.latest_checkpoint(root, root=root.resolve()) is not None:
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


class LogDir:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.real = root.resolve()

    def confine(self, value: str, base: Path, *, what: str, config: Path | None, line: int | None = None) -> Path:
        """`value` resolved against `base`, symlinks followed; it must stay inside the log dir."""
        if "\x00" in value:
            raise FormatError(f"{what} holds a NUL character", path=config, line=line)
        candidate = Path(os.path.expanduser(value))
        return self.confine_path(candidate if candidate.is_absolute() else base / candidate, value, what, config, line)

    def confine_path(
        self, path: Path, value: str | None, what: str, config: Path | None, line: int | None = None
    ) -> Path:
        """`path` (already joined to its folder) resolved, symlinks followed; it must stay inside the log dir."""
        real = path.resolve()
        if not real.is_relative_to(self.real):
            raise AccessDeniedError(
                f"{what} {value or str(path)!r} resolves to {real}, outside the log dir {self.root}",
                path=config,
                line=line,
                fix="keep every file a projector config names inside its log dir, named by a relative path",
            )
        return real

    def checkpoint(self, prefix: Path, local: Path, *, what: str, config: Path | None, line: int | None = None) -> Path:
        """A checkpoint prefix inside the log dir; one named outside it is taken from folder `local` if there.

        Its .index and every .data-* shard must resolve inside the log dir (the files are opened confined too).
        """
        if "\x00" in str(prefix):
            raise FormatError(f"{what} holds a NUL character", path=config, line=line)
        index = Path(f"{prefix}.index")
        if not index.resolve().is_relative_to(self.real):
            moved = local / prefix.name
            if Path(f"{moved}.index").is_file() and moved.resolve().is_relative_to(self.real):
                log.warning("%s names %s, outside the log dir; using %s", what, prefix, moved)
                prefix, index = moved, Path(f"{moved}.index")
        self.confine_path(index, None, what, config, line)
        for data in prefix.parent.glob(f"{glob.escape(prefix.name)}.data-*"):
            self.confine_path(data, None, what, config, line)
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
            found = tf_checkpoint.latest_checkpoint(candidate, root=self.real)
            if found is not None:
                return self.checkpoint(found, candidate, what=f"{candidate / 'checkpoint'}", config=run.config)
        return None
