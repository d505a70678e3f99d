"""The Jupyter widget in real headless Chromium, on a notebook-style page served by the test.

The page (at http://localhost:PORT/, another origin than the projector's 127.0.0.1, as a local Jupyter is) loads
the widget's ESM from the real widget's state the way anywidget does (an ES module from a Blob) and calls its
`render({model, el})` with a
small model implementing get/set/on/off/save_changes. What the kernel's comm would carry between that model and
the Python widget, the test carries: `save_changes()` of the page -> `widget.selection = ...`, and
`widget.selection = ...` -> `model.set("selection", ...)`. Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from page_helpers import ARTIFACTS, INK, chromium, missing, pixel_script

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

N = 1797

HARNESS = """<!doctype html>
<html><head><meta charset="utf-8"><title>notebook</title>
<script id="jupyter-config-data" type="application/json">{"baseUrl": "/user/me/"}</script>
<script id="state" type="application/json">STATE</script></head>
<body><h1>In [1]: embedscope.show(digits)</h1><div id="cell" style="overflow-x: auto"></div>
<script type="module">
const state = JSON.parse(document.getElementById("state").textContent);
const listeners = new Map();
window.saved = [];  // the selections save_changes() would send to the kernel
window.model = {
  get: (key) => state[key],
  set: (key, value) => {
    state[key] = value;
    for (const callback of listeners.get(`change:${key}`) ?? []) callback();
  },
  on: (name, callback) => {
    if (!listeners.has(name)) listeners.set(name, new Set());
    listeners.get(name).add(callback);
  },
  off: (name, callback) => listeners.get(name)?.delete(callback),
  save_changes: () => window.saved.push([...state.selection]),
};
// What Jupyter does on a kernel restart: it marks the model's comm dead, and Backbone calls the model's
// "comm_live_update" listeners with the view as `this` (anywidget's model passes the view as their context).
window.disconnect = (view) => {
  for (const callback of listeners.get("comm_live_update") ?? []) callback.call(view);
};
// anywidget 0.11's loadWidget(): a module exporting `render` gets a deprecation warning; else its default export
const module = await import(URL.createObjectURL(new Blob([state._esm], { type: "text/javascript" })));
window.widgetModule = module;
let widget;
if (module.render) {
  console.warn("[anywidget] Deprecation Warning for test: Direct export of a 'render' will likely be deprecated");
  widget = { render: module.render };
} else {
  widget = typeof module.default === "function" ? await module.default() : module.default;
}
window.cleanup = await widget.render({ model: window.model, el: document.getElementById("cell") });
window.rendered = true;
</script></body></html>
"""

# Opaque pixels (alpha > 200) of the exported canvas, and at each point (a 7x7 box, CSS pixels): selected points
# are drawn opaque with an outline, the others faded.
OPAQUE = pixel_script(
    """
  const { data, width, height, scale } = await pixels();
  const opaque = (x, y) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : data[(y * width + x) * 4 + 3] > 200);
  let total = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) total += opaque(x, y) ? 1 : 0;
  const at = points.map(([x, y]) => {
    let sum = 0;
    const cx = Math.round(x * scale), cy = Math.round(y * scale), r = Math.round(3 * scale);
    for (let j = cy - r; j <= cy + r; j++) for (let i = cx - r; i <= cx + r; i++) sum += opaque(i, j) ? 1 : 0;
    return sum;
  });
  return { total, at };""",
    "points",
)


def _needs() -> str | None:
    reason = missing()
    if reason:
        return reason
    for module, extra in (("playwright.sync_api", "dev"), ("anywidget", "jupyter")):
        try:
            __import__(module)
        except ImportError:
            return f"{module.split('.')[0]} is missing: pip install -e '.[{extra}]' (or `make setup`)"
    return None


@pytest.fixture(scope="module")
def widget(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = _needs()
    if reason:
        pytest.skip(reason)
    import embedscope
    from embedscope.demo import digits

    root = tmp_path_factory.mktemp("widget")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EMBEDSCOPE_CACHE_DIR", str(root / "cache"))
        patch.chdir(root)  # bookmarks, were any saved, would go to ./.embedscope
        shown = embedscope.show(digits(), height=640)
        try:
            yield shown
        finally:
            shown.close()


@pytest.fixture(scope="module")
def notebook() -> Iterator[dict[str, Any]]:
    """A local web server answering every GET with `served["html"]`; `served["url"]` is its localhost URL."""
    served: dict[str, Any] = {"html": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = served["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    served["url"] = f"http://localhost:{httpd.server_address[1]}/notebook"
    try:
        yield served
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def small(widget: Any) -> Iterator[Callable[[], Any]]:
    """Makes widgets of 60 random points (each with its own server), closed after the test."""
    import numpy as np

    import embedscope

    made: list[Any] = []

    def make() -> Any:
        made.append(embedscope.show(np.random.default_rng(len(made)).normal(size=(60, 8)).astype(np.float32)))
        return made[-1]

    yield make
    for shown in made:
        shown.close()


@pytest.fixture(scope="module")
def browser_for_widget(widget: Any) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def open_notebook(browser_for_widget: Any, widget: Any, notebook: dict[str, Any]) -> tuple[Any, Any, list[str]]:
    """(the notebook page, the projector's frame once its first projection is drawn, the pages' errors).

    The errors include the console's warnings and errors that say something is deprecated.
    """
    state = {key: widget.get_state()[key] for key in ("_esm", "src", "url", "height", "selection")}
    notebook["html"] = HARNESS.replace("STATE", json.dumps(state).replace("</", "<\\/"))
    context = browser_for_widget.new_context(viewport={"width": 1200, "height": 820})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: "deprecat" in message.text.lower() and errors.append(message.text))
    page.goto(notebook["url"])
    page.wait_for_function("window.rendered === true")
    frame = page.wait_for_selector("iframe.embedscope-frame").content_frame()
    assert frame is not None
    frame.wait_for_function(
        "window.embedscope && (s => s.coords !== null && s.busy === null && s.job?.state === 'done')"
        "(window.embedscope.store.get())",
        timeout=60_000,
    )
    return page, frame, errors


# Resolves once a "marker" message reaches the notebook page: messages posted to it before have been handled.
MARKER = """({ done: new Promise((resolve) => {
  window.addEventListener("message", (event) => event.data === "marker" && resolve(true));
}) })"""


def flush_messages(page: Any, sender: Any) -> None:
    """Wait until every message `sender` (the page or the frame) posted to the notebook page has been handled."""
    waiting = page.evaluate_handle(MARKER)
    target = "window" if sender is page else "window.parent"
    sender.evaluate(f"{target}.postMessage('marker', '*')")
    assert page.evaluate("(marker) => marker.done", waiting) is True


def frame_selection(frame: Any) -> list[int]:
    return list(frame.evaluate("window.embedscope.store.get().selection"))


def positions(frame: Any, indices: list[int]) -> list[list[float]]:
    return frame.evaluate("(ix) => ix.map((i) => window.embedscope.view.screenPosition(i))", indices)


def test_the_widget_shows_the_page_and_shares_its_selection(
    browser_for_widget: Any, widget: Any, notebook: dict[str, Any]
) -> None:
    widget.selection = [5, 6, 7]  # set in Python before the view opens: the page starts with it
    page, frame, errors = open_notebook(browser_for_widget, widget, notebook)
    try:
        assert frame.url.startswith(widget.url) and widget.url.startswith("http://127.0.0.1:")
        frame.wait_for_function("window.embedscope.store.get().selection.length === 3")
        frame.evaluate("window.embedscope.store.set({ showSprites: false })")  # count points, not thumbnails
        assert frame_selection(frame) == [5, 6, 7]

        # the points draw inside the frame
        frame.click("#clear-selection")
        page.wait_for_function("window.model.get('selection').length === 0")
        census = frame.evaluate(INK, positions(frame, list(range(0, N, 30))))
        assert census["total"] > N * 5, census["total"]
        assert sum(1 for ink in census["at"] if ink > 0) >= 0.9 * len(census["at"])
        everything = frame.evaluate(OPAQUE, [])["total"]

        # a search in the page selects; the model gets the selection and saves it (-> the kernel)
        frame.fill("#search", "3")
        frame.press("#search", "Enter")
        frame.wait_for_function("window.embedscope.store.get().selectionSource === 'search'")
        found = frame_selection(frame)
        page.wait_for_function("(n) => window.model.get('selection').length === n", arg=len(found))
        assert page.evaluate("window.model.get('selection')") == found
        assert page.evaluate("window.saved.at(-1)") == found
        widget.selection = page.evaluate("window.saved.at(-1)")  # what the comm carries to Python
        assert len(found) == 183  # the digits data set's threes
        assert set(widget.selected["digit"]) == {3} and list(widget.selected.index) == found

        # Python sets the selection: the page highlights those points and does not send it back
        chosen = [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]
        widget.selection = chosen
        saves = page.evaluate("window.saved.length")
        page.evaluate("(ix) => window.model.set('selection', ix)", widget.get_state()["selection"])
        frame.wait_for_function("window.embedscope.store.get().selection.length === 10")
        assert frame_selection(frame) == chosen
        assert frame.evaluate("window.embedscope.store.get().selectionSource") is None
        highlighted = frame.evaluate(OPAQUE, positions(frame, chosen))
        assert all(count > 0 for count in highlighted["at"]), highlighted["at"]
        assert highlighted["total"] < 0.25 * everything, (highlighted["total"], everything)
        assert frame.locator("#selection-count").inner_text().startswith("10 ")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "widget.png"))
        assert page.evaluate("window.saved.length") == saves

        # messages from anything but the view's own frame are ignored
        page.evaluate("window.postMessage({type: 'embedscope:selection', indices: [1, 2]}, '*')")
        flush_messages(page, page)
        assert page.evaluate("window.model.get('selection')") == chosen
    finally:
        page.context.close()
    assert not errors, f"errors in the page: {errors}"


def test_the_widget_view_stops_listening_when_removed(
    browser_for_widget: Any, widget: Any, notebook: dict[str, Any]
) -> None:
    widget.selection = []
    page, frame, errors = open_notebook(browser_for_widget, widget, notebook)
    try:
        frame.fill("#search", "7")
        frame.press("#search", "Enter")
        page.wait_for_function("window.saved.length === 1")
        sevens = frame_selection(frame)
        page.evaluate("window.cleanup()")
        frame.fill("#search", "1")
        frame.press("#search", "Enter")
        frame.wait_for_function(
            "(old) => JSON.stringify(window.embedscope.store.get().selection) !== JSON.stringify(old)", arg=sevens
        )
        flush_messages(page, frame)
        assert page.evaluate("window.saved.length") == 1
        # proxy=True: the frame's address is relative to Jupyter's base URL (here /user/me/, as JupyterHub's)
        proxied = page.evaluate("window.widgetModule.frameUrl('proxy/4321/?token=t')")
        assert proxied == notebook["url"].replace("/notebook", "/user/me/proxy/4321/?token=t")
    finally:
        page.context.close()
    assert not errors, f"errors in the page: {errors}"


# The frame, the output area (#cell) and the page: widths and scroll widths, and the frame's height.
GEOMETRY = """() => {
  const cell = document.getElementById("cell");
  const frame = cell.querySelector("iframe.embedscope-frame");
  const root = document.documentElement;
  return { frame: frame.offsetWidth, height: frame.offsetHeight, cell: cell.clientWidth, cellScroll: cell.scrollWidth,
           page: root.clientWidth, pageScroll: root.scrollWidth };
}"""

# Where the "run the cell again" note is, against the frame it covers.
COVER = """() => {
  const rect = (selector) => document.querySelector(selector).getBoundingClientRect().toJSON();
  return { note: rect(".embedscope-gone"), frame: rect("iframe.embedscope-frame") };
}"""


def test_the_view_fits_its_output_area(browser_for_widget: Any, widget: Any, notebook: dict[str, Any]) -> None:
    page, frame, errors = open_notebook(browser_for_widget, widget, notebook)
    try:
        sizes = page.evaluate(GEOMETRY)
        assert sizes["frame"] <= sizes["cell"], sizes  # its border inside its 100 %
        assert sizes["cellScroll"] <= sizes["cell"] and sizes["pageScroll"] <= sizes["page"], sizes  # no scrollbar
        assert sizes["height"] == widget.height
        assert "embed=1" in frame.url.split("#")[0]  # the page may lay itself out for a notebook cell
    finally:
        page.context.close()
    assert not errors, f"errors in the page: {errors}"  # anywidget's deprecation warning among them


def test_the_view_says_to_run_the_cell_again_when_its_server_stops(
    browser_for_widget: Any, small: Callable[[], Any], notebook: dict[str, Any]
) -> None:
    shown = small()
    page, _, errors = open_notebook(browser_for_widget, shown, notebook)
    try:
        gone = page.locator(".embedscope-gone")
        assert not gone.is_visible()
        shown._server.stop()  # as when the kernel dies: the model hears nothing; the view asks the server
        gone.wait_for(state="visible", timeout=30_000)
        assert "Run the cell again" in gone.inner_text()
        cover = page.evaluate(COVER)
        assert cover["note"] == cover["frame"]  # over the whole frame, whose page says "Trying again"
    finally:
        page.context.close()
    assert not errors, f"errors in the page: {errors}"


@pytest.mark.parametrize(
    ("view", "within_ms"),
    [
        ("{ model: { comm_live: false } }", 2_000),  # JupyterLab and Notebook 7: the model says its comm is dead
        ("undefined", 8_000),  # no view given: the view asks the server every second
    ],
)
def test_a_kernel_restart_says_to_run_the_cell_again_soon(
    browser_for_widget: Any, small: Callable[[], Any], notebook: dict[str, Any], view: str, within_ms: int
) -> None:
    shown = small()
    page, _, errors = open_notebook(browser_for_widget, shown, notebook)
    try:
        page.evaluate("window.disconnect({ model: { comm_live: true } })")  # alive: nothing to say
        shown._server.stop()
        page.evaluate(f"window.disconnect({view})")
        page.locator(".embedscope-gone").wait_for(state="visible", timeout=within_ms)  # before the next probe (10 s)
    finally:
        page.context.close()
    assert not errors, f"errors in the page: {errors}"
