"""Sequences in headless Chromium: a `__seq_next__` column (TensorBoard's) joins each point to its next by a line.
Twelve points on a circle, linked around it but for one gap: the lines' pixels are found half-way between linked
points, none across the gap; selecting two linked points draws their link over the others in the ink colour.
Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from page_helpers import READ_CANVAS, serving, shot, store

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
N = 12

# ink (drawn, not near-white) at the middle of each [a, b] pair of points, in a 3 x 3 box
MIDDLES = (
    "async (pairs) => {\n"
    + READ_CANVAS
    + """
  const view = window.embedscope.view;
  view.deck.redraw("e2e");
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const { scale, box } = readCanvas(view);
  return pairs.map(([a, b]) => {
    const [ax, ay] = view.screenPosition(a), [bx, by] = view.screenPosition(b);
    return box(Math.round(((ax + bx) / 2) * scale), Math.round(((ay + by) / 2) * scale), 1);
  });
}"""
)


def make_logdir(root: Path) -> Path:
    from embedscope import Embedding

    angle = np.arange(N) * 2 * np.pi / N
    vectors = np.stack([np.cos(angle), np.sin(angle), np.zeros(N)], axis=1).astype(np.float32)
    following = [str(i + 1) if i + 1 < N else "" for i in range(N)]  # 0 -> 1 -> ... -> 11, no link back to 0
    metadata = {"label": [f"p{i}" for i in range(N)], "__seq_next__": following}
    return Embedding(vectors, name="circle", metadata=metadata).save(root / "logdir")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(make_logdir, tmp_path_factory.mktemp("sequences")) as url:
        yield url


def test_a_sequence_is_drawn_as_lines_between_its_points(page: Any) -> None:
    page.wait_for_function(
        "window.embedscope.view.deck.props.layers.some((l) => l && l.id === 'sequences' && l.props.data.length === 11)"
    )
    linked = [[i, i + 1] for i in range(N - 1)]
    inked = page.evaluate(MIDDLES, linked)
    assert all(v > 0 for v in inked), inked  # every link's middle has the line's pixels
    assert page.evaluate(MIDDLES, [[N - 1, 0]]) == [0]  # no line across the gap: 11 has no next
    shot(page, "sequences.png")
    page.click("#search-regex")
    page.fill("#search", "^p[34]$")
    page.press("#search", "Enter")
    page.wait_for_function("window.embedscope.store.get().selection.length === 2")
    page.wait_for_function(  # the view draws the selection at its next frame
        "window.embedscope.view.deck.props.layers.some((l) => l && l.id === 'sequences-selected')", timeout=15_000
    )
    layers = page.evaluate(
        "window.embedscope.view.deck.props.layers.filter((l) => l).map((l) => [l.id, l.props.data.length])"
    )
    assert ["sequences-selected", 1] in layers and ["sequences", 11] in layers
    assert store(page, "s.columns.__seq_next__.length") == N
