"""The `clusters` command: the clusters of a map, with their sizes and names, level by level."""

from __future__ import annotations

import json
from typing import Any

import click

from .options import json_out
from .project import cluster_options, map_clusters, projected, projection_options


@click.command()
@projection_options
@cluster_options
@json_out
def clusters(as_json: bool, **kwargs: Any) -> None:
    """Cluster the map of PATH (made as `project` makes it, from the same cache) and print each cluster's size and
    name, coarse levels first with their parts indented below them."""
    emb, result, cache = projected(kwargs)
    found = map_clusters(emb, result, cache, kwargs)
    if as_json:
        click.echo(json.dumps(found.as_dict(), ensure_ascii=False))
        return
    click.echo(heading(found, result.method))
    for line in tree_lines(found):
        click.echo(line)


def heading(found: Any, method: str) -> str:
    n, noise = len(found.assignment), int((found.assignment < 0).sum())
    how = {"text": "the words of", "categorical": "the values of", "members": "the typical members of"}
    named = "" if found.column is None else f", named by {how[found.label_kind]} `{found.column}`"
    shape = []
    if found.base > 0:
        shape.append(f"in {len(found.level(0)):,} groups")
    if found.levels > found.base + 1:
        shape.append(f"with {len(found.level(found.base + 1)):,} parts")
    return (
        f"{len(found.base_clusters):,} clusters of {n:,} {method} points{' ' if shape else ''}{', '.join(shape)} "
        f"(min cluster size {found.min_cluster_size:,}{named}); {noise:,} noise points"
    )


def tree_lines(found: Any) -> list[str]:
    """`  id  size  name`, a line a cluster, each below the one it belongs to, indented by level."""
    kids: dict[int | None, list[Any]] = {}
    for c in found.clusters:
        kids.setdefault(c.parent, []).append(c)
    out: list[str] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in sorted(kids.get(parent, []), key=lambda c: -c.size):
            out.append(f"{'    ' * depth}{c.id:>4} {c.size:>9,}  {c.label}")
            walk(c.id, depth + 1)

    walk(None, 0)
    return out
