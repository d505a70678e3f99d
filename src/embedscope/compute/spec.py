"""The one description of a projection request: its parameters, their limits and defaults, and its cache key.

Every door (the Python API, the CLI, the HTTP API and, through ``GET /api/options``, the page) builds a
``ProjectionSpec`` with ``ProjectionSpec.build``: it fills the defaults and checks every value against the one
table below (``PARAMS``), resolves spherize and the "isolate" subset, and refuses at once what the computation
would only fail on later (PCA axes, the custom axes' column and patterns). ``spec.key(emb)`` is the
projection's identity, the one cache key: the data's hash, the hash of every metadata column the method reads,
the subset, the parameters, the seed and ``CODE_VERSION``.

Messages name the Python parameters in backticks (`n_components`); the CLI translates them to its flags
(``cli_flags()``), the HTTP API reports them as fields.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ParameterError

if TYPE_CHECKING:
    from ..embedding import Embedding

CODE_VERSION = 4  # part of every cache key: raise it when a method's output changes for the same request
METHODS = ("pca", "tsne", "umap", "custom", "precomputed")
PCA_COMPONENTS = 10  # principal components computed for PCA (its `axes` choose among them)
METRICS = ("euclidean", "cosine")
SIDES = ("left", "right", "up", "down")


@dataclass(frozen=True)
class Param:
    """One parameter: its type, default, limits or choices, help, and the CLI flag it is typed as."""

    name: str
    type: str  # number | integer | choice | string | boolean | number_or_auto | components
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    exclusive_min: bool = False
    choices: tuple[Any, ...] | None = None
    max_length: int | None = None
    flag: str | None = None

    @property
    def cli_flag(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    def describe(self) -> dict[str, Any]:
        """The JSON the page reads (GET /api/options)."""
        out: dict[str, Any] = {"name": self.name, "type": self.type, "default": self.default, "help": self.help}
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        if self.exclusive_min:
            out["exclusive_min"] = True
        if self.choices is not None:
            out["choices"] = list(self.choices)
        if self.max_length is not None:
            out["max_length"] = self.max_length
        return out

    def check(self, value: Any) -> Any:
        """`value` if it is valid (ints kept ints, numbers as float), else a ParameterError naming this parameter."""
        if self.type in ("number", "integer", "number_or_auto"):
            if self.type == "number_or_auto" and value == "auto":
                return value
            return self._number(value)
        if self.type == "choice":
            choices = self.choices or ()
            if value not in choices or isinstance(value, bool) != isinstance(self.default, bool):
                raise self._error(f"one of {list(choices)}", value)
            return choices[choices.index(value)]
        if self.type == "boolean":
            if not isinstance(value, bool):
                raise self._error("true or false", value)
            return value
        if self.type == "string":
            if value is not None and not isinstance(value, str):
                raise self._error("a string", value)
            if value is not None and self.max_length is not None and len(value) > self.max_length:
                raise self._error(f"at most {self.max_length:,} characters", f"{len(value):,} characters")
            return value
        return value  # components: checked against n_components and the data (pca_axes)

    def _number(self, value: Any) -> int | float:
        integer = self.type == "integer"
        is_number = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
        if integer and is_number and float(value).is_integer():
            value = int(value)
        ok = is_number and math.isfinite(float(value)) and (not integer or isinstance(value, int | np.integer))
        low_ok = self.min is None or (value > self.min if self.exclusive_min else value >= self.min) if ok else False
        if not ok or not low_ok or (self.max is not None and value > self.max):
            raise self._error(self._range(), value)
        return int(value) if integer else float(value)

    def _range(self) -> str:
        what = "an integer" if self.type == "integer" else "a number"
        if self.type == "number_or_auto":
            what = "'auto' or a number"
        if self.min is not None and self.max is not None:
            return f"{what} from {_number(self.min)} to {_number(self.max)}"
        if self.min is not None:
            return f"{what} {'above' if self.exclusive_min else 'of at least'} {_number(self.min)}"
        return what

    def _error(self, expected: str, got: Any) -> ParameterError:
        shown = got if isinstance(got, str) and got.endswith("characters") else repr(got)
        return ParameterError(f"`{self.name}` must be {expected}, got {shown}", field=self.name)


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def _pattern(side: str, where: str) -> Param:
    return Param(side, "string", None, f"custom: pattern of the {where} (in the column)", max_length=1000)


NEIGHBORS = Param(
    "neighbors",
    "choice",
    "auto",
    "t-SNE and UMAP: the k-NN graph: exact below 50,000 points and approximate (HNSW, recall measured) above; "
    "an approximate graph can differ slightly from run to run",
    choices=("auto", "exact", "approximate"),
)

PARAMS: dict[str, tuple[Param, ...]] = {
    "pca": (
        Param(
            "axes",
            "components",
            None,
            "PCA: which principal components to draw (numbered from 0), one per dimension; the first ones by default",
        ),
    ),
    "tsne": (
        Param("perplexity", "number", 30.0, "t-SNE: the effective number of neighbours each point keeps", 1, 1000),
        Param("n_iter", "integer", 750, "t-SNE: optimisation steps in all", 250, 10_000, flag="--iterations"),
        Param("early_exaggeration", "number", 12.0, "t-SNE: attraction factor of the first 250 steps", 1, 100),
        Param(
            "learning_rate",
            "number_or_auto",
            "auto",
            "t-SNE: 'auto' is openTSNE's rule: N / 12 during early exaggeration, then N",
            0,
            exclusive_min=True,
        ),
        Param("metric", "choice", "euclidean", "t-SNE and UMAP: distance between points", choices=METRICS),
        NEIGHBORS,
        Param(
            "supervise",
            "string",
            None,
            "t-SNE: metadata column whose labels pull points of one label together (TensorBoard's Supervise)",
            max_length=500,
        ),
        Param(
            "supervise_ignore",
            "string",
            "",
            "t-SNE: the label of unlabelled points, left unsupervised (empty values always are)",
            max_length=500,
        ),
        Param("supervise_strength", "number", 0.5, "t-SNE: how strongly labels pull (0: not at all)", 0, 1),
    ),
    "umap": (
        Param("n_neighbors", "integer", 15, "UMAP: neighbours per point (local versus global structure)", 2, 200),
        Param("min_dist", "number", 0.1, "UMAP: how tightly points may pack", 0, 1),
        Param("metric", "choice", "euclidean", "t-SNE and UMAP: distance between points", choices=METRICS),
        NEIGHBORS,
        Param(
            "parallel",
            "boolean",
            False,
            "UMAP: lay out on every core, faster but not reproducible (the seed then does not fix the map)",
        ),
    ),
    "custom": (
        Param("column", "string", None, "custom: metadata column the patterns match [labels]", max_length=500),
        _pattern("left", "Left end of x"),
        _pattern("right", "Right end of x"),
        _pattern("up", "Up end of y"),
        _pattern("down", "Down end of y"),
        Param("regex", "boolean", False, "custom: the patterns are regular expressions, not substrings"),
        Param(
            "fallback",
            "choice",
            "pca",
            "custom: the axis no pattern gives: the top principal direction or random",
            choices=("pca", "random"),
        ),
    ),
    "precomputed": (
        Param(
            "columns",
            "string",
            None,
            "precomputed: the metadata columns holding coordinates computed elsewhere, comma-separated [x,y or x,y,z]",
            max_length=1000,
            flag="--coords-columns",
        ),
    ),
}
N_COMPONENTS = Param("n_components", "choice", 2, "dimensions of the projection", choices=(2, 3), flag="--dims")
RANDOM_STATE = Param(
    "random_state", "integer", 0, "seed: the same seed gives the same output", 0, 2**32 - 1, flag="--seed"
)


def defaults(method: str) -> dict[str, Any]:
    """The method's parameters at their defaults."""
    return {p.name: p.default for p in PARAMS[_method(method)]}


