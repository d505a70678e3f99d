"""Keras weights read with h5py, no Keras needed: Keras 3 `.keras` / `.weights.h5`, and Keras 2 style `.h5`.

Keras 3 stores a layer's variables as `layers/<snake_case class>[_k]/vars/<i>` in `model.weights.h5` (nested
models add `layers/<model>/layers/...`); recent versions put the layer's name in the `vars` group's `name`
attribute, older ones are matched with `config.json` by walking the model's layers in the same order Keras
does. A `.keras` file is a zip of `config.json`, `metadata.json` and `model.weights.h5`: Embedding layers are
named after the layer, and other 2-D float variables are offered only when there is no Embedding layer.
Uncompressed contiguous datasets are memory-mapped straight from the file.

Nothing outside the file is read, and nothing far larger than it: external links, datasets whose data lies in
other files (external storage) and virtual datasets are refused, and so is a dataset declaring more than
MAX_CLAIM_RATIO times the file's size (a never-written dataset reads as gigabytes of its fill value).
"""

from __future__ import annotations

import io
import json
import logging
import math
import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..embedding import Collection, Embedding
from ..errors import AccessDeniedError, FormatError
from ._selection import choose, missing, not_a_matrix, not_float, read_each, shape_text
from ._weights import (
    corrupt_as_format_error,
    map_bytes,
    open_zip,
    release_pages,
    weights_embedding,
    zip_member_data_offset,
)
from .options import ReadOptions
from .zip_budget import ZipBudget

log = logging.getLogger(__name__)

WEIGHTS_MEMBER = "model.weights.h5"
MAX_CLAIM_RATIO = 64
_OUTSIDE_FIX = "copy the data into the file itself (h5repack -l CONTI in.h5 out.h5 for external storage)"


def read(path: Path, options: ReadOptions, fmt: str) -> Collection:
    """The Embedding layers' weights (else every 2-D float variable), or only `options.tensor`."""
    with corrupt_as_format_error(path, what="Keras"):
        return _read(path, options.tensor)


def _read(path: Path, want: str | None) -> Collection:
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise FormatError("empty file", path=path, fix="save the model again with model.save() or save_weights()")
    if head.startswith(b"PK"):
        return _read_keras_zip(path, want)
    if head.startswith(b"\x89HDF"):
        return _read_h5_file(path, want)
    raise FormatError(
        f"not a Keras file: expected a .keras zip archive or an HDF5 file, found bytes {head!r}",
        path=path,
        fix="save the model with model.save('model.keras') or model.save_weights('model.weights.h5')",
    )


# -- .keras zip ------------------------------------------------------------------------------------------
def _read_keras_zip(path: Path, want: str | None) -> Collection:
    with open_zip(path, what=".keras") as zf:
        names = zf.namelist()
        if WEIGHTS_MEMBER not in names:
            raise FormatError(
                f"this .keras archive has no {WEIGHTS_MEMBER} (it holds {', '.join(names) or 'nothing'})",
                path=path,
                fix="only HDF5 weights are read: save with model.save('model.keras') and the default weights format",
            )
        budget = ZipBudget(path, what=".keras")
        config = _json_member(budget.read(zf, "config.json"), "config.json", path) if "config.json" in names else None
        info = zf.getinfo(WEIGHTS_MEMBER)
        start = zip_member_data_offset(path, info)
        mapped = map_bytes(path)
        # a compressed member is unpacked once into a temporary file: h5py seeks, and a seek back in a
        # compressed zip member unpacks it again from its start
        source = budget.spool(zf, info) if start is None else _Window(mapped[start : start + info.file_size])
        with source:
            h5 = _open_h5(source, path, what=WEIGHTS_MEMBER)
            with h5:
                return _from_h5(h5, path, mapped=mapped, base=start, config=config, want=want)


def _json_member(raw: bytes, name: str, path: Path) -> dict[str, Any]:
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{name} is not valid JSON ({exc})", path=path) from exc
    if not isinstance(parsed, dict):
        raise FormatError(f"{name} must hold a JSON object, found {type(parsed).__name__}", path=path)
    return parsed


class _Window(io.RawIOBase):
    """A seekable read-only file over a slice of a memory map (zip members stored uncompressed)."""

    def __init__(self, data: np.ndarray) -> None:
        self._data = data
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        origin = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._data)}[whence]
        self._pos = max(0, origin + offset)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        chunk = self._data[self._pos : self._pos + len(buffer)]
        memoryview(buffer).cast("B")[: len(chunk)] = chunk.tobytes()
        self._pos += len(chunk)
        return len(chunk)


