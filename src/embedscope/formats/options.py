"""ReadOptions: what every reader receives (readers import it from here; registry.py builds it from keywords)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReadOptions:
    """Options every reader receives; each uses those that apply to it."""

    metadata: Path | None = None
    sprite: Path | None = None
    sprite_size: tuple[int, int] | None = None
    label_column: str | None = None
    vector_column: str | None = None
    name: str | None = None
    unicode_errors: str | None = None  # word2vec text: "strict" (default), "replace" or "ignore"
    tensor: str | None = None  # read only this tensor of a file holding several (None: every one)
    coords: Path | None = None  # coordinates computed elsewhere, added as metadata columns x, y[, z] (coords.py)
