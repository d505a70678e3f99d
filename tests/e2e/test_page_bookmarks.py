"""Bookmarks carry the camera (2-D target and zoom; 3-D target, zoom and rotation) and bring it back after a reload;
all bookmarks download as one JSON file and upload again (merged through `PUT /api/bookmarks/{name}`); a bad file
gives a readable message in the page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from page_helpers import api, canvas_box, delete, put, screen_positions, shot, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SAMPLE = list(range(0, 1797, 89))


def _clear(server: str) -> None:
    for b in api(server, "api/bookmarks")["bookmarks"]:
        delete(server, "api/bookmarks/" + b["name"].replace(" ", "%20"))


def _save(page: Any, name: str) -> None:
    page.fill("#bookmark-name", name)
    page.click("#bookmark-save")
    page.locator(f"#bookmark-list li[data-name='{name}']").wait_for()


def _restore(page: Any, name: str) -> None:
    page.locator(f"#bookmark-list li[data-name='{name}'] .bookmark-restore").click()


def test_bookmarks_keep_the_camera_in_2d_and_3d(page: Any, server: str) -> None:
    _clear(server)
    # 2-D: pan and zoom (keyboard and wheel), then save
    page.locator("#scatter").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("+")
    flat = page.evaluate("window.embedscope.view.camera()")
    assert flat["dims"] == 2 and flat["target"] != [0, 0, 0]
    flat_points = screen_positions(page, SAMPLE)
    _save(page, "flat")
    saved = api(server, "api/bookmarks/flat")["state"]["camera"]
    assert saved["dims"] == 2 and saved["zoom"] == pytest.approx(flat["zoom"])
    # 3-D: rotate and zoom, then save
    page.click("#dims-3")
    page.wait_for_function("window.embedscope.store.get().coords?.dims === 3")
    wait_done(page)
    box = canvas_box(page)
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 140, cy - 50, steps=8)
    page.mouse.up()
    page.keyboard.press("-")
    solid = page.evaluate("window.embedscope.view.camera()")
    assert solid["dims"] == 3 and (solid["rotationOrbit"], solid["rotationX"]) != (30, 20)
    solid_points = screen_positions(page, SAMPLE)
    _save(page, "solid")
    saved = api(server, "api/bookmarks/solid")["state"]["camera"]
    assert saved["rotationOrbit"] == pytest.approx(solid["rotationOrbit"])

    # a reload starts over; each bookmark brings its camera back: the points are where they were
    page.reload()
    page.wait_for_function("window.embedscope?.store.get().coords !== null", timeout=30_000)
    wait_done(page)
    page.evaluate("history.replaceState(null, '', location.pathname)")  # (the URL's own camera is not under test)
    _restore(page, "flat")
    page.wait_for_function(
        "(z) => Math.abs(window.embedscope.view.camera().zoom - z) < 1e-3"
        " && window.embedscope.store.get().busy === null",
        arg=flat["zoom"],
    )
    for a, b in zip(flat_points, screen_positions(page, SAMPLE), strict=True):
        assert a == pytest.approx(b, abs=1.0)
    _restore(page, "solid")
    page.wait_for_function(
        "(r) => { const c = window.embedscope.view.camera();"
        " return c.dims === 3 && Math.abs(c.rotationOrbit - r) < 1e-2; }",
        arg=solid["rotationOrbit"],
        timeout=30_000,
    )
    wait_done(page)
    for a, b in zip(solid_points, screen_positions(page, SAMPLE), strict=True):
        assert a == pytest.approx(b, abs=1.0)
    shot(page, "bookmark-camera.png")


def test_download_and_upload_a_bookmark_file(page: Any, server: str, tmp_path: Path) -> None:
    _clear(server)
    put(server, "api/bookmarks/first", {"state": {"version": 1, "projection": {"method": "pca", "dims": 3}}})
    put(server, "api/bookmarks/second", {"state": {"version": 1, "selection": [1, 2, 3]}})
    page.reload()
    page.locator("#bookmark-list li[data-name='second']").wait_for()
    with page.expect_download() as download:
        page.click("#bookmark-download")
    path = tmp_path / "marks.json"
    download.value.save_as(path)
    doc = json.loads(path.read_text())
    assert doc["format"] == "embedscope-bookmarks" and doc["version"] == 1
    assert {b["name"]: b["state"] for b in doc["bookmarks"]} == {
        b["name"]: b["state"] for b in api(server, "api/bookmarks")["bookmarks"]
    }

    # upload into an empty server: both come back; then merge a file that replaces one and adds another
    _clear(server)
    page.set_input_files("#bookmark-upload", str(path))
    page.locator("#bookmark-list li[data-name='second']").wait_for()
    assert "Loaded 2 bookmarks from marks.json" in page.locator("#bookmark-notice").inner_text()
    assert api(server, "api/bookmarks/second")["state"] == {"version": 1, "selection": [1, 2, 3]}
    merge = tmp_path / "more.json"
    bookmarks = [{"name": "second", "state": {"version": 1, "selection": [7]}}, {"name": "third", "state": {}}]
    merge.write_text(json.dumps({"bookmarks": bookmarks}))
    page.set_input_files("#bookmark-upload", str(merge))
    page.locator("#bookmark-list li[data-name='third']").wait_for()
    names = [b["name"] for b in api(server, "api/bookmarks")["bookmarks"]]
    assert sorted(names) == ["first", "second", "third"]
    assert api(server, "api/bookmarks/second")["state"]["selection"] == [7]
    assert page.locator("#bookmark-list li").count() == 3
    shot(page, "bookmark-upload.png")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "bad.json is not a bookmark file: it is not JSON"),
        ('{"something": 1}', 'bad.json is not a bookmark file: expected {"bookmarks": [...]}'),
        ('{"bookmarks": [{"name": "x", "state": 3}]}', 'bad.json, bookmark 1 ("x"): "state" must be an object'),
        ('{"bookmarks": []}', "bad.json holds no bookmarks"),
        ('{"bookmarks": [{"name": "a/b", "state": {}}]}', 'bad.json, bookmark 1: the name "a/b" may not contain "/"'),
    ],
)
def test_a_bad_bookmark_file_gives_a_readable_message(page: Any, tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    page.set_input_files("#bookmark-upload", str(bad))
    error = page.locator("#error")
    error.wait_for()
    assert message in error.inner_text()


def _digits_with_a_damaged_bookmark(root: Path) -> Path:
    """The digits log dir, and a state folder whose bookmarks file holds one good entry and one nested too deep."""
    from embedscope.demo import digits

    deep: Any = {}
    for _ in range(100):
        deep = {"inner": deep}
    entries = [
        {
            "name": "kept",
            "state": {"note": "fine"},
            "created": "2026-01-01T00:00:00Z",
            "updated": "2026-01-01T00:00:00Z",
        },
        {"name": "deep", "state": deep, "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z"},
    ]
    (root / "state").mkdir()
    (root / "state" / "bookmarks.json").write_text(json.dumps({"bookmarks": entries}))
    return digits().save(root / "logdir")


def test_a_damaged_saved_bookmark_is_named_and_the_others_listed(browser: Any, tmp_path: Path) -> None:
    from page_helpers import fresh_page, serving

    with serving(_digits_with_a_damaged_bookmark, tmp_path) as url, fresh_page(browser, url) as (page, errors):
        page.locator("#bookmark-list li[data-name='kept']").wait_for()
        note = page.locator("#bookmarks-skipped")
        note.wait_for()
        text = note.inner_text()
        assert "One saved bookmark could not be read" in text and "entry 2" in text and "'deep'" in text, text
        assert page.locator("#bookmark-list li").count() == 1
        note.scroll_into_view_if_needed()
        shot(page, "bookmarks-skipped.png")
    assert not errors, errors