def cli_flags() -> dict[str, str]:
    """Python parameter name -> the CLI flag it is typed as (for translating messages)."""
    flags = {p.name: p.cli_flag for params in PARAMS.values() for p in params}
    return {**flags, "n_components": N_COMPONENTS.cli_flag, "random_state": RANDOM_STATE.cli_flag}


def options() -> dict[str, Any]:
    """Every projection parameter with its type, default, limits and help: what the page builds its forms from."""
    return {
        "methods": list(METHODS),
        "n_components": {"default": N_COMPONENTS.default, "choices": list(N_COMPONENTS.choices or ())},
        "random_state": {"default": RANDOM_STATE.default, "min": RANDOM_STATE.min, "max": RANDOM_STATE.max},
        "pca_components": PCA_COMPONENTS,
        "params": {method: [p.describe() for p in params] for method, params in PARAMS.items()},
    }


def _method(method: Any) -> str:
    if method not in METHODS:
        raise ParameterError(f"`method` must be one of {list(METHODS)}, got {method!r}", field="method")
    return str(method)


def validate(method: str, n_components: int, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The method's parameters, complete and checked (those that do not depend on the data)."""
    table = {p.name: p for p in PARAMS[_method(method)]}
    N_COMPONENTS.check(n_components)
    given = dict(params or {})
    unknown = sorted(set(given) - set(table))
    if unknown:
        raise ParameterError(
            f"{method} takes no parameter `{unknown[0]}`", field=unknown[0], fix=f"use one of {sorted(table)}"
        )
    return {name: param.check(given[name]) if name in given else param.default for name, param in table.items()}


@dataclass(frozen=True, eq=False)
class ProjectionSpec:
    """A checked, complete projection request. Build one with ``ProjectionSpec.build``."""

    method: str
    n_components: int
    params: dict[str, Any]
    random_state: int
    spherize: bool
    subset: np.ndarray | None = None  # sorted unique rows ("isolate"); None: every row
    step: int | None = None  # the training step projected (None: the embedding has no steps)
    align_to: int | None = None  # the step whose frame it is drawn in (None: its own; see align.py)
    columns: tuple[str, ...] = field(default=())  # metadata columns the method reads (custom: its column)
    quality: bool = True  # measure neighbour preservation

    @classmethod
    def build(
        cls,
        emb: Embedding,
        *,
        method: str,
        n_components: int = N_COMPONENTS.default,
        params: Mapping[str, Any] | None = None,
        random_state: int = RANDOM_STATE.default,
        spherize: bool | None = None,
        subset: Sequence[int] | np.ndarray | None = None,
        step: int | None = None,
        align_to: int | None = None,
        quality: bool = True,
    ) -> ProjectionSpec:
        """Check a request against `emb` (ParameterError naming what is wrong) and complete it.

        `step` and `align_to` are already resolved steps of `emb`'s table; `align_to` equal to `step` means no
        alignment, and custom axes, fixed by their patterns, are never aligned.
        """
        from .prep import default_spherize

        full = validate(method, n_components, params)
        seed = RANDOM_STATE.check(random_state)
        indices = check_subset(emb, subset)
        columns: tuple[str, ...] = ()
        if method == "pca":
            n = len(emb) if indices is None else int(indices.size)
            full["axes"] = pca_axes(full["axes"], n_components, min(PCA_COMPONENTS, n, emb.dim))
        if method == "custom":
            columns = (custom_column(emb, n_components, full),)
            full["column"] = columns[0]
        if method == "precomputed":
            columns = coordinate_columns(emb, n_components, full["columns"])
            full["columns"] = ",".join(columns)
        if method == "tsne" and full["supervise"] is not None:
            columns = (supervise_column(emb, full["supervise"]),)
        use_spherize = default_spherize(emb.dim) if spherize is None else bool(spherize)
        if method in ("custom", "precomputed") or align_to == step:
            align_to = None
        return cls(method, n_components, full, seed, use_spherize, indices, step, align_to, columns, quality)

    def key(self, emb: Embedding, reference: Embedding | None = None) -> str:
        """The projection's identity (64 hex digits): what the cache and the server's job ids are named by."""
        from .cache import data_hash, make_key

        parts: dict[str, Any] = {
            "code": CODE_VERSION,
            "data": data_hash(emb.vectors),
            "columns": {name: strings_hash(column_values(emb, name)) for name in self.columns},
            "subset": None if self.subset is None else data_hash(self.subset),
            "method": self.method,
            "n_components": self.n_components,
            "params": self.params,
            "random_state": self.random_state,
            "spherize": self.spherize,
            "quality": self.quality,
        }
        if self.align_to is not None:
            if reference is None:
                raise ParameterError(f"step {self.align_to} to align to was not given", field="align_to")
            parts["aligned_to"] = data_hash(reference.vectors)
        return make_key(**parts)

    @property
    def reference(self) -> ProjectionSpec:
        """The same request for the step this one is aligned to, drawn in its own frame."""
        return replace(self, step=self.align_to, align_to=None)


def check_subset(emb: Embedding, subset: Sequence[int] | np.ndarray | None) -> np.ndarray | None:
    """The rows of an "isolate" request, sorted and unique, checked against N (None: every row)."""
    if subset is None:
        return None
    idx = np.unique(np.asarray(subset, dtype=np.int64))
    if idx.size < 3:
        raise ParameterError(f"a subset needs at least 3 points, got {idx.size}", field="subset")
    if idx[0] < 0 or idx[-1] >= len(emb):
        bad = int(idx[0] if idx[0] < 0 else idx[-1])
        raise ParameterError(
            f"subset index {bad} is out of range: this embedding has N = {len(emb):,} rows (0..{len(emb) - 1})",
            field="subset",
        )
    return idx


def pca_axes(axes: Any, n_components: int, k: int) -> list[int]:
    """The PCA components to draw (the first ones by default), checked against the k computed."""
    if axes is None:
        return list(range(min(n_components, k)))
    ok = isinstance(axes, list | tuple) and len(axes) == n_components
    if not ok or any(isinstance(a, bool) or not isinstance(a, int | np.integer) or not 0 <= a < k for a in axes):
        raise ParameterError(
            f"`axes` must be {n_components} component numbers from 0 to {k - 1}, got {axes!r}", field="axes"
        )
    if len(set(axes)) < len(axes):
        raise ParameterError(
            f"`axes` must be {n_components} different components, got {list(axes)!r}: a component on two axes "
            "draws a flat line and counts its variance twice",
            field="axes",
        )
    return [int(a) for a in axes]


def custom_column(emb: Embedding, n_components: int, params: Mapping[str, Any]) -> str:
    """The metadata column custom axes match, after checking they can be drawn (2-D, a pattern, the column)."""
    from .patterns import check_pattern

    if n_components != 2:
        raise ParameterError("custom axes are 2-D", field="n_components", fix="ask for `n_components` = 2")
    column = params["column"] or emb.label_column
    have = [] if emb.metadata is None else emb.metadata.column_names
    if column is None or column not in have:
        raise ParameterError(
            f"custom axes need a metadata column, got {column!r}", field="column", fix=f"choose one of {have}"
        )
    sides = {s: params[s] for s in SIDES if params[s] not in (None, "")}
    if not sides:
        raise ParameterError("custom axes need at least one pattern", fix="give `left`, `right`, `up` or `down`")
    for side, pattern in sides.items():
        check_pattern(pattern, regex=bool(params["regex"]), field=side)  # a bad regex fails here, before any work
    return str(column)


def coordinate_columns(emb: Embedding, n_components: int, given: str | None) -> tuple[str, ...]:
    """The numeric metadata columns a precomputed projection reads: those named (comma-separated), else the
    columns named x, y (and z in 3-D)."""
    from ..metadata import column_kind

    schema = None if emb.metadata is None else emb.metadata.schema
    have = [] if schema is None else schema.names
    numeric = [] if schema is None else [n for n in have if column_kind(schema.field(n).type) == "numeric"]
    if given is None or not given.strip():
        names = tuple("xyz"[:n_components])
        missing = [n for n in names if n not in have]
        if missing:
            raise ParameterError(
                f"no metadata column{'s' if len(missing) > 1 else ''} {', '.join(missing)} with precomputed "
                "coordinates",
                field="columns",
                fix=f"name the columns with `columns` (numeric ones here: {numeric}), or load a coordinates file",
            )
    else:
        names = tuple(n.strip() for n in given.split(","))
    if len(names) != n_components:
        raise ParameterError(
            f"`columns` names {len(names)} column{'s' if len(names) != 1 else ''} for a {n_components}-D "
            f"projection, got {given!r}",
            field="columns",
            fix=f"name {n_components} columns, one per axis",
        )
    for name in names:
        if name not in have:
            raise ParameterError(
                f"no metadata column `{name}` for `columns`", field="columns", fix=f"choose among {numeric}"
            )
        if name not in numeric:
            raise ParameterError(
                f"metadata column `{name}` holds text, not coordinates", field="columns", fix=f"choose among {numeric}"
            )
    if len(set(names)) < len(names):
        raise ParameterError(f"`columns` names a column twice, got {given!r}", field="columns")
    return names


def supervise_column(emb: Embedding, column: str) -> str:
    """t-SNE's supervising column, checked against the metadata."""
    have = [] if emb.metadata is None else emb.metadata.column_names
    if column not in have:
        raise ParameterError(
            f"no metadata column `{column}` to supervise by", field="supervise", fix=f"choose one of {have}"
        )
    return column


def column_values(emb: Embedding, column: str) -> list[str]:
    """A metadata column's values as strings, row by row (the labels for the label column)."""
    if column == emb.label_column:
        return emb.labels
    from ..metadata import column_strings

    assert emb.metadata is not None
    return column_strings(emb.metadata, column)


def strings_hash(values: Sequence[str]) -> str:
    digest = hashlib.blake2b(digest_size=32)
    for value in values:
        digest.update(str(value).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()
