"""widget.js, the view's ES module: what it exports (anywidget takes its default export and warns about `render`).

How the view behaves in a browser is tests/e2e/test_widget.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

WIDGET_JS = Path(__file__).resolve().parents[2] / "src/embedscope/jupyter/widget.js"

# `export default ...`, `export [async] function NAME`, `export const|let|var|class NAME`, `export { a, b as c }`
EXPORT = re.compile(
    r"^export\s+(?:(?P<default>default)\b|(?:async\s+)?function\*?\s+(?P<function>\w+)"
    r"|(?:const|let|var|class)\s+(?P<binding>\w+)|\{(?P<names>[^}]*)\})",
    re.MULTILINE,
)


def exports(source: str) -> list[str]:
    """The names a module's source exports ("default" for its default export)."""
    found: list[str] = []
    for match in EXPORT.finditer(source):
        if match["names"] is not None:
            found += [part.split(" as ")[-1].strip() for part in match["names"].split(",") if part.strip()]
        else:
            found.append(match["default"] or match["function"] or match["binding"])
    return found


def test_exports() -> None:
    assert exports("export function render() {}\nexport default { render };") == ["render", "default"]
    assert exports("export { a, b as render };\nexport const x = 1;") == ["a", "render", "x"]


def test_the_view_exports_a_default_and_not_render() -> None:
    names = exports(WIDGET_JS.read_text(encoding="utf-8"))
    assert names.count("default") == 1
    assert "render" not in names  # anywidget >= 0.9 warns that exporting `render` itself is deprecated
    assert re.search(r"^export default \{ render \};$", WIDGET_JS.read_text(encoding="utf-8"), re.MULTILINE)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is missing")
def test_node_sees_the_same_exports() -> None:
    script = (
        f"const m = await import({WIDGET_JS.as_uri()!r});"
        "console.log(Object.keys(m).sort().join(' '), typeof m.default.render);"
    )
    out = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    names, kind = out.stdout.rsplit(" ", 1)
    assert "render" not in names.split() and "default" in names.split() and kind.strip() == "function"
