"""Images to embed: a column of file paths relative to the input's folder (never outside it), read by Pillow, for a
CLIP-type model; their thumbnails become the embedding's sprite, so the page shows them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import EmbedscopeError, FormatError, ParameterError
from ..files import read_regular
from .model import TextModel
from .store import item_key

MAX_IMAGE_BYTES = 64 << 20  # one image file
MAX_PIXELS = 50_000_000  # Pillow's own guard against decompression bombs, made an error
THUMB = 64  # thumbnail side in the sprite, pixels


def read_images(
    table: pa.Table, column: str, *, base: Path, path: Path | None, model: TextModel
) -> tuple[list[Any], list[bytes], str]:
    """(the images as RGB PIL images, their content hashes, the label column) of the column's paths."""
    from PIL import Image

    if not model.images:
        raise ParameterError(
            f"model {model.name!r} embeds texts, not images",
            field="model",
            fix="give a CLIP-type sentence-transformers model (e.g. clip-ViT-B-32) with --model",
        )
    if column not in table.column_names:
        raise ParameterError(
            f"no column `{column}` of image paths",
            path=path,
            field="image_column",
            fix=f"choose one of {table.column_names}",
        )
    images, keys = [], []
    root = base.resolve()
    for row, value in enumerate(table.column(column).to_pylist(), start=1):
        if value is None or not str(value).strip():
            raise ParameterError(f"row {row:,} has no image path", path=path, field="image_column", fix="fill it in")
        file = root / str(value)
        try:
            data = read_regular(file, root=root, what="image", limit=MAX_IMAGE_BYTES)
        except EmbedscopeError as exc:
            exc.message = f"row {row:,}: {exc.message}"
            exc.args = (exc.describe(),)
            raise
        images.append(_decode(data, file, row, Image))
        keys.append(item_key(data))
    strings = [f.name for f in table.schema if pa.types.is_string(f.type) and f.name != column]
    return images, keys, strings[0] if strings else column


def _decode(data: bytes, file: Path, row: int, image_module: Any) -> Any:
    import io
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", image_module.DecompressionBombWarning)
            with image_module.open(io.BytesIO(data)) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise ValueError(f"{img.width:,} x {img.height:,} pixels, over {MAX_PIXELS:,}")
                return img.convert("RGB")
    except (OSError, ValueError, image_module.DecompressionBombWarning, image_module.DecompressionBombError) as exc:
        raise FormatError(
            f"row {row:,}: not an image Pillow can read ({exc})", path=file, fix="give PNG, JPEG, GIF or WebP files"
        ) from None


def sprite_of(images: list[Any]) -> Any:
    """The images' thumbnails as a sprite, THUMB pixels a side."""
    from ..formats.sprite import make_sprite

    return make_sprite(images, single_image_dim=(THUMB, THUMB))
