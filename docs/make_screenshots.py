"""The screenshots of docs/projector.md and README.md: the projector page in its main states, as PNGs in docs/images/.

Run by hand from the repository root, once the page is built (`make setup`, or `npm run build` in frontend/):

    .venv/bin/python docs/make_screenshots.py              # every shot, about a minute
    .venv/bin/python docs/make_screenshots.py tsne steps   # only these shots (names as in SHOTS below)
    .venv/bin/python docs/make_screenshots.py --url http://127.0.0.1:6006/   # on a demo already running

It serves the three demo data sets (`embedscope demo --data digits --data minilm-tokens --data kjv-word2vec`) from
a temporary folder with an empty projection cache (so t-SNE really runs and is caught mid-way), drives the system
Chromium headless (/usr/bin/chromium, as the browser tests do) at 1440x900 CSS pixels and device scale 1, waits for
each projection to be finished and drawn, and writes each PNG reduced to a 256-colour palette (Pillow).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
sys.path.insert(0, str(ROOT / "tests" / "e2e"))  # the browser tests' helpers: Chromium's flags, served processes
from page_helpers import CHROMIUM, CHROMIUM_ARGS, UrlProcess  # noqa: E402

VIEWPORT = {"width": 1440, "height": 900}
DATA = ("digits", "minilm-tokens", "kjv-word2vec")

# The page's debug hook (`window.embedscope.store`) tells when a projection is finished and drawn.
DONE = (
    "(() => { const s = window.embedscope?.store.get();"
    " return !!s && s.coords !== null && s.busy === null && s.job?.state === 'done'; })()"
)
FRAMES = "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))"


# --- the server and the browser ---------------------------------------------------------------------------------


class DemoServer:
    """`embedscope demo` on the three data sets, its bookmarks in `work` and its projection cache empty."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.process: UrlProcess | None = None

    def start(self) -> str:
        """Start it; the URL it prints."""
        from embedscope.compute.cache import cache_root
        from embedscope.demo import prepare_kjv

        prepare_kjv()  # trained once (about 10 s) and kept in the user's cache, like `make setup` does
        cache = self.work / "cache"
        cache.mkdir()
        for kept in ("demo", "numba"):  # the trained word2vec run and numba's compiled UMAP code, not projections
            if (cache_root() / kept).is_dir():
                (cache / kept).symlink_to(cache_root() / kept, target_is_directory=True)
        command = [sys.executable, "-m", "embedscope", "demo", "--port", "0", "-k", "1"]
        for name in DATA:
            command += ["--data", name]
        env = {**os.environ, "EMBEDSCOPE_CACHE_DIR": str(cache)}
        self.process = UrlProcess(command, env=env, cwd=self.work)
        return self.process.start(timeout=180)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


class Shooter:
    """Opens fresh pages on the served demo and saves what they show."""

    def __init__(self, browser: Any, url: str, out: Path, server: DemoServer | None) -> None:
        self.browser, self.url, self.out = browser, url, out
        self.server = server  # None: a server this script did not start (and must not stop)
        self.runs: dict[str, str] = {}  # data set name -> run id

    @contextmanager
    def page(
        self, *, theme: str = "light", server_stops: bool = False, viewport: dict[str, int] | None = None
    ) -> Iterator[Any]:
        """A fresh page on the demo (light or dark through the system preference), its first projection drawn.
        Whatever goes wrong in the page (an error, a failed request, a message in its banner) is reported; failed
        requests are expected when the shot stops the server (`server_stops`)."""
        context = self.browser.new_context(viewport=viewport or VIEWPORT, device_scale_factor=1, color_scheme=theme)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        if not server_stops:
            page.on("requestfailed", lambda request: errors.append(f"request failed: {request.url}"))
        try:
            page.goto(self.url)
            wait_done(page)
            if not self.runs:
                self.runs = dict(page.evaluate("window.embedscope.store.get().runs.runs.map((r) => [r.name, r.id])"))
            yield page
        except Exception as exc:
            banner = page.locator("#error")
            said = banner.inner_text() if banner.count() else None
            raise RuntimeError(f"{exc}\nthe page said: {said}; errors in the page: {errors}") from None
        finally:
            context.close()
        if errors:
            raise RuntimeError(f"errors in the page: {errors}")

    def open(self, page: Any, name: str) -> None:
        """Show the demo data set `name` (its first embedding) with the embedding picker and wait for its PCA."""
        page.click("#embedding-select")
        page.click(f"#embedding-list [data-value='{self.runs[name]}/e0']")
        page.wait_for_function(f"window.embedscope.store.get().embedding?.run === '{self.runs[name]}'")
        wait_done(page)

    def save(self, page: Any, name: str, *, element: str | None = None, full_colour: bool = False) -> Path:
        """The page (or one element of it) as docs/images/<name>.png, in 256 colours unless `full_colour` (soft
        shadows band in 256)."""
        settle(page)
        png = page.locator(element).screenshot() if element else page.screenshot()
        path = self.out / f"{name}.png"
        write_png(png, path, full_colour=full_colour)
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size // 1024} kB")
        return path


