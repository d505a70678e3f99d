"""gensim's own saved files (`.save()`): KeyedVectors (`.kv`) and Word2Vec, FastText, Doc2Vec models (`.model`).

gensim pickles the object and stores its large arrays beside it as `<file>.<attribute>.npy` (a model's word
vectors as `<file>.wv.vectors.npy`). A pickle can run any code when loaded, so it is never handed to pickle's
own loader: a restricted Unpickler admits only NumPy's arrays, dtypes and scalars, a few builtin containers,
and gensim's classes, which it replaces by inert stand-ins that only hold their attributes (no gensim code runs
while unpickling; numpy.random states become inert too). Anything else (`os.system`, `builtins.eval`, ...) is
refused with an error. The `.npy` files are memory-mapped with allow_pickle=False. Every call the pickle makes,
every object it builds and every label read from it is charged to a WorkBudget (bounded_pickle.py) proportional to
the file's size, and calls that would allocate from a number (`bytes(10**10)`, an array of a declared shape) are
checked first: a small pickle cannot make the reader expand shared references or allocate gigabytes.

The word vectors are then `index_to_key` and `vectors` (`index2word` and `syn0` in gensim 3). A FastText
model's word vectors are not saved (gensim recomputes them from the vocabulary and n-gram vectors): they are
recomputed the same way, by gensim's own FastTextKeyedVectors built from the arrays read here.
"""

from __future__ import annotations

import collections
import io
import math
import re
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ...checks import as_float32, check_finite
from ...embedding import Collection, Embedding
from ...errors import EmbedscopeError, FormatError, NotFoundError
from ..bounded_pickle import WALK_PER_BYTE, BoundedUnpickler, WorkBudget
from ..side_files import present

_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def conversion(path: Path) -> str:
    """The one line that turns a gensim file you trust into word2vec binary, which embedscope reads."""
    return (
        f'if you trust this file, convert it with gensim: python -c "from gensim.models import KeyedVectors; '
        f"KeyedVectors.load('{path}').save_word2vec_format('{path.with_suffix('.bin')}', binary=True)\" "
        "(a model: gensim.models.Word2Vec.load(...).wv.save_word2vec_format(...))"
    )


_MAX_BUILT_BYTES = 1 << 20  # what one call may allocate before data fills it (numpy itself asks for nothing)


class _Inert:
    """Stands for a callable whose result is not needed (numpy.random states, `hash`): takes anything, does nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __setstate__(self, state: Any) -> None:
        pass


class Saved:
    """Stands for an object of a gensim class: holds its pickled attributes, runs none of gensim's code."""

    gensim_class = ""
    budget: WorkBudget | None = None  # set on the stand-in classes of one Unpickler

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.budget is not None:
            self.budget.charge_args(args)
        self.state: dict[str, Any] = {}

    def __setstate__(self, state: Any) -> None:
        if self.budget is not None:
            self.budget.charge_args((state,))
        if isinstance(state, tuple) and len(state) == 2:  # (__dict__, slots)
            state = {**(state[0] or {}), **(state[1] or {})}
        self.state = dict(state) if isinstance(state, dict) else {}

    @property
    def kind(self) -> str:
        return self.gensim_class.rsplit(".", 1)[-1]


def _numpy_names() -> dict[str, Any]:
    try:
        from numpy._core import multiarray  # NumPy 2
    except ImportError:  # pragma: no cover - NumPy 1.26
        from numpy.core import multiarray  # type: ignore[no-redef]

    def scalar(dtype: Any, *args: Any) -> Any:
        if not isinstance(dtype, np.dtype) or dtype.itemsize > _MAX_BUILT_BYTES:
            raise FormatError(f"refusing to build a NumPy scalar of dtype {dtype!r:.60}")
        return multiarray.scalar(dtype, *args)

    names: dict[str, Any] = {"numpy.ndarray": np.ndarray, "numpy.dtype": np.dtype}
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        names[f"{module}._reconstruct"] = multiarray._reconstruct  # replaced by _reconstruct in find_class
        names[f"{module}.scalar"] = scalar
    return names


