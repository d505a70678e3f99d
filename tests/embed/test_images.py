"""Images embedded with a CLIP-type model (a tiny one, built on the fly): scikit-learn's digits written as PNG files
and listed in a CSV. The vectors are the model's own encode() of the same images; the thumbnails become the sprite;
a path leading out of the input's folder, a file that is not an image and a text-only model are clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

pytest.importorskip("sentence_transformers", reason="the embed extra: pip install 'embedscope[embed]'")

from tiny_clip import tiny_clip

from embedscope.embed import embed_file, load_model
from embedscope.errors import EmbedscopeError, FormatError, ParameterError

N = 40


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory):
    return load_model(tiny_clip(tmp_path_factory.mktemp("clip")))


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from PIL import Image

    folder = tmp_path_factory.mktemp("photos")
    (folder / "img").mkdir()
    digits = load_digits()
    rows = ["file,digit"]
    for i in range(N):
        pixels = (digits.images[i] * (255 / 16)).astype(np.uint8)
        Image.fromarray(pixels).resize((32, 32)).convert("RGB").save(folder / "img" / f"d{i}.png")
        rows.append(f"img/d{i}.png,{digits.target[i]}")
    (folder / "photos.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder / "photos.csv"


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path / "cache"))


def test_images_are_embedded_by_the_model_and_drawn_as_the_sprite(clip, photos) -> None:
    from PIL import Image

    assert clip.images
    emb, done = embed_file(photos, model=clip, image="file")
    own = clip.st.encode([Image.open(photos.parent / "img" / f"d{i}.png").convert("RGB") for i in range(N)])
    cos = (emb.vectors * own).sum(1) / np.linalg.norm(emb.vectors, axis=1) / np.linalg.norm(own, axis=1)
    assert emb.shape == (N, 16) and cos.min() >= 0.9999 and done.computed == N
    assert emb.metadata.column("digit").to_pylist()[:3] == [0, 1, 2]
    assert emb.sprite is not None and emb.sprite.single_image_dim == (64, 64)
    assert emb.sprite.image.size[0] >= 64 * int(np.ceil(np.sqrt(N)))
    _, again = embed_file(photos, model=clip, image="file")
    assert again.computed == 0  # cached by the images' bytes


def test_bad_image_rows_say_which(clip, photos, tmp_path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("file\n../../etc/passwd\n", encoding="utf-8")
    with pytest.raises(EmbedscopeError, match="row 1"):
        embed_file(outside, model=clip, image="file")
    broken = photos.parent / "broken.csv"
    (photos.parent / "not.png").write_text("not an image", encoding="utf-8")
    broken.write_text("file\nimg/d0.png\nnot.png\n", encoding="utf-8")
    with pytest.raises(FormatError, match="row 2: not an image Pillow can read"):
        embed_file(broken, model=clip, image="file")
    with pytest.raises(ParameterError, match="no column `photo` of image paths"):
        embed_file(photos, model=clip, image="photo")


def test_a_text_model_refuses_images(photos) -> None:
    with pytest.raises(ParameterError, match="embeds texts, not images"):
        embed_file(photos, model=load_model(), image="file")