def wait_done(page: Any, timeout: float = 120_000) -> None:
    """Until the shown projection is finished and drawn."""
    page.wait_for_function(DONE, timeout=timeout)
    settle(page)


def settle(page: Any) -> None:
    page.evaluate(FRAMES)
    page.wait_for_timeout(250)  # labels are placed a moment after the camera or the points change
    page.evaluate(FRAMES)


def write_png(png: bytes, path: Path, *, full_colour: bool = False) -> None:
    image = Image.open(BytesIO(png)).convert("RGB")
    if not full_colour:  # the octree keeps the palette's few saturated colours exact (median cut greys them)
        image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    image.save(path, optimize=True)


# --- the page's controls, as a person uses them ---------------------------------------------------------------


def search(page: Any, text: str, *, regex: bool = False) -> None:
    """Type into the inspector's search (as a regular expression when `regex`) and wait for the matches."""
    if page.locator("#search-regex").count():
        page.click("#search-regex" if regex else "#search-substring")
    page.fill("#search", text)
    page.press("#search", "Enter")
    page.wait_for_function(
        "(t) => { const s = window.embedscope.store.get(); return s.searchText === t && s.searchCount !== null; }",
        arg=text,
    )


def click_match(page: Any, label: str) -> None:
    """Click the listed match labelled `label`: the point and its neighbours are selected and listed."""
    page.locator("#match-list li button", has_text=re.compile(rf"^{re.escape(label)}\b")).first.click()
    page.wait_for_function("window.embedscope.store.get().neighbors !== null")
    page.locator("#neighbor-list li").first.wait_for()


def zoom_at(page: Any, index: int, clicks: int) -> None:
    """Scroll the wheel `clicks` notches over point `index` (zooming in around it)."""
    box = page.locator("#scatter canvas").bounding_box()
    x, y = page.evaluate("(i) => window.embedscope.view.screenPosition(i)", index)
    page.mouse.move(box["x"] + x, box["y"] + y)
    for _ in range(clicks):
        page.mouse.wheel(0, -120)
        page.wait_for_timeout(120)
    page.wait_for_timeout(400)  # the zoom's transition


def choose_method(page: Any, method: str, dims: int = 2, *, run: bool = False) -> None:
    """Pick a projection tab and its dimensions (PCA draws at once; t-SNE and UMAP wait for Run unless `run`).

    One click at a time, each PCA drawn before the next click."""
    tab = page.locator(f"#tab-{method}")
    if tab.get_attribute("aria-selected") != "true":
        tab.click()
        if method == "pca":
            wait_shown(page, "pca")
    if method != "custom":
        button = page.locator(f"#dims-{dims}")
        if button.get_attribute("aria-pressed") != "true":
            button.click()
            if method == "pca":
                wait_shown(page, "pca", dims)
    if run and method in ("tsne", "umap"):
        page.click(f"#{method}-run")
        wait_shown(page, method, dims)


def wait_shown(page: Any, method: str, dims: int | None = None, timeout: float = 120_000) -> None:
    """Until the shown projection is a finished `method` (in `dims` dimensions) and drawn."""
    page.wait_for_function(
        "([m, d]) => { const s = window.embedscope.store.get(); const j = s.job;"
        " return j?.method === m && (d === null || j.n_components === d) && j.state === 'done'"
        " && s.busy === null && s.coords !== null && (d === null || s.coords.dims === d); }",
        arg=[method, dims],
        timeout=timeout,
    )
    settle(page)


def set_number(page: Any, selector: str, value: str) -> None:
    page.fill(selector, value)
    page.press(selector, "Tab")


