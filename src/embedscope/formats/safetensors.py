"""Hugging Face safetensors: `model.safetensors` (or shards listed in `model.safetensors.index.json`).

The format is an 8-byte little-endian header length, a JSON header (`{key: {dtype, shape, data_offsets}}`)
and the raw little-endian tensor bytes. We parse the header ourselves and memory-map the data, so a float32
tensor costs no copy; float16/bfloat16 are converted to float32. Every 2-D float tensor becomes an Embedding
named by its key. A `vocab.txt` beside the weights (one token per line, the BERT format) labels every tensor
whose row count equals the vocabulary size.
"""

from __future__ import annotations

import json
import logging
import math
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..checks import as_float32
from ..embedding import Collection, Embedding
from ..errors import FormatError, NotFoundError
from ..files import read_regular
from ..metadata import typed_table
from ._selection import choose, missing, not_a_matrix, not_float, read_each, shape_text
from ._weights import corrupt_as_format_error, map_bytes, release_pages, weights_embedding
from .options import ReadOptions
from .side_files import present
from .tsv_metadata import read_labels

log = logging.getLogger(__name__)

INDEX_SUFFIX = ".safetensors.index.json"
_MAX_HEADER = 100 * 1024 * 1024  # the safetensors library refuses larger headers too

# dtype -> (numpy dtype to view the bytes as, or None when it cannot become float32; bits per element; is float)
_DTYPES: dict[str, tuple[str | None, int, bool]] = {
    "F64": ("<f8", 64, True),
    "F32": ("<f4", 32, True),
    "F16": ("<f2", 16, True),
    "BF16": ("<u2", 16, True),
    "F8_E4M3": (None, 8, True),
    "F8_E5M2": (None, 8, True),
    "F8_E8M0": (None, 8, True),
    "F6_E2M3": (None, 6, True),
    "F6_E3M2": (None, 6, True),
    "F4": (None, 4, True),
    "C64": (None, 64, False),
    "I64": ("<i8", 64, False),
    "I32": ("<i4", 32, False),
    "I16": ("<i2", 16, False),
    "I8": ("i1", 8, False),
    "U64": ("<u8", 64, False),
    "U32": ("<u4", 32, False),
    "U16": ("<u2", 16, False),
    "U8": ("u1", 8, False),
    "BOOL": ("?", 8, False),
}


@dataclass(frozen=True)
class TensorInfo:
    key: str
    dtype: str
    shape: tuple[int, ...]
    begin: int
    end: int

    @property
    def is_float_matrix(self) -> bool:
        return len(self.shape) == 2 and _DTYPES[self.dtype][2]


@dataclass(frozen=True)
class Header:
    path: Path
    tensors: dict[str, TensorInfo]
    data_start: int
    metadata: dict[str, str]
    broken: dict[str, FormatError] = field(default_factory=dict)  # entries that cannot be read, by key

    def listing(self) -> list[tuple[str, str]]:
        """(key, "dtype, shape") of every entry, the broken ones included."""
        out = [(k, f"{t.dtype}, shape {shape_text(t.shape)}") for k, t in self.tensors.items()]
        return out + [(k, "unreadable entry") for k in self.broken]


