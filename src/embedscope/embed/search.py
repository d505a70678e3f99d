"""Search by meaning: a free text's nearest points. An embedding made by a model (``embedding.model``, or the model
given) has the text embedded by that same model; a word table (word2vec, MiniLM's tokens) averages the unit vectors
of the text's words that it holds, as gensim's ``most_similar`` does with several positives (those words left out
of the answer)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..compute.neighbors import DEFAULT_K, Neighbor, analogy, neighbors
from ..embedding import Embedding
from ..errors import EmbedscopeError, NotFoundError, ParameterError
from .model import TextModel, load_model

MAX_TEXT = 2000  # characters of a query
MODELS_KEPT = 2  # models held in memory by name
_WORD = re.compile(r"[\w'’-]+")

_models: dict[str, TextModel] = {}
_lock = threading.Lock()


@dataclass
class MeaningResult:
    neighbors: list[Neighbor]
    how: str  # "model": embedded by the model; "words": the mean of the words' vectors
    model: str | None = None  # the model's name as a person says it (TextModel.title)
    words: list[str] = field(default_factory=list)  # the words used (a word table)
    unknown: list[str] = field(default_factory=list)  # the words the table does not hold


_trusted: set[str] = set()  # model folders a person chose on this machine (the command line), besides the default


def trust(model: TextModel | str) -> None:
    """Let the server load `model` again by its name (chosen on the command line or in Python, not read from a
    file)."""
    _trusted.add(str(model.path) if isinstance(model, TextModel) else model)


def check_model(name: str, roots: list[Path]) -> None:
    """Refuse a model folder that a served file names but nobody chose: a hostile Parquet file could name any folder
    on this machine, and loading a model runs its files (pickled weights). Allowed: a name (not a path) found in the
    local Hugging Face cache, the default MiniLM, a folder chosen on the command line, or one under a served folder."""
    from ..errors import ForbiddenError
    from .model import default_model_path_or_none

    looks_like_path = name.startswith(("/", ".", "~")) or "\\" in name or Path(name).is_absolute()
    if not looks_like_path:
        return
    folder = Path(name).expanduser().resolve()
    default = default_model_path_or_none()
    if folder in {Path(t).resolve() for t in _trusted} or (default is not None and folder == default.resolve()):
        return
    if any(folder.is_relative_to(Path(root).resolve()) for root in roots):
        return
    raise ForbiddenError(
        f"the vectors name a model folder outside what is served: {name}",
        field="model",
        fix="serve with --text-column and --model to choose the model, or put the model folder beside the data",
    )


def model_named(name: str, *, device: str | None = None) -> TextModel:
    """The model `name`, loaded once and kept (the last MODELS_KEPT used)."""
    with _lock:
        found = _models.get(name)
        if found is not None:
            return found
    try:
        loaded = load_model(name, device=device)
    except NotFoundError as exc:
        exc.message = f"the model that made these vectors cannot be loaded: {exc.message}"
        raise
    with _lock:
        _models[name] = loaded
        while len(_models) > MODELS_KEPT:
            _models.pop(next(iter(_models)))
    return loaded


def search_meaning(
    emb: Embedding, text: str, *, k: int = DEFAULT_K, metric: str = "cosine", model: TextModel | None = None
) -> MeaningResult:
    """The k points nearest in meaning to `text` (see the module's docstring)."""
    if not isinstance(text, str) or not text.strip():
        raise ParameterError("type a text to search for by meaning", field="text")
    if len(text) > MAX_TEXT:
        raise ParameterError(f"the text is {len(text):,} characters, over {MAX_TEXT:,}", field="text")
    if model is None and emb.model is not None:
        model = model_named(emb.model)
    if model is not None:
        return _by_model(emb, text, k=k, metric=metric, model=model)
    return _by_words(emb, text, k=k)


def _by_model(emb: Embedding, text: str, *, k: int, metric: str, model: TextModel) -> MeaningResult:
    vector = np.asarray(model.st.encode([text], convert_to_numpy=True, show_progress_bar=False), dtype=np.float32)[0]
    if vector.shape[0] != emb.dim:
        raise ParameterError(
            f"model {model.title!r} makes {vector.shape[0]:,} numbers, these vectors have {emb.dim:,}",
            field="model",
            fix="search with the model that made the vectors",
        )
    found = neighbors(emb, vector, k=min(k, len(emb)), metric=metric)
    return MeaningResult(found, "model", model=model.title)


def _by_words(emb: Embedding, text: str, *, k: int) -> MeaningResult:
    words = _WORD.findall(text)
    rows: list[int] = []
    used: list[str] = []
    unknown: list[str] = []
    for word in words:
        row = _row_of(emb, word)
        if row is None:
            unknown.append(word)
        elif row not in rows:
            rows.append(row)
            used.append(emb.labels[row])
    if not rows:
        raise NotFoundError(
            f"none of the words {words[:10]} is a point of this embedding, and no model made it",
            field="text",
            fix="search for words it holds, or embed the data with a model (embedscope embed) to search any text",
        )
    found = analogy(emb, positive=rows, k=min(k, len(emb) - len(rows)))
    return MeaningResult(found, "words", words=used, unknown=unknown)


def _row_of(emb: Embedding, word: str) -> int | None:
    for form in dict.fromkeys((word, word.lower())):
        try:
            return emb.resolve(form)
        except EmbedscopeError:
            continue
    return None