def away(page: Any) -> None:
    """No hover tooltip or highlight and no focused field in the picture."""
    box = page.locator("#scatter canvas").bounding_box()
    page.mouse.move(box["x"] + 8, box["y"] + box["height"] - 8, steps=4)  # an empty corner of the plot, then out
    page.mouse.move(2, 2, steps=4)
    page.evaluate("document.activeElement?.blur()")


def index_of(page: Any, label: str) -> int:
    """The row whose label is `label` (the loaded "label by" column)."""
    return int(
        page.evaluate(
            "(t) => { const s = window.embedscope.store.get(); return s.columns[s.labelBy].indexOf(t); }",
            label,
        )
    )


# --- the shots --------------------------------------------------------------------------------------------------


def shot_digits(s: Shooter) -> None:
    """The README's image: the digits in PCA, coloured by digit, drawn as their images, one of them hovered."""
    with s.page() as page:
        s.save(page, "data-panel", element=".left section:first-child")
        page.check("#show-sprites")
        page.wait_for_function("window.embedscope.store.get().showSprites")
        page.wait_for_timeout(800)  # the sprite sheet loads
        box = page.locator("#scatter canvas").bounding_box()
        point = index_of_nearest(page, box["width"] * 0.62, box["height"] * 0.62)
        x, y = page.evaluate("(i) => window.embedscope.view.screenPosition(i)", point)
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.locator("#tooltip").wait_for()
        s.save(page, "projector-digits")


def shot_numeric(s: Shooter) -> None:
    """The data panel colouring the King James Bible's words by a numeric column: the continuous scale."""
    with s.page() as page:
        s.open(page, "kjv-word2vec")
        page.select_option("#color-by", "num:Frequency")
        page.locator("#numeric-legend").wait_for()
        s.save(page, "data-panel-numeric", element=".left section:first-child")


def shot_tsne(s: Shooter) -> None:
    """t-SNE streaming in: the points move while the iteration count goes up."""
    with s.page() as page:
        choose_method(page, "tsne")
        set_number(page, "#tsne-iterations", "1000")
        page.click("#tsne-run")
        page.wait_for_function(
            "(() => { const j = window.embedscope.store.get().job;"
            " return j?.method === 'tsne' && j.state === 'running' && (j.iteration ?? 0) >= 300; })()",
            timeout=120_000,
            polling=50,
        )
        page.locator("#tsne-iteration").scroll_into_view_if_needed()
        away(page)
        s.save(page, "tsne-running")
        if page.locator("#tsne-stop").is_enabled():  # (it may have finished meanwhile)
            page.click("#tsne-stop")  # the other shots run the default 500 iterations (cached by the first of them)
        page.wait_for_function("['cancelled', 'done'].includes(window.embedscope.store.get().job?.state)")


def shot_umap(s: Shooter) -> None:
    with s.page() as page:
        choose_method(page, "umap", run=True)
        wait_done(page)
        page.locator("#quality").scroll_into_view_if_needed()
        away(page)
        s.save(page, "umap")


def shot_pca_3d(s: Shooter) -> None:
    """The digits in 3-D: one sphere selected, a second one being dragged (shift adds)."""
    with s.page() as page:
        choose_method(page, "pca", 3)
        box = page.locator("#scatter canvas").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.8)  # turn the cloud a little
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.5 + 90, box["y"] + box["height"] * 0.8 - 40, steps=6)
        page.mouse.up()
        settle(page)
        first = index_of_nearest(page, box["width"] * 0.40, box["height"] * 0.55)
        second = index_of_nearest(page, box["width"] * 0.62, box["height"] * 0.40)
        drag(page, first, 70, release=True)
        page.wait_for_function("window.embedscope.store.get().selection.length > 0")
        drag(page, second, 60, release=False)
        s.save(page, "pca-3d-sphere")
        page.mouse.up()
        page.keyboard.up("Shift")


def index_of_nearest(page: Any, x: float, y: float) -> int:
    """The drawn point nearest the canvas position (x, y)."""
    return int(
        page.evaluate(
            """([x, y]) => { const s = window.embedscope.store.get(); const v = window.embedscope.view;
            let best = 0, d = Infinity;
            for (let i = 0; i < s.coords.n; i++) { const p = v.screenPosition(i); if (!p) continue;
              const e = (p[0] - x) ** 2 + (p[1] - y) ** 2; if (e < d) { d = e; best = i; } }
            return best; }""",
            [x, y],
        )
    )


