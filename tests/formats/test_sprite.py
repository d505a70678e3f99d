"""Sprites: make, write, read back; grids that cannot hold N, thumbnail sizes, and images that are not images."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from embedscope.embedding import Embedding, Sprite
from embedscope.errors import FormatError, NotFoundError, ParameterError
from embedscope.formats.sprite import make_sprite, read_sprite, write_sprite


def digits(n: int = 10) -> np.ndarray:
    """8x8 images on the 0..16 scale of scikit-learn's digits."""
    return np.random.default_rng(0).integers(0, 17, size=(n, 8, 8)).astype(np.float64)


def test_make_sprite_square_grid_row_first() -> None:
    images = digits(10) / 16  # normalised by the caller
    sprite = make_sprite(images)
    assert sprite.single_image_dim == (8, 8)
    assert sprite.grid == (4, 4)  # ceil(sqrt(10)) per side
    assert sprite.image.size == (32, 32)
    assert sprite.image.mode == "L"
    expected = np.rint(images * 255).astype(np.uint8)
    for i in (0, 3, 4, 9):
        np.testing.assert_array_equal(np.asarray(sprite.thumbnail(i)), expected[i])
    np.testing.assert_array_equal(np.asarray(sprite.image)[8:16, 0:8], expected[4])  # row 1, column 0


def test_round_trip_through_png(tmp_path: Path) -> None:
    rgb = np.random.default_rng(1).integers(0, 256, size=(7, 5, 6, 3), dtype=np.uint8)
    path = write_sprite(make_sprite(rgb), tmp_path / "sprite.png")
    assert path == tmp_path / "sprite.png"
    back = read_sprite(path, (6, 5), n=7)
    assert back.path == str(path)
    assert back.capacity == 9
    for i in range(7):
        np.testing.assert_array_equal(np.asarray(back.thumbnail(i)), rgb[i])


def test_sprite_attaches_to_an_embedding(tmp_path: Path) -> None:
    path = write_sprite(make_sprite(digits(5) / 16), tmp_path / "s.png")
    emb = Embedding(np.zeros((5, 2), np.float32), sprite=read_sprite(path, (8, 8)))
    assert emb.sprite is not None
    assert emb.sprite.capacity >= 5


def test_grid_that_cannot_hold_n(tmp_path: Path) -> None:
    path = write_sprite(make_sprite(digits(9) / 16), tmp_path / "s.png")
    with pytest.raises(
        FormatError,
        match=r"s.png: sprite 24x24 px with 8x8 px thumbnails holds 3x3 = 9 images, but there are 10 points",
    ):
        read_sprite(path, (8, 8), n=10)


def test_thumbnail_larger_than_the_image(tmp_path: Path) -> None:
    path = write_sprite(make_sprite(digits(4) / 16), tmp_path / "s.png")
    with pytest.raises(FormatError, match=r"thumbnail size 32x8 px is larger than the sprite image \(16x16 px\)"):
        read_sprite(path, (32, 8))


def test_image_not_a_whole_number_of_thumbnails_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    Image.new("RGB", (20, 20)).save(tmp_path / "odd.png")
    with caplog.at_level(logging.WARNING):
        sprite = read_sprite(tmp_path / "odd.png", (8, 8))
    assert sprite.capacity == 4
    assert "not a whole number of 8x8 px thumbnails" in caplog.text


@pytest.mark.parametrize("bad", [(0, 8), (8,), (8.5, 8), "8x8", (True, 8)])
def test_bad_single_image_dim(tmp_path: Path, bad: object) -> None:
    Image.new("RGB", (16, 16)).save(tmp_path / "s.png")
    with pytest.raises(ParameterError, match=r"`single_image_dim` must be"):
        read_sprite(tmp_path / "s.png", bad)  # type: ignore[arg-type]


def test_not_an_image(tmp_path: Path) -> None:
    (tmp_path / "s.png").write_text("hello")
    with pytest.raises(FormatError, match=r"s.png: not an image Pillow can read"):
        read_sprite(tmp_path / "s.png", (8, 8))


def test_truncated_png(tmp_path: Path) -> None:
    path = write_sprite(make_sprite(np.random.default_rng(2).random((30, 16, 16))), tmp_path / "s.png")
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(FormatError, match=r"s.png: the image could not be read"):
        read_sprite(path, (16, 16))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"no such image file"):
        read_sprite(tmp_path / "nope.png", (8, 8))