def read_header(path: Path) -> Header:
    """Parse and check a safetensors header: lengths, JSON, dtypes, shapes and offsets within the file.

    An entry that is wrong (unknown dtype, offsets outside the file...) is kept in `broken` with its error,
    so that the other tensors can still be read.
    """
    size = path.stat().st_size
    if size == 0:
        raise FormatError("empty file", path=path, fix="a safetensors file starts with an 8-byte header length")
    with path.open("rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise FormatError(f"file of {size} bytes is too short for the 8-byte header length (truncated?)", path=path)
        (length,) = struct.unpack("<Q", head)
        if length > _MAX_HEADER:
            raise FormatError(
                f"header length {length:,} bytes is over the {_MAX_HEADER:,} bytes safetensors allows",
                path=path,
                fix="the file is corrupt or not safetensors",
            )
        if length > size - 8:
            raise FormatError(
                f"header length {length:,} bytes is beyond the file size ({size:,} bytes)",
                path=path,
                fix="the file is truncated or not safetensors: download or save it again",
            )
        raw = fh.read(length)
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(
            f"header is not valid JSON ({exc})", path=path, fix="the file is corrupt: save it again"
        ) from exc
    if not isinstance(parsed, dict):
        raise FormatError(f"header must be a JSON object, found {type(parsed).__name__}", path=path)
    metadata = parsed.pop("__metadata__", None) or {}
    data_len = size - 8 - length
    tensors: dict[str, TensorInfo] = {}
    broken: dict[str, FormatError] = {}
    for key, entry in parsed.items():
        try:
            tensors[key] = _tensor_info(path, key, entry, data_len)
        except FormatError as exc:
            broken[key] = exc
    return Header(path, tensors, 8 + length, metadata if isinstance(metadata, dict) else {}, broken)


def _tensor_info(path: Path, key: str, entry: object, data_len: int) -> TensorInfo:
    if not isinstance(entry, dict):
        raise FormatError(f"header entry for `{key}` must be an object, found {entry!r}", path=path, field=key)
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in _DTYPES:
        raise FormatError(
            f"tensor `{key}` has unknown dtype {dtype!r}",
            path=path,
            field=key,
            fix=f"known dtypes are {', '.join(_DTYPES)}",
        )
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise FormatError(f"tensor `{key}` has shape {shape!r}, expected a list of sizes", path=path, field=key)
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(isinstance(o, int) for o in offsets)
        or not 0 <= offsets[0] <= offsets[1]
    ):
        raise FormatError(f"tensor `{key}` has data_offsets {offsets!r}, expected [begin, end]", path=path, field=key)
    begin, end = offsets
    if end > data_len:
        raise FormatError(
            f"tensor `{key}` needs data bytes {begin:,}..{end:,} but the file holds only {data_len:,} (truncated?)",
            path=path,
            field=key,
            fix="download or save the file again",
        )
    bits = _DTYPES[dtype][1]
    expected = math.ceil(math.prod(shape) * bits / 8)
    if end - begin != expected:
        raise FormatError(
            f"tensor `{key}` ({dtype}, shape {tuple(shape)}) needs {expected:,} bytes, "
            f"its data_offsets span {end - begin:,}",
            path=path,
            field=key,
        )
    return TensorInfo(key, dtype, tuple(shape), begin, end)


def tensor_array(header: Header, info: TensorInfo, data: np.ndarray | None = None) -> np.ndarray:
    """One tensor as an array: float32 is a view into the memory map; BF16 becomes float32."""
    view_as = _DTYPES[info.dtype][0]
    if view_as is None:
        raise FormatError(
            f"tensor `{info.key}` has dtype {info.dtype}, which cannot be read as float32",
            path=header.path,
            field=info.key,
            fix="choose another tensor with --tensor, or save this one as F32/F16/BF16",
        )
    if data is None:
        data = map_bytes(header.path)[header.data_start :]
    array = data[info.begin : info.end].view(view_as).reshape(info.shape)
    return as_float32(array, bfloat16=True) if info.dtype == "BF16" else array


