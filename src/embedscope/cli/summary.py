"""Plain descriptions of collections and embeddings, for `embedscope info` and the server."""

from __future__ import annotations

from typing import Any

from ..checks import is_memory_mapped
from ..embedding import Collection, Embedding
from ..metadata import column_kind


def describe_embedding(emb: Embedding, *, run: str = ".") -> dict[str, Any]:
    """Name, shape, storage, metadata columns with types, label column and sprite of one embedding."""
    vectors = emb.vectors
    mapped = is_memory_mapped(vectors)
    sprite = None
    if emb.sprite is not None:
        sprite = {
            "path": emb.sprite.path,
            "image_size": [emb.sprite.image.width, emb.sprite.image.height],
            "single_image_dim": list(emb.sprite.single_image_dim),
        }
    columns = []
    if emb.metadata is not None:
        columns = [{"name": f.name, "type": column_kind(f.type)} for f in emb.metadata.schema]
    return {
        "run": run,
        "name": emb.name,
        "shape": list(emb.shape),
        "dtype": str(vectors.dtype),
        "memory_mapped": mapped,
        "label_column": emb.label_column,
        "metadata_columns": columns,
        "sprite": sprite,
        "bookmarks_path": emb.bookmarks_path,
        "steps": emb.steps.numbers if emb.steps is not None else None,
    }


def describe(collection: Collection) -> dict[str, Any]:
    return {
        "source": collection.source,
        "runs": list(collection.runs),
        "embeddings": [describe_embedding(emb, run=run) for run, emb in collection],
    }


def render_embedding(item: dict[str, Any]) -> str:
    n, d = item["shape"]
    where = "" if item["run"] == "." else f"{item['run']}/"
    lines = [f"{where}{item['name']}: {n:,} x {d} {item['dtype']}{' (memory-mapped)' if item['memory_mapped'] else ''}"]
    if item["metadata_columns"]:
        cols = ", ".join(f"{c['name']} ({c['type']})" for c in item["metadata_columns"])
        lines.append(f"  metadata: {cols}; labels from `{item['label_column']}`")
    else:
        lines.append("  metadata: none (points are labelled by row index)")
    if item["sprite"]:
        s = item["sprite"]
        w, h = s["single_image_dim"]
        lines.append(f"  sprite: {s['image_size'][0]}x{s['image_size'][1]} px, thumbnails {w}x{h} px")
    if item["bookmarks_path"]:
        lines.append(f"  bookmarks: {item['bookmarks_path']}")
    steps = item.get("steps")
    if steps:
        lines.append(f"  steps: {len(steps)} ({', '.join(map(str, steps[:10]))}{', ...' if len(steps) > 10 else ''})")
    return "\n".join(lines)


def render_text(report: dict[str, Any]) -> str:
    runs = report["runs"]
    head = f"{report['source']}: {len(report['embeddings'])} embedding(s)"
    if len(runs) > 1 or runs != ["."]:
        head += f" in {len(runs)} run(s)"
    return "\n".join([head, *(render_embedding(item) for item in report["embeddings"])])
