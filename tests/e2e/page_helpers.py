"""What the browser tests share: the API from Python, and pixel counts of the exported canvas.

The page exposes `window.embedscope.view` (the deck.gl view: `canvas`, `deck`, `screenPosition(i)`) and
`window.embedscope.store`. Each pixel script below is an async JavaScript function for `page.evaluate`: it redraws,
waits two animation frames, copies the WebGL canvas into a 2-D one and reads its pixels (`PIXELS`), then counts.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ARTIFACTS = Path("/tmp/e2e")
CHROMIUM = Path("/usr/bin/chromium")
# WebGL2 on SwiftShader, headless, nothing fetched from the network
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# readCanvas(view) -> { data, width, height, scale, ink(x, y), box(cx, cy, r) }: the canvas as drawn now; a pixel is
# "ink" when drawn (alpha) and not near-white
READ_CANVAS = """
const readCanvas = (view) => {
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
  return { data, width, height, scale: canvas.width / canvas.clientWidth, ink, box };
};
"""

# -> { view, data, width, height, scale, ink(x, y), box }: redrawn, two animation frames later
PIXELS = (
    READ_CANVAS
    + """
const pixels = async () => {
  const view = window.embedscope.view;
  view.deck.redraw("e2e");
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  return { view, ...readCanvas(view) };
};
"""
)


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


# [lowest, highest] alpha of the points layer's colours (the density layer fades crowded points)
ALPHAS = """(() => {
  const layer = window.embedscope.view.deck.props.layers.find((l) => l && l.id === 'points');
  const colors = layer.props.data.attributes.getFillColor.value;
  let lo = 255, hi = 0;
  for (let i = 3; i < colors.length; i += 4) { lo = Math.min(lo, colors[i]); hi = Math.max(hi, colors[i]); }
  return [lo, hi];
})()"""


def api(url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """GET (or POST `body` as JSON to) the served API; the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    request = urllib.request.Request(urllib.parse.urljoin(url, path), data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def screen_positions(page: Any, indices: list[int]) -> list[list[float]]:
    return page.evaluate("(ix) => ix.map((i) => window.embedscope.view.screenPosition(i))", indices)


def listed_label(text: str) -> str:
    """The label of a point as the inspector lists it: `politics` as such, a numeric label's `#123 (4)` as `4`."""
    first = text.split("\n")[0].strip()
    match = re.match(r"^#\d+ \((.*)\)", first)
    return match.group(1) if match else first.split()[0]


def drag_across(page: Any, selector: str, start: float, end: float) -> None:
    """Drag across an element at mid-height, from `start` to `end` of its width (0 to 1): a filter's range brush."""
    target = page.locator(selector)
    target.scroll_into_view_if_needed()
    b = target.bounding_box()
    y = b["y"] + b["height"] / 2
    page.mouse.move(b["x"] + start * b["width"], y)
    page.mouse.down()
    page.mouse.move(b["x"] + end * b["width"], y, steps=4)
    page.mouse.up()


def canvas_box(page: Any) -> dict[str, float]:
    box = page.locator("#scatter canvas").bounding_box()
    assert box is not None
    return box


def put(url: str, path: str, body: dict[str, Any]) -> Any:
    """PUT `body` as JSON to the served API; the decoded JSON answer."""
    request = urllib.request.Request(
        urllib.parse.urljoin(url, path),
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def delete(url: str, path: str) -> Any:
    request = urllib.request.Request(urllib.parse.urljoin(url, path), method="DELETE")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def store(page: Any, expression: str) -> Any:
    """An expression over the page's store state `s`, e.g. store(page, "s.selection")."""
    return page.evaluate(f"(() => {{ const s = window.embedscope.store.get(); return {expression}; }})()")


def wait_done(page: Any, timeout: float = 60_000) -> None:
    """Wait until the shown projection is finished and drawn."""
    page.wait_for_function(
        "(() => { const s = window.embedscope.store.get();"
        " return s.coords !== null && s.busy === null && s.job?.state === 'done'; })()",
        timeout=timeout,
    )


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


class UrlProcess:
    """A process that prints the URL it serves (`embedscope serve` or `embedscope demo`): start() waits for the
    URL and answers it; stop() ends the process."""

    URL_LINE = re.compile(r"(?:embedscope|the projector) is at (http://\S+)")

    def __init__(self, command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        self.command, self.env, self.cwd = command, env, cwd
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self, timeout: float = 60) -> str:
        proc = subprocess.Popen(
            self.command, cwd=self.cwd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.proc = proc
        found = threading.Event()
        lines: list[str] = []

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:  # read to the end, so the process never blocks on a full pipe
                lines.append(line)
                match = self.URL_LINE.search(line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(timeout):
            self.stop()
            raise RuntimeError(f"{' '.join(self.command[1:4])} printed no URL:\n" + "".join(lines))
        return self.url

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


class Served(UrlProcess):
    """An `embedscope serve` process of its own (for tests that stop and restart it, or need a token)."""

    def __init__(self, logdir: Path, root: Path, *, port: int = 0, extra: tuple[str, ...] = ()) -> None:
        super().__init__([])
        self.logdir, self.root, self.port, self.extra = logdir, root, port, extra

    def start(self, timeout: float = 60) -> str:
        self.command = [sys.executable, "-m", "embedscope", "serve", str(self.logdir), "--port", str(self.port)]
        self.command += ["--no-warm-up", "--state-dir", str(self.root / "state"), *self.extra]
        self.env = {**os.environ, "EMBEDSCOPE_CACHE_DIR": str(self.root / "cache")}  # a cold cache: t-SNE runs
        super().start(timeout)
        self.port = int(urllib.parse.urlsplit(self.url).port or 0)
        return self.url


def missing() -> str | None:
    """Why the browser tests cannot run here (the page not built, no Chromium, no playwright), or None."""
    from embedscope.server.routes.static import web_dir

    if web_dir() is None:
        return "the page is not built: run `npm ci && npm run build` in frontend/ (or `make setup`)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: apt-get install -y chromium (or `make setup`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is missing: pip install playwright (or `make setup`)"
    return None


@contextmanager
def serving(make_logdir: Callable[[Path], Path], root: Path, *extra: str) -> Iterator[str]:
    """The URL of `embedscope serve` on the log dir `make_logdir(root)` makes, with the options `extra` (skipping
    when the browser tests cannot run here); stopped on leaving."""
    import pytest

    reason = missing()
    if reason:
        pytest.skip(reason)
    served = Served(make_logdir(root), root, extra=extra)
    try:
        try:
            url = served.start()
        except RuntimeError as exc:
            pytest.fail(str(exc))
        yield url
    finally:
        served.stop()


@contextmanager
def chromium() -> Iterator[Any]:
    """The system Chromium, headless on SwiftShader, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def fresh_page(
    browser: Any, url: str, *, width: int = 1400, height: int = 860, wait: bool = True
) -> Iterator[tuple[Any, list[str]]]:
    """(a page of its own on `url`, its first projection drawn unless not `wait`; the errors it raised), closed on
    leaving."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(url)
        if wait:
            wait_done(page)
        yield page, errors
    finally:
        context.close()