# -- HDF5 ------------------------------------------------------------------------------------------------
def _open_h5(source: Path | io.RawIOBase | IO[bytes], path: Path, *, what: str) -> Any:
    import h5py

    try:
        return h5py.File(source, "r")
    except OSError as exc:
        raise FormatError(
            f"{what} is not a readable HDF5 file ({exc})", path=path, fix="the file may be truncated: save it again"
        ) from exc


def _read_h5_file(path: Path, want: str | None) -> Collection:
    h5 = _open_h5(path, path, what="this")
    with h5:
        mapped = map_bytes(path)
        if h5.get("model_weights", getlink=True) is not None or "layer_names" in h5.attrs:
            return _read_legacy(h5, path, mapped, want)
        return _from_h5(h5, path, mapped=mapped, base=0, config=None, want=want)


def _from_h5(
    h5: Any, path: Path, *, mapped: np.ndarray, base: int | None, config: dict[str, Any] | None, want: str | None
) -> Collection:
    """Keras 3 layout: every `.../vars` group, named by its `name` attribute or by config.json."""
    by_path = _config_paths(config) if config is not None else {}
    by_name = dict(by_path.values())
    layers: list[tuple[str, str, list[Any]]] = []  # (layer name, class name, 2-D float datasets)
    for group_path, group in _vars_groups(h5):
        if group_path.split("/", 1)[0] in ("optimizer", "metrics"):
            continue
        layer, cls = by_path.get(group_path, (group_path or "model", ""))
        attr = group.attrs.get("name")
        attr = attr.decode("utf-8", "replace") if isinstance(attr, bytes) else attr
        if isinstance(attr, str) and attr:
            layer, cls = attr, by_name.get(attr, cls)
        members = [_child(group, k, path) for k in sorted(group, key=_var_order)]
        matrices = [obj for obj in members if _is_matrix(obj)]
        if matrices:
            layers.append((layer, cls, matrices))
    if not layers and not any(True for _ in _vars_groups(h5)):
        log.info("%s: no Keras layout (layers/.../vars); offering every 2-D float dataset", path)
        layers = [(name, "", [ds]) for name, ds in _all_matrices(h5)]
    embedding_layers = [entry for entry in layers if entry[1].endswith("Embedding")]
    if config is not None and not embedding_layers:
        log.info("%s: config.json has no Embedding layer; offering every 2-D float variable", path)

    def named(chosen: list[tuple[str, str, list[Any]]]) -> list[tuple[str, Any]]:
        return [
            (layer if i == 0 else f"{layer}/vars/{_basename(ds)}", ds)
            for layer, _cls, matrices in chosen
            for i, ds in enumerate(matrices)
        ]

    offered = named(embedding_layers or layers)
    return _collect(h5, path, offered, named(layers), mapped=mapped, base=base, want=want)


def _collect(
    h5: Any,
    path: Path,
    offered: list[tuple[str, Any]],
    named: list[tuple[str, Any]],
    *,
    mapped: np.ndarray,
    base: int | None,
    want: str | None,
) -> Collection:
    """The offered datasets as Embeddings (one that cannot be used is skipped), or only the one `want` names."""
    collection = Collection(source=str(path))
    if want is not None:
        name, ds = _chosen(h5, path, named, want)
        collection.add(".", _embedding(path, name, ds, mapped, base))
    else:
        items = [(name, partial(_embedding, path, name, ds, mapped, base)) for name, ds in offered]
        for emb in read_each(items, path=path):
            collection.add(".", emb)
    return _done(collection, mapped, path)


def _chosen(h5: Any, path: Path, named: list[tuple[str, Any]], want: str) -> tuple[str, Any]:
    """The dataset `want` names: a name embedscope offers (the layer's), else a dataset path in the file."""
    by_name = dict(reversed(named))
    key = choose(want, by_name)
    if key is not None:
        return key, by_name[key]
    datasets = _all_datasets(h5)
    key = choose(want.strip("/"), datasets)
    if key is not None:
        return key, datasets[key]
    listing = [(name, f"{ds.dtype}, shape {shape_text(ds.shape)}") for name, ds in named]
    listing += [(name, f"{ds.dtype}, shape {shape_text(ds.shape)}") for name, ds in datasets.items()]
    raise missing(want, listing, path=path)