def read_tensors(
    path: Path, *, header: Header | None = None, mapped: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Every 2-D float tensor convertible to float32, by key (others are left out)."""
    header = header or read_header(path)
    data = (map_bytes(path) if mapped is None else mapped)[header.data_start :]
    out: dict[str, np.ndarray] = {}
    for key, info in header.tensors.items():
        if info.is_float_matrix and _DTYPES[info.dtype][0] is not None:
            out[key] = tensor_array(header, info, data)
    return out


def read(path: Path, options: ReadOptions, fmt: str) -> Collection:
    """Every 2-D float tensor (or only `options.tensor`), labelled by a vocab.txt with as many rows."""
    with corrupt_as_format_error(path, what="safetensors"):
        return _read(path, options.tensor)


@dataclass
class _Shard:
    run: str
    header: Header
    mapped: np.ndarray

    def embedding(self, key: str) -> tuple[str, Embedding]:
        """The tensor `key` as a checked Embedding, or the error saying why it cannot be one."""
        header = self.header
        if key in header.broken:
            raise header.broken[key]
        info = header.tensors[key]
        if len(info.shape) != 2:
            raise not_a_matrix(key, info.shape, path=header.path, dtype=info.dtype)
        if not _DTYPES[info.dtype][2]:
            raise not_float(key, info.dtype, path=header.path)
        array = tensor_array(header, info, self.mapped[header.data_start :])
        return self.run, weights_embedding(array, name=key, path=header.path)


def _read(path: Path, tensor: str | None) -> Collection:
    shards = [_open_shard(run, file_path, wanted) for run, file_path, wanted in _files(path)]
    if tensor is not None:
        pairs = [_chosen(shards, tensor, path)]
    else:
        items: list[tuple[str, Callable[[], tuple[str, Embedding]]]] = []
        for shard in shards:
            keys = [k for k, info in shard.header.tensors.items() if info.is_float_matrix] + list(shard.header.broken)
            items += [(key, partial(shard.embedding, key)) for key in keys]
        pairs = read_each(items, path=path)
    for shard in shards:
        release_pages(shard.mapped)
    if not pairs:
        raise FormatError(
            "no 2-D float tensor here to use as an embedding",
            path=path,
            fix="embeddings are 2-D F32/F16/BF16/F64 tensors (vocabulary_size x embedding_size)",
        )
    folder = path if path.is_dir() else path.parent
    vocab_path = folder / "vocab.txt"
    vocab = read_vocab(vocab_path) if present(vocab_path, what="vocab file") else None
    if vocab is not None:
        _warn_unused_vocab(vocab_path, vocab, [emb for _, emb in pairs], chosen=tensor is not None)
    collection = Collection(source=str(path))
    for run, emb in pairs:
        collection.add(run, _with_vocab(emb, vocab))
    return collection


def _open_shard(run: str, file_path: Path, wanted: list[str] | None) -> _Shard:
    header = read_header(file_path)
    for key in wanted or ():
        if key not in header.tensors and key not in header.broken:
            header.broken[key] = FormatError(
                f"the index puts tensor `{key}` in {file_path.name}, but that shard does not hold it",
                path=file_path,
                field=key,
                fix="the index and the shards are out of step: download them again",
            )
    return _Shard(run, header, map_bytes(file_path))


def _chosen(shards: list[_Shard], tensor: str, path: Path) -> tuple[str, Embedding]:
    for shard in shards:
        key = choose(tensor, [*shard.header.tensors, *shard.header.broken])
        if key is not None:
            return shard.embedding(key)
    raise missing(tensor, [entry for shard in shards for entry in shard.header.listing()], path=path)


def _warn_unused_vocab(path: Path, vocab: list[str], embeddings: list[Embedding], *, chosen: bool) -> None:
    """A vocab.txt that labels none of the tensors read is named in a warning, with both counts."""
    if any(len(emb) == len(vocab) for emb in embeddings):
        return
    if chosen:
        emb = embeddings[0]
        log.warning(
            "%s has %s tokens but `%s` has %s rows: not using it as labels",
            path,
            f"{len(vocab):,}",
            emb.name,
            f"{len(emb):,}",
        )
        return
    rows = ", ".join(f"`{emb.name}`: {len(emb):,}" for emb in embeddings[:10])
    log.warning(
        "%s has %s tokens, but no tensor here has as many rows (%s): not using it as labels",
        path,
        f"{len(vocab):,}",
        rows,
    )


def _files(path: Path) -> list[tuple[str, Path, list[str] | None]]:
    """(run, file, keys the index puts in it or None) for a file, an index, or a folder."""
    if path.is_file():
        return _index(path) if path.name.endswith(INDEX_SUFFIX) else [(".", path, None)]
    indexes = sorted(path.glob(f"*{INDEX_SUFFIX}"))
    if indexes:
        return _index(indexes[0])
    if present(path / "model.safetensors", what="safetensors file"):
        return [(".", path / "model.safetensors", None)]
    found = sorted(f for f in path.glob("*.safetensors") if present(f, what="safetensors file"))
    if not found:
        raise NotFoundError("no model.safetensors in this folder", path=path, fix="point at the .safetensors file")
    if len(found) == 1:
        return [(".", found[0], None)]
    return [(f.stem, f, None) for f in found]


def _index(index_path: Path) -> list[tuple[str, Path, list[str] | None]]:
    """The shards `model.safetensors.index.json` lists, each with the keys its weight_map puts there."""
    try:
        parsed = json.loads(read_regular(index_path, what="safetensors index").decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"not valid JSON ({exc})", path=index_path) from exc
    weight_map = parsed.get("weight_map") if isinstance(parsed, dict) else None
    if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
        raise FormatError(
            "expected an object with a `weight_map` of tensor name -> shard file", path=index_path, field="weight_map"
        )
    shards: dict[str, list[str]] = {}
    for key, name in weight_map.items():
        shards.setdefault(name, []).append(key)
    out: list[tuple[str, Path, list[str] | None]] = []
    for name, keys in shards.items():
        shard = index_path.parent / name
        if Path(name).name != name:
            raise FormatError(f"shard {name!r} is not a file name in this folder", path=index_path, field="weight_map")
        if not present(shard, what="safetensors shard"):
            raise NotFoundError(
                f"the index names shard {name}, which does not exist", path=index_path, fix="download every shard"
            )
        out.append((".", shard, keys))
    return out


def read_vocab(path: Path) -> list[str]:
    """One token per line, by the rules of a single-column projector metadata file (UTF-8, BOM, CRLF)."""
    return read_labels(path)


def _with_vocab(emb: Embedding, vocab: list[str] | None) -> Embedding:
    if vocab is None or len(vocab) != len(emb):
        return emb
    table: pa.Table = typed_table({"label": pa.array(vocab, type=pa.string())})
    return emb.with_metadata(table, label_column="label")
