"""Figures of the view in headless Chromium, on the digits: "Figure…" saves the view as SVG (every point drawn, the
title, the legend and the labels shown) and as PNG at a chosen resolution (its size and pHYs chunk say so) that looks
like the screen: each sampled point's pixel in the figure has the point's colour. Files go to /tmp/e2e/.
"""

from __future__ import annotations

import math
import struct
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from page_helpers import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SVG = "{http://www.w3.org/2000/svg}"
TITLE_H = 34  # render/figure.ts
# the RGB each of these rows is drawn in
COLORS = """(rows) => {
  const layer = window.embedscope.view.deck.props.layers.find((l) => l && l.id === 'points');
  const c = layer.props.data.attributes.getFillColor.value;
  return rows.map((i) => [c[i * 4], c[i * 4 + 1], c[i * 4 + 2]]);
}"""


def save(page: Any, name: str) -> bytes:
    with page.expect_download() as download:
        page.click("#figure-save")
    path = ARTIFACTS / name
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    download.value.save_as(path)
    return path.read_bytes()


def test_a_figure_of_the_view_as_svg_and_as_png(page: Any) -> None:
    page.click("#save-figure")
    page.fill("#figure-title", "Handwritten digits")
    size = page.evaluate("[window.embedscope.view.canvas.clientWidth, window.embedscope.view.canvas.clientHeight]")
    assert [int(page.input_value("#figure-width")), int(page.input_value("#figure-height"))] == size
    root = ET.fromstring(save(page, "figure.svg"))
    assert root.get("width") == str(size[0]) and root.get("height") == str(size[1] + TITLE_H)
    points = root.find(f"{SVG}g[@id='points']")
    assert len(points.findall(f"{SVG}circle")) == 1797  # every point is in the home view
    assert root.find(f"{SVG}text[@id='title']").text == "Handwritten digits"
    legend = [t.text for t in root.find(f"{SVG}g[@id='legend']").findall(f"{SVG}text")]
    assert legend == ["label", *[str(d) for d in range(10)]]
    shown = set(page.evaluate("window.embedscope.view.labelled.length ? window.embedscope.view.labelled : []"))
    labels = root.find(f"{SVG}g[@id='labels']").findall(f"{SVG}text")
    assert len(labels) == 2 * len(shown) > 0  # each label the view shows, with its halo

    page.click("#figure-png")
    page.select_option("#figure-dpi", "300")
    png = save(page, "figure.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    scale = 300 / 96
    assert (width, height) == (math.floor(size[0] * scale + 0.5), math.floor((size[1] + TITLE_H) * scale + 0.5))
    assert png[37:41] == b"pHYs" and struct.unpack(">IIB", png[41:50]) == (11811, 11811, 1)
    assert "300 DPI" in page.locator("#figure-note").inner_text()

    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(png)).convert("RGB")
    rows = list(range(0, 1797, 97))
    at = page.evaluate("(rows) => rows.map((i) => window.embedscope.view.screenPosition(i))", rows)
    colors = page.evaluate(COLORS, rows)
    near = 0
    for (x, y), color in zip(at, colors, strict=True):
        pixel = image.getpixel((round(x * scale), round((y + TITLE_H) * scale)))
        near += sum(abs(a - b) for a, b in zip(pixel, color, strict=True)) < 120  # its colour (others may overlap)
    assert near >= 0.8 * len(rows), near