def drag(page: Any, index: int, pixels: float, *, release: bool) -> None:
    """Shift-drag from point `index`: a sphere (3-D) or a box (2-D) grows with the drag."""
    box = page.locator("#scatter canvas").bounding_box()
    x, y = page.evaluate("(i) => window.embedscope.view.screenPosition(i)", index)
    page.keyboard.down("Shift")
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.mouse.down()
    page.mouse.move(box["x"] + x + pixels * 0.6, box["y"] + y + pixels * 0.8, steps=8)
    if release:
        page.mouse.up()
        page.keyboard.up("Shift")


def shot_neighbours(s: Shooter) -> None:
    """MiniLM's tokens: "blue" clicked, its nearest neighbours (colours) listed and labelled on the plot."""
    with s.page() as page:
        s.open(page, "minilm-tokens")
        search(page, "^blue$", regex=True)
        click_match(page, "blue")
        set_number(page, "#k-value", "20")
        page.wait_for_function("window.embedscope.store.get().selection.length === 21")
        page.click("#isolate")  # the 21 points alone, projected again (PCA of them)
        page.wait_for_function("window.embedscope.store.get().isolated?.length === 21")
        wait_done(page)
        away(page)
        s.save(page, "neighbours")


def shot_custom(s: Shooter) -> None:
    """MiniLM's tokens on custom axes: man -> woman across, bad -> good upwards."""
    with s.page() as page:
        s.open(page, "minilm-tokens")
        choose_method(page, "custom")
        page.check("#custom-regex")
        page.fill("#custom-left", "^man$")
        page.fill("#custom-right", "^woman$")
        page.fill("#custom-up", "^good$")
        page.fill("#custom-down", "^bad$")
        page.locator("#custom-down-count").wait_for()
        page.click("#custom-run")
        wait_done(page)
        page.locator("#axis-x").wait_for()
        words = "actor|actress|prince|princess|uncle|aunt|nephew|niece|waiter|waitress|hero|heroine|lord|lady"
        search(page, f"^({words})$", regex=True)
        box = page.locator("#scatter canvas").bounding_box()
        zoom_at(page, index_of_nearest(page, box["width"] * 0.5, box["height"] * 0.5), 1)
        away(page)
        s.save(page, "custom-axes")


def shot_tip(s: Shooter) -> None:
    """The Embeddings guide's advanced tip on MiniLM's tokens: "politics" and its 100 neighbours isolated, then on
    custom axes from `worst` to `best` (the axes made from every token, the 101 points drawn alone)."""
    with s.page() as page:
        s.open(page, "minilm-tokens")
        search(page, "politics")
        click_match(page, "politics")
        set_number(page, "#k-value", "100")
        page.wait_for_function("window.embedscope.store.get().selection.length === 101")
        page.click("#isolate")
        page.wait_for_function("window.embedscope.store.get().isolated?.length === 101")
        wait_done(page)
        choose_method(page, "custom")
        page.fill("#custom-left", "worst")
        page.fill("#custom-right", "best")
        page.locator("#custom-right-count").wait_for()
        page.click("#custom-run")
        wait_shown(page, "custom")
        page.locator("#axis-x").wait_for()
        away(page)
        s.save(page, "custom-tip")


def shot_compact(s: Shooter) -> None:
    """The page in a 700 x 600 frame (a notebook cell, or a narrow window): one panel beside the plot."""
    with s.page(viewport={"width": 700, "height": 600}) as page:
        page.click("#pane-projection")
        choose_method(page, "tsne")
        away(page)
        s.save(page, "compact")


def shot_search(s: Shooter) -> None:
    """The King James Bible's words: a regular expression, its matches selected and listed."""
    with s.page() as page:
        s.open(page, "kjv-word2vec")
        search(page, "ness$", regex=True)
        away(page)
        s.save(page, "search")


def shot_steps(s: Shooter) -> None:
    """The word2vec run's epochs: an earlier step on the slider, "god"'s neighbours compared with the latest."""
    with s.page() as page:
        s.open(page, "kjv-word2vec")
        if page.locator("#step-slider").count() == 0:
            print("  steps: the page has no step slider; skipped")
            return
        page.locator("#step-slider").fill("2")  # the third step (epoch 2)
        page.wait_for_function(
            "window.embedscope.store.get().step === 2 && window.embedscope.store.get().job?.step === 2",
            timeout=60_000,
        )
        wait_done(page)
        search(page, "^god$", regex=True)
        click_match(page, "god")
        if page.locator("#compare-toggle").count():
            page.click("#compare-toggle")
            page.locator("#compare-summary").wait_for()
        away(page)
        s.save(page, "steps")