def _built_bytes(shape: Any, dtype: Any) -> int | None:
    """The bytes an array of `shape` and `dtype` takes, or None when they are not a shape and a dtype."""
    if not isinstance(shape, tuple) or len(shape) > 64 or not all(isinstance(n, int) and n >= 0 for n in shape):
        return None
    try:
        return math.prod(shape) * np.dtype(dtype).itemsize
    except (TypeError, ValueError):
        return None


def _reconstruct(array_type: type[np.ndarray], subtype: Any, shape: Any, dtype: Any) -> np.ndarray:
    """numpy's `_reconstruct`: an empty array that BUILD fills (numpy pickles shape (0,)), of a charged subclass."""
    size = _built_bytes(shape, dtype)
    if subtype is not np.ndarray or size is None or size > _MAX_BUILT_BYTES:
        raise FormatError(f"refusing to build an array of shape {shape!r:.60} and dtype {dtype!r:.60} from nothing")
    array: np.ndarray = _ADMITTED["numpy.core.multiarray._reconstruct"](array_type, shape, dtype)
    return array


class _Array(np.ndarray):
    """An array being unpickled: BUILD (`__setstate__`) is charged its data's size to its Unpickler's budget
    (each Unpickler makes its own subclass, holding its budget)."""

    budget: WorkBudget | None = None

    def __setstate__(self, state: Any) -> None:
        budget = type(self).budget
        if budget is not None and isinstance(state, tuple) and state:
            shape = state[1] if len(state) > 1 and isinstance(state[1], tuple) else ()
            budget.charge_args((state[-1], shape))
            budget.charge(math.prod(n for n in shape if isinstance(n, int)) // 8)
        super().__setstate__(state)


def _from_data(*args: Any) -> bytes:
    """`builtins.bytes`, from data only: `bytes(10**10)` would allocate ten gigabytes from eleven bytes of pickle."""
    if args and isinstance(args[0], int):
        raise FormatError(f"refusing bytes({args[0]!r:.20}): a gensim file builds bytes from data, not from a size")
    return bytes(*args)


_ADMITTED: dict[str, Any] = {
    **_numpy_names(),
    "collections.defaultdict": collections.defaultdict,
    "collections.OrderedDict": dict,
    **{f"builtins.{t.__name__}": t for t in (int, float, bool, str, dict, list, set, frozenset, tuple)},
    "builtins.bytes": _from_data,
    "builtins.hash": _Inert,  # Word2Vec keeps its hash function
}
_INERT_MODULES = ("numpy.random",)  # the random states models keep: not needed, made inert


class _Unpickler(BoundedUnpickler):
    def __init__(self, data: bytes, path: Path, budget: WorkBudget) -> None:
        super().__init__(io.BytesIO(data), budget)
        self.path = path
        self.stand_ins: dict[str, type[Saved]] = {}
        self.array_type = type("_Array", (_Array,), {"budget": budget})

    def find_class(self, module: str, name: str) -> Any:
        full = f"{module}.{name}"
        if name == "_reconstruct" and full in _ADMITTED:
            return self.budget.call(partial(_reconstruct, self.array_type))
        if full in _ADMITTED:
            found = _ADMITTED[full]
            return found if found is np.ndarray else self.budget.call(found)  # ndarray: an argument, never called
        if module.startswith(_INERT_MODULES):
            return self.budget.call(_Inert)
        if module == "gensim" or module.startswith("gensim."):
            if full not in self.stand_ins:
                self.stand_ins[full] = type(name, (Saved,), {"gensim_class": full, "budget": self.budget})
            return self.stand_ins[full]
        raise FormatError(
            f"refusing to unpickle {full}: a gensim file holds only gensim's and NumPy's objects, and loading "
            "this one could run code",
            path=self.path,
            fix="load only gensim files you trust; " + conversion(self.path),
        )

    def persistent_load(self, pid: Any) -> Any:
        raise FormatError(f"unexpected persistent id {pid!r:.80} in a gensim file", path=self.path)


def unpickle(path: Path) -> Any:
    """The object pickled in `path`, through the restricted Unpickler (gensim classes come back as Saved)."""
    data = path.read_bytes()
    try:
        return _Unpickler(data, path, WorkBudget(len(data), path=path, what="gensim")).load()
    except EmbedscopeError as exc:
        if exc.path is None:  # raised by a call the pickle made: say which file
            raise FormatError(exc.message, path=path, field=exc.field, fix=exc.fix) from None
        raise
    except Exception as exc:  # a damaged pickle fails in many ways: each is a FormatError
        raise FormatError(
            f"not a readable gensim file ({type(exc).__name__}: {exc})",
            path=path,
            fix="save it again with gensim's .save(), or " + conversion(path).removeprefix("if you trust this file, "),
        ) from None


class _Arrays:
    """The attributes of one saved gensim object, with those stored beside the file read from their .npy."""

    def __init__(self, obj: Saved, base: str, path: Path, budget: WorkBudget) -> None:
        self.obj = obj
        self.budget = budget
        self.base = base  # the file name gensim's side files start with: FILE, or FILE.wv for a model's part
        self.path = path

    def get(self, name: str) -> Any:
        separate = self.obj.state.get("__numpys") or []
        if name in separate:
            return self._side_file(name)
        value = self.obj.state.get(name)
        return value.view(np.ndarray) if isinstance(value, _Array) else value

    def _side_file(self, name: str) -> np.ndarray:
        if not _ATTRIBUTE.fullmatch(name):
            raise FormatError(f"attribute name {name!r:.60} is not a name", path=self.path)
        side = self.path.with_name(f"{self.base}.{name}.npy")
        if not present(side, what="gensim side file"):
            raise NotFoundError(
                f"gensim saved `{name}` beside this file as {side.name}, which is missing",
                path=self.path,
                fix=f"keep the .npy files gensim wrote next to {self.path.name} ({self.path.name}.*.npy)",
            )
        try:
            return np.load(side, mmap_mode="r", allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise FormatError(f"cannot read {side.name}: {exc}", path=side, fix="save the model again") from None


def _matrix(value: Any, what: str, path: Path) -> np.ndarray:
    if not isinstance(value, np.ndarray) or value.ndim != 2 or value.dtype.kind not in "fiu":
        found = f"shape {value.shape}, dtype {value.dtype}" if isinstance(value, np.ndarray) else type(value).__name__
        raise FormatError(f"`{what}` is not a 2-D table of numbers ({found})", path=path)
    return value


def _keys(arrays: _Arrays, rows: int) -> list[str]:
    state = arrays.obj.state
    keys = next((state[k] for k in ("index_to_key", "index2word", "index2entity") if state.get(k) is not None), None)
    if keys is None or (isinstance(keys, list) and not keys and rows):
        return [str(i) for i in range(rows)]
    if not isinstance(keys, list | tuple):
        raise FormatError(f"`index_to_key` is a {type(keys).__name__}, not a list", path=arrays.path)
    out: list[str] = []
    for key in keys:  # one long key shared by every row would otherwise be copied into every label
        text = str(key)
        arrays.budget.charge(1 + len(text))
        out.append(text)
    return out


def _fasttext_vectors(arrays: _Arrays) -> np.ndarray:
    """A FastText model's word vectors, which gensim does not save: made by gensim from what was saved."""
    from gensim.models.fasttext import FastTextKeyedVectors

    vocab = _matrix(arrays.get("vectors_vocab"), "vectors_vocab", arrays.path)
    ngrams = _matrix(arrays.get("vectors_ngrams"), "vectors_ngrams", arrays.path)
    given = {k: arrays.get(k) for k in ("min_n", "max_n", "bucket")}
    if not all(isinstance(v, int | np.integer) and 0 <= v < 1 << 31 for v in given.values()):
        raise FormatError(f"fastText sizes {given} are not whole numbers", path=arrays.path)
    min_n, max_n, bucket = (int(v) for v in given.values())
    if max_n > _MAX_NGRAM:  # each word costs (its length) x (max_n - min_n) n-gram hashes
        raise FormatError(
            f"fastText max_n is {max_n}; at most {_MAX_NGRAM} is read (fastText uses 6)", path=arrays.path
        )
    if vocab.shape[1] != ngrams.shape[1] or (bucket and bucket != len(ngrams)):
        raise FormatError(
            f"fastText arrays do not fit: bucket {bucket}, vectors_vocab {vocab.shape}, vectors_ngrams {ngrams.shape}",
            path=arrays.path,
        )
    keys = _keys(arrays, len(vocab))
    kv = FastTextKeyedVectors(vocab.shape[1], min_n, max_n, bucket)
    kv.vectors_vocab, kv.vectors_ngrams = np.asarray(vocab, np.float32), np.asarray(ngrams, np.float32)
    kv.index_to_key = keys
    kv.key_to_index = {k: i for i, k in enumerate(keys)}
    kv.recalc_char_ngram_buckets()
    with np.errstate(all="ignore"):  # a NaN or Inf in the file is reported by check_finite
        kv.adjust_vectors()
    return np.asarray(kv.vectors)


_MAX_NGRAM = 64


def _embedding(obj: Saved, base: str, path: Path, name: str, budget: WorkBudget) -> Embedding:
    arrays = _Arrays(obj, base, path, budget)
    vectors = arrays.get("vectors")
    if vectors is None:
        vectors = arrays.get("syn0")
    if vectors is None and obj.kind == "FastTextKeyedVectors":
        vectors = _fasttext_vectors(arrays)
    vectors = _matrix(vectors, "vectors", path)
    keys = _keys(arrays, len(vectors))
    if len(keys) > len(vectors):
        raise FormatError(f"{len(keys):,} keys for {len(vectors):,} vectors", path=path)
    vectors = as_float32(vectors[: len(keys)])
    check_finite(vectors, path=path, labels=keys)
    metadata = pa.table({"label": pa.array(keys, type=pa.string())})
    return Embedding(vectors, name=name, metadata=metadata, label_column="label", source=str(path), checked=True)


def read(path: Path, *, name: str | None = None) -> Collection:
    """The word vectors of a gensim file: one embedding for KeyedVectors, `wv` (and `dv`) for a model."""
    root = unpickle(path)
    budget = WorkBudget.of_file(path, what="gensim", per_byte=WALK_PER_BYTE)  # labels, charged by length
    collection = Collection(source=str(path))
    if not isinstance(root, Saved):
        raise FormatError(
            f"this pickle holds a {type(root).__name__}, not a gensim object", path=path, fix=conversion(path)
        )
    held = {*root.state, *(root.state.get("__numpys") or [])}
    if root.kind.endswith("KeyedVectors") or held & {"vectors", "syn0", "vectors_vocab"}:
        stem = path.name[: -len(path.suffix)] if path.suffix else path.name
        collection.add(".", _embedding(root, path.name, path, name or stem, budget))
        return collection
    parts = [a for a in ("wv", "dv") if isinstance(root.state.get(a), Saved)]
    if not parts:
        raise FormatError(
            f"this gensim file holds a {root.gensim_class}, which has no word vectors (no `wv`, no `vectors`)",
            path=path,
            fix="load a KeyedVectors (.kv) or a Word2Vec, FastText or Doc2Vec model (.model)",
        )
    for part in parts:
        collection.add(".", _embedding(root.state[part], f"{path.name}.{part}", path, part, budget))
    return collection
