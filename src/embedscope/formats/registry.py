"""Sniff a path's format (extension, magic bytes, directory layout) and dispatch to its reader or writer.

Every format module exposes ``read(path, options, fmt) -> Collection | Embedding`` (``fmt`` is the format
name it was chosen for, so one module can serve a family) and, where it makes sense,
``write(embedding, path, **options) -> Path``. Modules are imported only when used, so a reader's optional
dependencies cost nothing until that format is opened.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..embedding import Collection, Embedding, use_writer
from ..errors import EmbedscopeError, FormatError, MetadataError, NotFoundError, ParameterError
from .options import ReadOptions
from .side_files import present


@dataclass(frozen=True)
class Format:
    name: str
    module: str
    description: str
    writes: bool = False


log = logging.getLogger(__name__)

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("tsv", "tsv", "projector vectors TSV (+ metadata TSV)", writes=True),
        Format("tensorboard", "tensorboard", "TensorBoard log dir with projector_config.pbtxt", writes=True),
        Format("tf-checkpoint", "tensorflow", "TensorFlow checkpoint (.index + .data-*)"),
        Format("word2vec", "word2vec", "word2vec text / fastText .vec (header line)", writes=True),
        Format("word2vec-binary", "word2vec", "word2vec binary"),
        Format("glove", "word2vec", "GloVe text (no header line)"),
        Format("fasttext", "word2vec", "fastText .bin model (read by gensim)"),
        Format("gensim", "word2vec", "gensim's .save() files: KeyedVectors .kv, Word2Vec/FastText/Doc2Vec .model"),
        Format("npy", "numpy", "NumPy .npy", writes=True),
        Format("npz", "numpy", "NumPy .npz"),
        Format("parquet", "tables", "Parquet table", writes=True),
        Format("arrow", "tables", "Arrow IPC / Feather table"),
        Format("csv", "tables", "CSV table"),
        Format("shards", "tables.shards", "a folder of Parquet or .npy shards, read as one table"),
        Format("safetensors", "safetensors", "Hugging Face safetensors (+ vocab.txt)"),
        Format("keras", "keras", "Keras 3 .keras / .weights.h5"),
        Format("torch", "torch", "PyTorch .pt/.pth state dict"),
    )
}

_SUFFIXES = {
    ".tsv": "tsv",
    ".npy": "npy",
    ".npz": "npz",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
    ".csv": "csv",
    ".safetensors": "safetensors",
    ".keras": "keras",
    ".h5": "keras",
    ".hdf5": "keras",
    ".pt": "torch",
    ".pth": "torch",
    ".vec": "word2vec",
    ".index": "tf-checkpoint",
    ".kv": "gensim",
    ".model": "gensim",
}

_MAGIC = (
    (b"\x93NUMPY", "npy"),
    (b"PAR1", "parquet"),
    (b"ARROW1", "arrow"),
    (b"\x89HDF\r\n\x1a\n", "keras"),
    (b"\xba\x16\x4f\x2f", "fasttext"),  # fastText's magic number, little-endian
)


def _module(fmt: str) -> Any:
    if fmt not in FORMATS:
        raise ParameterError(f"unknown format {fmt!r}", field="format", fix=f"choose one of {sorted(FORMATS)}")
    return importlib.import_module(f".{FORMATS[fmt].module}", __package__)


def sniff(path: Path) -> str:
    """Name the format of `path` from its layout, suffix and first bytes."""
    if path.is_dir():
        return _sniff_dir(path)
    if not path.exists():
        if Path(f"{path}.index").exists():
            return "tf-checkpoint"  # a checkpoint prefix such as model.ckpt-100
        raise NotFoundError("no such file or directory", path=path)
    if ".data-" in path.name and "-of-" in path.name:
        return "tf-checkpoint"
    with path.open("rb") as fh:
        head = fh.read(64)
    for magic, fmt in _MAGIC:
        if head.startswith(magic):
            return fmt if fmt != "keras" or path.suffix != ".npz" else "npz"
    if head.startswith(b"\x80") and b"gensim." in head:  # a pickle whose first class is one of gensim's
        return "gensim"
    suffix = path.suffix.lower()
    if head.startswith(b"PK"):
        return {".npz": "npz", ".keras": "keras"}.get(suffix, "torch")
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    compressed = suffix in (".gz", ".bz2") and Path(path.stem).suffix.lower() in (".txt", ".vec", ".bin", ".w2v")
    if suffix in (".txt", ".bin", ".w2v", "") or compressed:
        return importlib.import_module(".word2vec", __package__).sniff_variant(path)
    raise FormatError(
        f"cannot tell the format of this file (suffix {suffix!r})",
        path=path,
        fix=f"name it with --format, one of {sorted(FORMATS)}",
    )


def _sniff_dir(path: Path) -> str:
    if any(path.glob("**/projector_config.pbtxt")):
        return "tensorboard"
    if (path / "checkpoint").exists() or any(path.glob("*.index")):
        return "tf-checkpoint"
    if any(path.glob("*.safetensors")):
        return "safetensors"
    from .tables.shards import shard_files

    if shard_files(path):
        return "shards"
    raise FormatError(
        "this folder has no projector_config.pbtxt, TensorFlow checkpoint, model.safetensors or .parquet/.npy shards",
        path=path,
        fix="point at the log dir, checkpoint or file itself, or name it with --format",
    )


def load_collection(path: str | Path, *, format: str | None = None, **options: Any) -> Collection:
    """Read everything `path` holds as a Collection of runs and embeddings."""
    p = Path(path)
    opts = _read_options(options)
    present(p, what="input file")  # a FIFO or device is refused here, before any reader (or sniff) opens it
    fmt = format or sniff(p)
    module = _module(fmt)
    try:
        result = module.read(p, opts, fmt)
    except EmbedscopeError:
        raise
    except (UnicodeDecodeError, ValueError, OSError, EOFError, KeyError, IndexError, OverflowError) as exc:
        raise FormatError(
            f"could not be read as {fmt}: {exc}", path=p, fix="check the file, or name its format with --format"
        ) from exc
    collection = result if isinstance(result, Collection) else _single(result, p)
    collection.source = str(p)
    root = str(served_root(p))
    collection.roots = {run: root for run in collection.runs}
    return _attach_common(collection, opts, metadata_read=fmt == "tsv")


def served_root(path: Path) -> Path:
    """The folder whatever `path` names may read from: the folder itself (a log dir), else the file's folder."""
    return (path if path.is_dir() else path.parent).resolve()