def _embedding(path: Path, name: str, ds: Any, mapped: np.ndarray, base: int | None) -> Embedding:
    if ds.ndim != 2:
        raise not_a_matrix(name, ds.shape, path=path, dtype=str(ds.dtype))
    if not _is_matrix(ds):
        raise not_float(name, str(ds.dtype), path=path)
    return weights_embedding(_array(ds, mapped, base, path), name=name, path=path, bfloat16=_is_bfloat16(ds))


def _all_datasets(h5: Any) -> dict[str, Any]:
    import h5py

    found: dict[str, Any] = {}

    def visit(name: str, obj: Any) -> None:  # returning a value would stop the walk
        if isinstance(obj, h5py.Dataset):
            found[name] = obj

    h5.visititems(visit)
    return found


def _done(collection: Collection, mapped: np.ndarray, path: Path) -> Collection:
    release_pages(mapped)
    if not len(collection):
        raise FormatError(
            "no 2-D float weights here to use as an embedding",
            path=path,
            fix="an Embedding layer's weights are a 2-D input_dim x output_dim matrix",
        )
    return collection


def _vars_groups(h5: Any) -> Iterator[tuple[str, Any]]:
    """(layer path, its `vars` group) for every `vars` group, the root model's first (path "")."""
    import h5py

    found: list[tuple[str, Any]] = []

    def visit(name: str, obj: Any) -> None:
        if isinstance(obj, h5py.Group) and name.rsplit("/", 1)[-1] == "vars":
            found.append((name[: -len("vars")].rstrip("/"), obj))

    h5.visititems(visit)
    yield from found


def _all_matrices(h5: Any) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    h5.visititems(lambda name, obj: found.append((name, obj)) if _is_matrix(obj) else None)
    return found