def test_unnormalised_floats_are_refused() -> None:
    with pytest.raises(ParameterError, match=r"float pixels must lie in \[0, 1\], found 0\.\.16.*digits.images / 16"):
        make_sprite(digits(40))  # 0..16, not normalised


def test_integer_pixels_out_of_range() -> None:
    with pytest.raises(ParameterError, match=r"integer pixels must lie in 0\.\.255, found 0\.\.300"):
        make_sprite(np.full((2, 4, 4), 300, dtype=np.int32) * np.eye(4, dtype=np.int32))


def test_wrong_array_shape() -> None:
    with pytest.raises(
        ParameterError,
        match=r"expected N x H x W or N x H x W x C \(C = 1, 3 or 4\) pixels, found shape \(2, 4, 4, 2\)",
    ):
        make_sprite(np.zeros((2, 4, 4, 2), np.uint8))


def test_no_images() -> None:
    with pytest.raises(ParameterError, match=r"no images to make a sprite of"):
        make_sprite(np.zeros((0, 4, 4), np.uint8))


def test_too_large_grid_scales_thumbnails_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    images = np.random.default_rng(3).integers(0, 256, size=(10, 40, 40), dtype=np.uint8)
    with caplog.at_level(logging.WARNING):
        sprite = make_sprite(images, max_size=100)
    assert sprite.single_image_dim == (25, 25)  # 4 x 40 = 160 px > 100: scaled to 100 / 4
    assert max(sprite.image.size) <= 100
    assert sprite.capacity >= 10
    assert "over 100 px: thumbnails scaled down to 25x25 px" in caplog.text


def test_grid_impossible_even_at_one_pixel() -> None:
    with pytest.raises(ParameterError, match=r"need a 4x4 grid, wider than max_size = 3 px"):
        make_sprite(np.zeros((10, 2, 2), np.uint8), max_size=3)


def test_single_image_dim_resizes() -> None:
    sprite = make_sprite(digits(3) / 16, single_image_dim=(16, 12))
    assert sprite.single_image_dim == (16, 12)
    assert sprite.image.size == (32, 24)


def test_from_pil_images_with_alpha_and_different_sizes(caplog: pytest.LogCaptureFixture) -> None:
    images = [Image.new("RGB", (10, 10), "red"), Image.new("RGBA", (10, 10), (0, 0, 255, 128)), Image.new("L", (20, 5))]
    with caplog.at_level(logging.WARNING):
        sprite = make_sprite(images)
    assert sprite.image.mode == "RGBA"
    assert sprite.single_image_dim == (10, 10)
    assert sprite.thumbnail(0).getpixel((5, 5)) == (255, 0, 0, 255)
    assert sprite.thumbnail(1).getpixel((5, 5)) == (0, 0, 255, 128)
    assert "images differ in size" in caplog.text


def test_from_folder_sorted_by_name(tmp_path: Path) -> None:
    for name, shade in [("b.png", 200), ("a.png", 100), ("c.jpg", 50)]:
        Image.new("L", (4, 4), shade).save(tmp_path / name)
    (tmp_path / "notes.txt").write_text("not an image")
    sprite = make_sprite(tmp_path)
    assert [sprite.thumbnail(i).getpixel((1, 1)) for i in range(3)] == [100, 200, 50]


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"no image files \(.png, .jpg"):
        make_sprite(tmp_path)


def test_list_of_non_images() -> None:
    with pytest.raises(ParameterError, match=r"`images` must be an array, a folder, or a list of PIL images"):
        make_sprite([np.zeros((4, 4))])  # type: ignore[list-item]


def test_write_jpeg_drops_alpha(tmp_path: Path) -> None:
    sprite = Sprite(Image.new("RGBA", (8, 8), (10, 20, 30, 40)), (4, 4))
    path = write_sprite(sprite, tmp_path / "s.jpg")
    assert read_sprite(path, (4, 4)).image.mode == "RGB"
    with pytest.raises(ParameterError, match=r"cannot write a sprite as .gif"):
        write_sprite(sprite, tmp_path / "s.gif")
