"""What the browser tests share: the API from Python, and pixel counts of the exported canvas.

The page exposes `window.embedscope.view` (the deck.gl view: `canvas`, `deck`, `screenPosition(i)`) and
`window.embedscope.store`. Each pixel script below is an async JavaScript function for `page.evaluate`: it redraws,
waits two animation frames, copies the WebGL canvas into a 2-D one and reads its pixels (`PIXELS`), then counts.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ARTIFACTS = Path("/tmp/e2e")

# -> { view, data, width, height, scale, ink(x, y) }: a pixel is "ink" when drawn (alpha) and not near-white
PIXELS = """
const pixels = async () => {
  const view = window.embedscope.view;
  view.deck.redraw("e2e");
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const canvas = view.canvas;
  const copy = document.createElement("canvas");
  copy.width = canvas.width;
  copy.height = canvas.height;
  const ctx = copy.getContext("2d");
  ctx.drawImage(canvas, 0, 0);
  const { data, width, height } = ctx.getImageData(0, 0, copy.width, copy.height);
  const ink = (x, y) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return 0;
    const o = (y * width + x) * 4;
    return data[o + 3] > 40 && data[o] + data[o + 1] + data[o + 2] < 3 * 235 ? 1 : 0;
  };
  const box = (cx, cy, r) => {
    let sum = 0;
    for (let y = cy - r; y <= cy + r; y++) for (let x = cx - r; x <= cx + r; x++) sum += ink(x, y);
    return sum;
  };
  return { view, data, width, height, scale: canvas.width / canvas.clientWidth, ink, box };
};
"""


def pixel_script(body: str, arg: str = "arg") -> str:
    """An async `(arg) => {...}` for page.evaluate whose body can `await pixels()`."""
    return f"async ({arg}) => {{\n{PIXELS}\n{body}\n}}"


# The whole canvas's ink, the top-left corner's, and a 7x7 box's at each point (`points` in CSS pixels).
INK = pixel_script(
    """
  const { width, height, scale, ink, box } = await pixels();
  let total = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) total += ink(x, y);
  const corner = box(Math.round(30 * scale), Math.round(30 * scale), Math.round(25 * scale));
  const at = points.map(([x, y]) => box(Math.round(x * scale), Math.round(y * scale), Math.round(3 * scale)));
  return { total, corner, at, width, height };""",
    "points",
)


def api(url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """GET (or POST `body` as JSON to) the served API; the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    request = urllib.request.Request(urllib.parse.urljoin(url, path), data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def screen_positions(page: Any, indices: list[int]) -> list[list[float]]:
    return page.evaluate("(ix) => ix.map((i) => window.embedscope.view.screenPosition(i))", indices)


def canvas_box(page: Any) -> dict[str, float]:
    box = page.locator("#scatter canvas").bounding_box()
    assert box is not None
    return box
