"""Sprite: the thumbnails of an embedding's points, one sheet of equal-sized images laid out row-first."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .errors import FormatError, ParameterError

if TYPE_CHECKING:
    from PIL.Image import Image


class Sprite:
    """A sprite sheet: thumbnails of `single_image_dim` (width, height) laid out row-first in a square grid.

    `take(rows)` gives the sprite of a subset: thumbnail i is the parent's thumbnail rows[i], and its image
    (those thumbnails packed into a new square grid) is made only when first used.
    """

    def __init__(self, image: Image | None, single_image_dim: tuple[int, int], path: str | None = None) -> None:
        self._image = image
        self.single_image_dim = (int(single_image_dim[0]), int(single_image_dim[1]))
        self.path = path
        self._parent: Sprite | None = None
        self._rows: np.ndarray | None = None

    def __repr__(self) -> str:
        w, h = self.single_image_dim
        return f"Sprite({w}x{h} px thumbnails, grid {self.grid[0]}x{self.grid[1]}, path={self.path!r})"

    @property
    def image(self) -> Image:
        if self._image is None:
            self._image = self._pack()
        return self._image

    @property
    def grid(self) -> tuple[int, int]:
        """(columns, rows) of thumbnails the image holds."""
        w, h = self.single_image_dim
        if self._image is None and self._rows is not None:
            cols = max(1, math.ceil(math.sqrt(len(self._rows))))
            return cols, max(1, math.ceil(len(self._rows) / cols))
        return self.image.width // w, self.image.height // h

    @property
    def capacity(self) -> int:
        cols, rows = self.grid
        return cols * rows

    def thumbnail(self, index: int) -> Image:
        w, h = self.single_image_dim
        cols, _ = self.grid
        count = self.capacity if self._rows is None else len(self._rows)
        if not 0 <= index < count:
            raise ParameterError(f"sprite thumbnail {index} out of range 0..{count - 1}", field="index")
        if self._parent is not None and self._rows is not None:
            return self._parent.thumbnail(int(self._rows[index]))
        row, col = divmod(index, cols)
        return self.image.crop((col * w, row * h, (col + 1) * w, (row + 1) * h))

    def take(self, rows: np.ndarray) -> Sprite:
        """The sprite of a subset whose row i is this sprite's thumbnail rows[i]."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size and (rows.min() < 0 or rows.max() >= self.capacity):
            raise ParameterError(f"sprite rows must be in 0..{self.capacity - 1}", field="rows")
        out = Sprite(None, self.single_image_dim)
        out._parent, out._rows = self, rows
        return out

    def _pack(self) -> Image:
        from PIL import Image as PILImage

        assert self._parent is not None and self._rows is not None
        w, h = self.single_image_dim
        cols, rows = self.grid
        source = self._parent.image
        sheet = PILImage.new(source.mode, (cols * w, rows * h))
        for i, row in enumerate(self._rows):
            r, c = divmod(i, cols)
            sheet.paste(self._parent.thumbnail(int(row)), (c * w, r * h))
        return sheet

    def check_holds(self, n: int) -> None:
        if self.capacity < n:
            cols, rows = self.grid
            w, h = self.single_image_dim
            raise FormatError(
                f"sprite {self.image.width}x{self.image.height} px with {w}x{h} px thumbnails holds "
                f"{cols}x{rows} = {self.capacity:,} images, but there are {n:,} points",
                path=self.path,
                fix="check single_image_dim, or make the sprite again with make_sprite()",
            )
