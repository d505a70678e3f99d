"""``embed``: items (texts, a table, a file) to an Embedding that keeps every input column, its vectors computed
by a sentence-transformers model (or read from the cache of what that model computed before)."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..embedding import Embedding
from ..errors import ParameterError
from ..metadata import metadata_table
from .inputs import read_items, text_column, texts_of
from .model import TextModel, load_model

if TYPE_CHECKING:  # the compute stage is imported when first used: `import embedscope` stays quick
    from ..compute.progress import CancelToken, ProgressCallback
    from .encode import Encoded

log = logging.getLogger(__name__)


def embed(
    data: Any,
    *,
    model: str | os.PathLike[str] | TextModel | None = None,
    text: str | None = None,
    image: str | None = None,
    **options: Any,
) -> Embedding:
    """Embed `data`: a list of texts, a pandas/polars DataFrame or pyarrow Table (`text` names the column; the
    only text column, or one named like `text`, by default), or the path of a CSV, TSV, Parquet, JSON Lines or
    text file. `image` names a column of image paths instead (relative to `base`, the input file's folder), for
    a CLIP-type model. The other options are embed_table's: batch_size (64), device, cache (True),
    allow_download (False), progress, cancel, name. Returns an Embedding: one row per item, every input column as
    metadata, labelled by the text column; `embedding.model` names the model (search by meaning uses it).
    """
    table, path = _table_of(data)
    if path is not None:
        options.setdefault("base", path.parent)
    return embed_table(table, path, model=model, text=text, image=image, **options)[0]


def embed_file(path: str | os.PathLike[str], **options: Any) -> tuple[Embedding, Encoded]:
    """Embed the items of a file (see `embed`); also the run's report (items computed, texts truncated, time)."""
    p = Path(path)
    options.setdefault("name", p.stem)
    options.setdefault("base", p.parent)
    return embed_table(read_items(p), p, **options)


def _table_of(data: Any) -> tuple[pa.Table, Path | None]:
    if isinstance(data, os.PathLike) or (isinstance(data, str) and Path(data).is_file()):
        return read_items(Path(data)), Path(data)
    if isinstance(data, str):
        raise ParameterError("a single text: give a list of texts, or the path of a file", field="data")
    if isinstance(data, Sequence) and all(isinstance(t, str) for t in data):
        return pa.table({"text": pa.array(list(data), type=pa.string())}), None
    table = metadata_table(data)
    if table is None:
        raise ParameterError("nothing to embed", field="data", fix="give texts, a table or a file")
    return table, None


def embed_table(
    table: pa.Table,
    path: Path | None = None,
    *,
    model: str | os.PathLike[str] | TextModel | None = None,
    text: str | None = None,
    image: str | None = None,
    batch_size: int = 64,
    device: str | None = None,
    cache: bool = True,
    allow_download: bool = False,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    name: str | None = None,
    base: Path | None = None,
) -> tuple[Embedding, Encoded]:
    """The Embedding of a table's texts (column `text`) or images (column `image`), and the run's report."""
    from .encode import encode_items
    from .store import VectorStore

    if table.num_rows == 0:
        raise ParameterError("there are no items to embed", path=path, fix="check the file")
    if not 1 <= batch_size <= 65_536:
        raise ParameterError(f"`batch_size` must be from 1 to 65,536, got {batch_size}", field="batch_size")
    loaded = model if isinstance(model, TextModel) else load_model(model, device=device, allow_download=allow_download)
    store = VectorStore(_store_folder(loaded), loaded.dim) if cache else None
    if image is not None:
        from .images import read_images

        items, keys, label = read_images(table, image, base=base or Path.cwd(), path=path, model=loaded)
    else:
        label = text_column(table, text, path=path)
        items, keys = texts_of(table, label, path=path), None
    done = encode_items(loaded, items, keys=keys, batch_size=batch_size, store=store, progress=progress, cancel=cancel)
    if done.truncated:
        log.warning(
            "%s of %s texts are longer than the model reads (%s tokens): they were cut to that length",
            f"{done.truncated:,}",
            f"{len(items):,}",
            loaded.max_tokens,
        )
    emb = Embedding(
        done.vectors,
        name=name or (path.stem if path is not None else loaded.title),
        metadata=table,
        label_column=label,
        source=None if path is None else str(path),
        checked=True,
        model=loaded.name,
    )
    if image is not None:
        from .images import sprite_of

        emb.sprite = sprite_of(items)
    return emb, done


def _store_folder(model: TextModel) -> Path:
    from ..compute.cache import cache_root

    return cache_root() / "embed" / model.key