def shot_bookmarks(s: Shooter) -> None:
    with s.page() as page:
        for name, method in (("PCA of the digits", "pca"), ("t-SNE, perplexity 30", "tsne"), ("UMAP", "umap")):
            choose_method(page, method, run=True)
            wait_done(page)
            page.fill("#bookmark-name", name)
            page.click("#bookmark-save")
            page.locator("#bookmark-list li", has_text=name).wait_for()
        s.save(page, "bookmarks", element=".left section:nth-child(3)")


def shot_dark(s: Shooter) -> None:
    with s.page(theme="dark") as page:
        choose_method(page, "tsne", run=True)
        wait_done(page)
        search(page, "7")
        away(page)
        s.save(page, "dark-theme")


def shot_help(s: Shooter) -> None:
    with s.page() as page:
        page.click("#help-button")
        page.locator("#help").wait_for()
        s.save(page, "help", full_colour=True)


def shot_error(s: Shooter) -> None:
    """A server error in the page: custom axes whose pattern matches no row."""
    with s.page() as page:
        s.open(page, "kjv-word2vec")
        choose_method(page, "custom")
        page.fill("#custom-left", "jerusalem")
        page.fill("#custom-right", "babylonn")
        page.locator("#custom-right-count").wait_for()
        page.click("#custom-run")
        page.locator("#error").wait_for()
        away(page)
        s.save(page, "error")


def shot_connection(s: Shooter) -> None:
    """The server stops: the page says the connection is lost and counts down to its next try (the last shot)."""
    if s.server is None:
        print("  connection: needs the server this script starts (not --url); skipped")
        return
    with s.page(server_stops=True) as page:
        s.server.stop()
        page.locator("#connection-banner").wait_for(timeout=30_000)
        page.wait_for_function("document.querySelector('#connection-banner').textContent.includes('Trying again in')")
        away(page)
        s.save(page, "connection-lost")


SHOTS: dict[str, Callable[[Shooter], None]] = {
    "digits": shot_digits,
    "numeric": shot_numeric,
    "tsne": shot_tsne,
    "umap": shot_umap,
    "pca-3d": shot_pca_3d,
    "neighbours": shot_neighbours,
    "custom": shot_custom,
    "tip": shot_tip,
    "compact": shot_compact,
    "search": shot_search,
    "steps": shot_steps,
    "bookmarks": shot_bookmarks,
    "dark": shot_dark,
    "help": shot_help,
    "error": shot_error,
    "connection": shot_connection,  # stops the server: keep it last
}


def _maps_shots() -> None:
    """The shots of readable maps (clusters, density, filters, figures), kept in screenshots_maps.py."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from screenshots_maps import SHOTS as MAPS

    for name, shot in MAPS.items():
        SHOTS.setdefault(name, shot)


def main(argv: list[str] | None = None) -> int:
    _maps_shots()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shots", nargs="*", metavar="SHOT", help=f"the shots to take: {', '.join(SHOTS)} [all]")
    parser.add_argument("--url", help="use this running `embedscope demo` instead of starting one")
    parser.add_argument("--out", type=Path, default=IMAGES, help="the folder for the PNGs [docs/images]")
    args = parser.parse_args(argv)
    unknown = [name for name in args.shots if name not in SHOTS]
    if unknown:
        parser.error(f"no shot named {', '.join(unknown)}; the shots are {', '.join(SHOTS)}")
    from playwright.sync_api import sync_playwright

    from embedscope.server.routes.static import web_dir

    if web_dir() is None:
        print("the page is not built: run `npm ci && npm run build` in frontend/ (or `make setup`)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="embedscope-shots-") as tmp, sync_playwright() as p:
        server = DemoServer(Path(tmp)) if args.url is None else None
        url = server.start() if server is not None else args.url
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            shooter = Shooter(browser, url, args.out, server)
            for name in args.shots or list(SHOTS):
                t0 = time.perf_counter()
                print(f"{name} ...")
                SHOTS[name](shooter)
                print(f"  {time.perf_counter() - t0:.1f} s")
        finally:
            browser.close()
            if server is not None:
                server.stop()
    print(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
