"""The sprite sheet of an embedding: its PNG bytes, and the thumbnail size and grid."""

from __future__ import annotations

import io
import threading
import weakref
from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import Response

from ...embedding import Embedding, Sprite
from ...errors import NotFoundError
from . import ERRORS, EmbeddingDep, State
from .runs import SpriteInfo, sprite_info

router = APIRouter(tags=["sprite"], responses=ERRORS)

_png: weakref.WeakKeyDictionary[Sprite, bytes] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _sprite(emb: Embedding) -> Sprite:
    if emb.sprite is None:
        raise NotFoundError(f"embedding {emb.name!r} has no sprite", field="sprite")
    return emb.sprite


def png_bytes(sprite: Sprite, *, read_file: Callable[[str], bytes] | None = None) -> bytes:
    """The sprite as PNG, encoded once: the file's own bytes when it is a whole PNG sheet read from disk, read by
    `read_file` (the server's confined open: a file swapped for a link leaving its folder is refused)."""
    with _lock:
        cached = _png.get(sprite)
        if cached is not None:
            return cached
        data: bytes | None = None
        source = sprite.image
        if sprite.path and read_file is not None and getattr(source, "format", None) == "PNG":
            try:
                data = read_file(sprite.path)
            except NotFoundError:  # gone since start-up: the image read then is still in memory
                data = None
        if data is None:
            buffer = io.BytesIO()
            source.save(buffer, format="PNG")
            data = buffer.getvalue()
        _png[sprite] = data
        return data


@router.get("/runs/{run}/embeddings/{tensor}/sprite", response_model=SpriteInfo, summary="Thumbnail size and grid")
def get_sprite_info(emb: EmbeddingDep) -> SpriteInfo:
    info = sprite_info(emb)
    if info is None:
        raise NotFoundError(f"embedding {emb.name!r} has no sprite", field="sprite")
    return info


@router.get(
    "/runs/{run}/embeddings/{tensor}/sprite.png",
    summary="The sprite sheet as PNG",
    response_class=Response,
    responses={200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}}},
)
def get_sprite_png(emb: EmbeddingDep, state: State) -> Response:
    def read_file(path: str) -> bytes:
        with state.open_file(emb, path, what="sprite") as fh:
            return fh.read()

    data = png_bytes(_sprite(emb), read_file=read_file)
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