def _read_options(options: dict[str, Any]) -> ReadOptions:
    known = {f.name for f in fields(ReadOptions)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ParameterError(f"unknown option(s) {unknown}", field=unknown[0], fix=f"use {sorted(known)}")
    values: dict[str, Any] = dict(options)
    for name in ("metadata", "sprite", "coords"):
        if values.get(name) is not None:
            values[name] = Path(values[name])
    return ReadOptions(**values)


def _single(embedding: Embedding, path: Path) -> Collection:
    collection = Collection(source=str(path))
    collection.add(".", embedding)
    return collection


def _attach_common(collection: Collection, opts: ReadOptions, *, metadata_read: bool) -> Collection:
    """Apply --metadata, --sprite and --label-column, which every format accepts (unless its reader did)."""
    if opts.sprite_size is not None and opts.sprite is None:
        raise ParameterError("a sprite size was given without a sprite", field="sprite_size", fix="add --sprite FILE")
    if opts.metadata is None and opts.sprite is None and opts.label_column is None:
        return _attach_coords(collection, opts.coords)
    from . import sprite as sprite_mod

    tables = _metadata_tables(collection, opts.metadata) if opts.metadata is not None and not metadata_read else {}
    for run, tensors in collection.runs.items():
        for name, emb in list(tensors.items()):
            if tables and len(emb) not in tables:
                continue  # a --metadata file labels the tensors it fits; the others keep what they have
            metadata = tables.get(len(emb), emb.metadata)
            new = emb.with_metadata(metadata, label_column=opts.label_column)
            if opts.sprite is not None:
                if opts.sprite_size is None:
                    raise ParameterError(
                        "a sprite needs the size of one thumbnail", field="sprite_size", fix="add --sprite-size W H"
                    )
                new.sprite = sprite_mod.read_sprite(opts.sprite, opts.sprite_size, n=len(new))
            collection.runs[run][name] = new
    return _attach_coords(collection, opts.coords)


def _attach_coords(collection: Collection, path: Path | None) -> Collection:
    """Add a --coords file's columns x, y[, z] to the metadata of every embedding it fits (all of them must be the
    data it was made from: one embedding, or the error of the default one)."""
    if path is None:
        return collection
    from .coords import read_coords

    if path.is_dir():
        raise ParameterError(
            "expected a coordinates file, found a folder",
            path=path,
            fix="give a .csv, .tsv, .parquet or .npy file (a folder of coordinate shards: embedscope serve SHARDS)",
        )
    if not present(path, what="coordinates file"):  # a FIFO or device is refused here, before it is opened
        raise NotFoundError("no such file", path=path, fix="check the path given to --coords")
    every = [(run, name, emb) for run, tensors in collection.runs.items() for name, emb in tensors.items()]
    chosen = collection.default() or every[0][2]
    for run, name, emb in every:
        try:
            table = read_coords(path, n=len(emb), labels=emb.labels)
        except EmbedscopeError:
            if emb is chosen or len(every) == 1:
                raise
            continue
        replaced = [c for c in table.column_names if emb.metadata is not None and c in emb.metadata.column_names]
        if replaced:
            log.warning("the metadata columns %s are replaced by the coordinates in %s", replaced, path)
        collection.runs[run][name] = emb.with_columns(table)
    return collection


def _metadata_tables(collection: Collection, path: Path) -> dict[int, Any]:
    """The --metadata table for the tensors whose row count it fits, keyed by that count.

    One embedding: the file must fit it (the projector's rules, checked by read_metadata). Several (the tensors of
    a model file, the runs of a log dir): the file labels every one it fits; when it fits none, the error names
    the tensor `get()` would choose and the sizes there are.
    """
    from .metadata_file import read_metadata_file

    every = [e for tensors in collection.runs.values() for e in tensors.values()]
    if len(every) == 1:
        return {len(every[0]): read_metadata_file(path, n=len(every[0]))}
    rows = read_metadata_file(path, n=None).num_rows
    if any(len(e) == rows for e in every):
        return {rows: read_metadata_file(path, n=rows)}
    chosen = collection.default() or every[0]
    sizes = sorted({len(e) for e in every}, reverse=True)[:8]
    try:
        read_metadata_file(path, n=len(chosen))
    except MetadataError as exc:
        exc.message = f"{exc.message} (for `{chosen.name}`, {len(chosen):,} x {chosen.dim:,})"
        exc.fix = f"{exc.fix}; no tensor here has {rows:,} rows (sizes: {', '.join(f'{n:,}' for n in sizes)})"
        raise MetadataError(exc.message, path=exc.path, line=exc.line, fix=exc.fix) from None
    return {len(chosen): read_metadata_file(path, n=len(chosen))}


def load(
    path: str | Path,
    *,
    format: str | None = None,
    run: str | None = None,
    tensor: str | None = None,
    **options: Any,
) -> Embedding:
    """Read one embedding from `path`; `run` and `tensor` choose when the source holds several.

    A reader holding several tensors reads and checks only the chosen one.
    """
    return load_collection(path, format=format, tensor=tensor, **options).get(run=run, tensor=tensor)


_WRITE_SUFFIXES = {
    ".tsv": "tsv",
    ".npy": "npy",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".txt": "word2vec",
    ".vec": "word2vec",
}


def save(embedding: Embedding, path: str | Path, *, format: str | None = None, **options: Any) -> Path:
    """Write `embedding` to `path` in `format` (from the suffix when not named; no suffix means a log dir).

    What a format cannot hold is named in a warning: word2vec keeps only the labels, and only a log dir keeps
    the sprite.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    writable = sorted(name for name, f in FORMATS.items() if f.writes)
    if format is None and suffix == ".bin":
        format, options = "word2vec", {"binary": True, **options}
    if format is None and suffix and suffix not in _WRITE_SUFFIXES:
        raise ParameterError(
            f"cannot tell the output format from the suffix {suffix!r}",
            path=p,
            fix=f"use .tsv, .npy, .parquet, .txt or .bin (word2vec), no suffix (a log dir), or --to {writable}",
        )
    fmt = format or _WRITE_SUFFIXES.get(suffix, "tensorboard")
    if fmt not in FORMATS or not FORMATS[fmt].writes:
        raise ParameterError(f"cannot write format {fmt!r}", field="format", fix=f"choose one of {writable}")
    _warn_dropped(embedding, fmt)
    result: Path = _module(fmt).write(embedding, p, **options)
    return result


use_writer(save)


def _warn_dropped(embedding: Embedding, fmt: str) -> None:
    if fmt == "word2vec" and embedding.metadata is not None:
        dropped = [c for c in embedding.metadata.column_names if c != embedding.label_column]
        if dropped:
            log.warning("word2vec files hold only labels: metadata column(s) %s not written", ", ".join(dropped))
    if embedding.sprite is not None and fmt != "tensorboard":
        log.warning("%s files cannot hold a sprite: write a TensorBoard log dir (a folder) to keep it", fmt)
