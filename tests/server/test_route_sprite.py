"""The sprite sheet as PNG, with its thumbnail size and grid."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from embedscope.embedding import Collection, Embedding
from embedscope.formats.sprite import make_sprite, read_sprite


@pytest.fixture
def sprite_data(tmp_path: Path) -> Collection:
    images = np.random.default_rng(0).random((5, 4, 6)).astype(np.float32)
    made = make_sprite(images)
    path = tmp_path / "sprite.png"
    made.image.save(path)
    data = Collection()
    data.add(".", Embedding(np.ones((5, 2), dtype=np.float32), name="made", sprite=made))
    data.add(".", Embedding(np.ones((5, 2), dtype=np.float32), name="read", sprite=read_sprite(path, (6, 4), n=5)))
    return data


def test_sprite_info(make_client, sprite_data) -> None:
    info = make_client(sprite_data).get("/api/runs/r0/embeddings/e0/sprite").json()
    assert info == {"single_image_dim": [6, 4], "grid": [3, 3], "image_size": [18, 12]}


@pytest.mark.parametrize("tensor", ["e0", "e1"])
def test_sprite_png(make_client, sprite_data, tensor: str) -> None:
    response = make_client(sprite_data).get(f"/api/runs/r0/embeddings/{tensor}/sprite.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (18, 12))
    expected = sprite_data.runs["."]["made"].sprite.image.convert("RGB")
    assert np.array_equal(np.asarray(image.convert("RGB")), np.asarray(expected))


def test_a_png_read_from_disk_is_sent_as_it_is(make_client, sprite_data, tmp_path: Path) -> None:
    response = make_client(sprite_data).get("/api/runs/r0/embeddings/read/sprite.png")
    assert response.content == (tmp_path / "sprite.png").read_bytes()


def test_no_sprite_is_404(client, expect_error) -> None:
    expect_error(client.get("/api/runs/r0/embeddings/e0/sprite"), 404, "not_found", match="has no sprite")
    expect_error(client.get("/api/runs/r0/embeddings/e0/sprite.png"), 404, "not_found", match="has no sprite")