def _var_order(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (1 << 30, key)


def _basename(ds: Any) -> str:
    return str(ds.name).rsplit("/", 1)[-1]


def _is_bfloat16(ds: Any) -> bool:
    value = ds.attrs.get("dtype")
    return (value.decode() if isinstance(value, bytes) else value) == "bfloat16" and ds.dtype.itemsize == 2


def _is_matrix(obj: Any) -> bool:
    import h5py

    return isinstance(obj, h5py.Dataset) and obj.ndim == 2 and (obj.dtype.kind == "f" or _is_bfloat16(obj))


def _child(group: Any, name: str, path: Path) -> Any:
    """`group[name]`, refused when the link leads into another file (an external link, or a soft link through one)."""
    import h5py

    link = group.get(name, getlink=True)
    if link is None:
        return None
    if isinstance(link, h5py.ExternalLink):
        raise AccessDeniedError(
            f"{group.name.rstrip('/')}/{name} is a link into another file ({link.filename}:{link.path}), not read",
            path=path,
            fix=_OUTSIDE_FIX.split(" (")[0],
        )
    obj = group.get(name)
    if obj is not None and obj.file != group.file:
        raise AccessDeniedError(f"{group.name.rstrip('/')}/{name} leads into another file, not read", path=path)
    return obj


def _check_storage(ds: Any, mapped: np.ndarray, path: Path) -> None:
    """Refuse a dataset whose data lies in other files, or that declares far more bytes than the file holds."""
    import h5py

    plist = ds.id.get_create_plist()
    if plist.get_external_count() > 0:
        other = plist.get_external(0)[0]
        raise AccessDeniedError(
            f"dataset {ds.name} keeps its data in another file ({other.decode('utf-8', 'replace')!r}): "
            "external storage is not read",
            path=path,
            field=ds.name,
            fix=_OUTSIDE_FIX,
        )
    if plist.get_layout() == h5py.h5d.VIRTUAL:
        raise AccessDeniedError(
            f"dataset {ds.name} is a virtual dataset, made of other datasets (maybe in other files): not read",
            path=path,
            field=ds.name,
            fix="copy the data into a plain dataset",
        )
    limit = MAX_CLAIM_RATIO * int(mapped.shape[0]) + (1 << 20)
    chunk = math.prod(ds.chunks) * ds.dtype.itemsize if ds.chunks else 0
    if chunk > limit:  # a compressed chunk is unpacked whole, however few of its elements the dataset uses
        raise FormatError(
            f"dataset {ds.name} is stored in chunks of {shape_text(ds.chunks)} = {chunk:,} bytes each, over "
            f"{MAX_CLAIM_RATIO}x the file's {int(mapped.shape[0]):,} bytes",
            path=path,
            field=ds.name,
            fix="save the weights again with model.save_weights",
        )
    if ds.size * ds.dtype.itemsize > limit:
        raise FormatError(
            f"dataset {ds.name} declares {ds.size * ds.dtype.itemsize:,} bytes ({shape_text(ds.shape)}, {ds.dtype}), "
            f"over {MAX_CLAIM_RATIO}x the file's {int(mapped.shape[0]):,} bytes: a dataset never written reads as "
            "that much fill value (or its compression ratio is a bomb)",
            path=path,
            field=ds.name,
            fix="save the weights again with model.save_weights",
        )


def _array(ds: Any, mapped: np.ndarray, base: int | None, path: Path) -> np.ndarray:
    """A dataset as stored (bfloat16 as uint16): memory-mapped when contiguous and uncompressed, else read."""
    _check_storage(ds, mapped, path)
    bf16 = _is_bfloat16(ds)
    dtype = np.dtype("<u2") if bf16 else ds.dtype
    offset = ds.id.get_offset() if ds.chunks is None and base is not None else None
    nbytes = int(np.prod(ds.shape)) * dtype.itemsize
    if offset is not None and base is not None and base + offset + nbytes <= mapped.shape[0]:
        array = mapped[base + offset : base + offset + nbytes].view(dtype).reshape(ds.shape)
    else:
        try:
            array = ds[()]
        except OSError as exc:
            raise FormatError(f"dataset {ds.name} could not be read ({exc})", path=path, field=ds.name) from exc
        array = array.view(dtype) if bf16 else array
    return array


# -- config.json -----------------------------------------------------------------------------------------
def _snake(name: str) -> str:
    """Keras's naming.to_snake_case: how a layer's class names its group in model.weights.h5."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _config_paths(config: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """h5 group path -> (layer name, class name), walking layers in the order Keras saves them."""
    out: dict[str, tuple[str, str]] = {}

    def walk(node: Any, path: str) -> None:
        if not isinstance(node, dict):
            return
        cls = str(node.get("class_name", ""))
        inner = node.get("config")
        inner = inner if isinstance(inner, dict) else {}
        out[path] = (str(inner.get("name") or node.get("name") or path or "model"), cls)
        children = inner.get("layers")
        if not isinstance(children, list):
            return
        if cls == "Sequential" and children and isinstance(children[0], dict):
            children = children[1:] if children[0].get("class_name") == "InputLayer" else children
        used: dict[str, int] = {}
        for child in children:
            snake = _snake(str(child.get("class_name", ""))) if isinstance(child, dict) else "layer"
            used[snake] = used.get(snake, -1) + 1
            unique = snake if used[snake] == 0 else f"{snake}_{used[snake]}"
            walk(child, f"{path}/layers/{unique}".lstrip("/"))

    walk(config, "")
    return out


# -- Keras 2 style HDF5 ----------------------------------------------------------------------------------
def _read_legacy(h5: Any, path: Path, mapped: np.ndarray, want: str | None) -> Collection:
    """`model.save('x.h5')` / Keras 2 `save_weights`: layer_names -> weight_names -> datasets."""
    root = _child(h5, "model_weights", path)
    root = h5 if root is None else root
    classes: dict[str, str] = {}
    raw_config = h5.attrs.get("model_config")
    if raw_config is not None:
        try:
            config = json.loads(raw_config.decode() if isinstance(raw_config, bytes) else raw_config)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FormatError(f"model_config is not valid JSON ({exc})", path=path, field="model_config") from exc
        classes = dict(_config_paths(config).values()) if isinstance(config, dict) else {}
    found: list[tuple[str, str, Any]] = []  # (layer, weight name, dataset)
    for layer in _strings(root.attrs.get("layer_names", [])):
        group = _child(root, layer, path)
        if group is None:
            continue
        for weight in _strings(group.attrs.get("weight_names", [])):
            ds = _child(group, weight, path)
            if ds is None:
                raise FormatError(f"layer {layer} lists weight {weight}, which is missing", path=path, field=layer)
            if _is_matrix(ds):
                found.append((layer, weight.rsplit("/", 1)[-1].split(":")[0], ds))
    embeddings = [
        entry for entry in found if classes.get(entry[0], "").endswith("Embedding") or entry[1] == "embeddings"
    ]
    offered = [(layer if embeddings else f"{layer}/{weight}", ds) for layer, weight, ds in embeddings or found]
    named = offered + [(f"{layer}/{weight}", ds) for layer, weight, ds in found]
    return _collect(h5, path, offered, named, mapped=mapped, base=0, want=want)


def _strings(values: Any) -> list[str]:
    return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values]
