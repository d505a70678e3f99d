"""Sprite sheets: one PNG/JPEG holding a thumbnail per point, row-first in a grid, as the Embedding Projector uses.

`read_sprite` opens one and checks it can hold N thumbnails; `make_sprite` builds one from an array, PIL
images or a folder of image files, in a square grid of ceil(sqrt(N)) thumbnails per side no larger than
`max_size` pixels (thumbnails are scaled down, with a warning, when the grid would be larger);
`write_sprite` saves it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from ..errors import FormatError, NotFoundError, ParameterError
from ..files import open_regular
from ..sprite import Sprite

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff")
MAX_SIZE = 8192  # px per side; browsers (WebGL textures) cannot hold larger images
_CHANNELS = (1, 3, 4)


def read_sprite(
    path: Path, single_image_dim: tuple[int, int], *, n: int | None = None, root: Path | None = None
) -> Sprite:
    """Open a sprite image whose thumbnails are `single_image_dim` (width, height) px; check it holds `n`.

    A FIFO or device is refused; with `root`, an image that does not lie under it (links resolved) is refused."""
    width, height = _dim(single_image_dim)
    image = _open_image(Path(path), root=root)
    if width > image.width or height > image.height:
        raise FormatError(
            f"thumbnail size {width}x{height} px is larger than the sprite image ({image.width}x{image.height} px)",
            path=path,
            field="single_image_dim",
            fix="single_image_dim is the size of ONE thumbnail, as (width, height)",
        )
    if image.width % width or image.height % height:
        log.warning(
            "%s: %dx%d px is not a whole number of %dx%d px thumbnails; the pixels past the last whole one are unused",
            path,
            image.width,
            image.height,
            width,
            height,
        )
    sprite = Sprite(image, (width, height), path=str(path))
    if n is not None:
        sprite.check_holds(n)
    return sprite


def make_sprite(
    images: np.ndarray | Sequence[Image.Image] | str | Path,
    *,
    single_image_dim: tuple[int, int] | None = None,
    max_size: int = MAX_SIZE,
) -> Sprite:
    """Lay thumbnails out row-first in a square grid of ceil(sqrt(N)) per side.

    `images` is an N x H x W (grayscale) or N x H x W x C (C = 1, 3 or 4) array of uint8 0..255 or floats in
    [0, 1]; a list of PIL images; or a folder of image files, taken sorted by name. Data on another scale must
    be normalised by the caller first: scikit-learn's 8x8 digits (0..16), for example, as `digits.images / 16`.
    Thumbnails are resized to `single_image_dim` (width, height) when given, else keep the first image's size,
    and are scaled down (with a warning) so the sprite is at most `max_size` px per side.
    """
    if not isinstance(max_size, int) or max_size < 1:
        raise ParameterError(f"`max_size` must be a positive number of pixels, got {max_size!r}", field="max_size")
    target = None if single_image_dim is None else _dim(single_image_dim)
    if isinstance(images, str | Path):
        thumbs = _from_folder(Path(images))
    elif isinstance(images, np.ndarray):
        thumbs = _from_array(images)
    else:
        thumbs = list(images)
        if not all(isinstance(im, Image.Image) for im in thumbs):
            raise ParameterError(
                "`images` must be an array, a folder, or a list of PIL images", field="images", fix="convert them first"
            )
    if len(thumbs) == 0:
        raise ParameterError("no images to make a sprite of", field="images")
    return _layout(thumbs, target, max_size)


def write_sprite(sprite: Sprite, path: str | Path) -> Path:
    """Save the sprite as PNG (or JPEG for .jpg/.jpeg, without alpha); returns the path."""
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in (".png", ".jpg", ".jpeg"):
        raise ParameterError(
            f"cannot write a sprite as {suffix or 'a file without suffix'}", field="path", fix="use .png"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        sprite.image.save(out, format="PNG")
    else:
        sprite.image.convert("RGB").save(out, format="JPEG", quality=95)
    sprite.path = str(out)
    return out


# -- helpers ---------------------------------------------------------------------------------------------
def _dim(value: Any) -> tuple[int, int]:
    try:
        width, height = value
    except (TypeError, ValueError):
        raise ParameterError(
            f"`single_image_dim` must be (width, height), got {value!r}", field="single_image_dim"
        ) from None
    if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) and v > 0 for v in (width, height)):
        raise ParameterError(
            f"`single_image_dim` must be two positive whole numbers of pixels, got {value!r}", field="single_image_dim"
        )
    return int(width), int(height)


def _open_image(path: Path, *, root: Path | None = None) -> Image.Image:
    if not path.exists() or path.is_dir():
        raise NotFoundError("no such image file", path=path)
    try:
        with open_regular(path, root=root, what="image file") as fh:
            image: Image.Image = Image.open(fh)
            image.load()
    except UnidentifiedImageError:
        raise FormatError("not an image Pillow can read", path=path, fix="a sprite is a PNG or JPEG file") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise FormatError(f"the image could not be read ({exc})", path=path, fix="the file may be truncated") from exc
    if image.mode not in ("L", "LA", "RGB", "RGBA"):
        image = image.convert("RGBA")
    return image


def _from_folder(folder: Path) -> list[Image.Image]:
    if not folder.is_dir():
        raise NotFoundError("no such folder of images", path=folder)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise FormatError(
            f"no image files ({', '.join(IMAGE_SUFFIXES)}) in this folder", path=folder, fix="point at the images"
        )
    return [_open_image(p) for p in files]


def _from_array(array: np.ndarray) -> list[Image.Image]:
    """N x H x W or N x H x W x C pixels -> N uint8 PIL images."""
    if array.ndim == 4 and array.shape[-1] in _CHANNELS:
        if array.shape[-1] == 1:
            array = array[..., 0]
    elif array.ndim != 3:
        raise ParameterError(
            f"expected N x H x W or N x H x W x C (C = 1, 3 or 4) pixels, found shape {array.shape}", field="images"
        )
    pixels = _to_uint8(array)
    return [Image.fromarray(np.ascontiguousarray(p)) for p in pixels]


def _to_uint8(array: np.ndarray) -> np.ndarray:
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * 255
    if array.size == 0:
        return array.astype(np.uint8)
    low, high = float(np.min(array)), float(np.max(array))
    if np.issubdtype(array.dtype, np.integer):
        if low < 0 or high > 255:
            raise ParameterError(
                f"integer pixels must lie in 0..255, found {low:g}..{high:g}",
                field="images",
                fix="scale them to 0..255 (uint8) or to floats in [0, 1] first",
            )
        return array.astype(np.uint8)
    if not np.issubdtype(array.dtype, np.floating):
        raise ParameterError(f"pixels must be numbers, found dtype {array.dtype}", field="images")
    if not (math.isfinite(low) and math.isfinite(high)) or low < 0 or high > 1:
        raise ParameterError(
            f"float pixels must lie in [0, 1], found {low:g}..{high:g}",
            field="images",
            fix="normalise them first, e.g. digits.images / 16 for scikit-learn's 8x8 digits (0..16)",
        )
    return np.rint(array * 255).astype(np.uint8)


def _common_mode(images: list[Image.Image]) -> str:
    if all(im.mode == "L" for im in images):
        return "L"
    if any(im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info for im in images):
        return "RGBA"
    return "RGB"


def _layout(images: list[Image.Image], target: tuple[int, int] | None, max_size: int) -> Sprite:
    n = len(images)
    side = math.ceil(math.sqrt(n))
    width, height = target or images[0].size
    if target is None and any(im.size != (width, height) for im in images):
        log.warning("images differ in size; every thumbnail is resized to the first one's %dx%d px", width, height)
    if side * width > max_size or side * height > max_size:
        if side > max_size:
            raise ParameterError(
                f"{n:,} images need a {side}x{side} grid, wider than max_size = {max_size} px even at 1 px each",
                field="max_size",
            )
        scale = min(max_size / (side * width), max_size / (side * height))
        new = (max(1, int(width * scale)), max(1, int(height * scale)))
        log.warning(
            "a %dx%d grid of %dx%d px thumbnails would be %dx%d px, over %d px: thumbnails scaled down to %dx%d px",
            side,
            side,
            width,
            height,
            side * width,
            side * height,
            max_size,
            *new,
        )
        width, height = new
    mode = _common_mode(images)
    sheet = Image.new(mode, (side * width, side * height))
    for i, image in enumerate(images):
        thumb = image if image.mode == mode else image.convert(mode)
        if thumb.size != (width, height):
            thumb = thumb.resize((width, height), Image.Resampling.LANCZOS)
        row, col = divmod(i, side)
        sheet.paste(thumb, (col * width, row * height))
    return Sprite(sheet, (width, height))
