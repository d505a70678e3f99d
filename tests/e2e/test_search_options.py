"""The inspector's search options in headless Chromium on the digits demo: a regular expression in a chosen column
selects exactly the API's matches and lists the first 100, text mode takes the same pattern literally (no matches,
said so), a pattern that does not compile is said under the box (not as a banner), and a selection made outside
the page (the notebook) is listed under a neutral heading. Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from page_helpers import api, listed_label, shot, store

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EMB = "api/runs/r0/embeddings/e0"


def api_search(server: str, q: str, *, column: str, regex: bool) -> dict[str, Any]:
    query = urllib.parse.urlencode({"q": q, "column": column, "mode": "regex" if regex else "substring"})
    return api(server, f"{EMB}/search?{query}")


def wait_search(page: Any, count: int) -> None:
    page.wait_for_function(
        "(n) => { const s = window.embedscope.store.get();"
        " return s.selectionSource === 'search' && s.searchCount === n; }",
        arg=count,
        timeout=15_000,
    )


def digit_column(server: str) -> str:
    """The column holding each image's digit (`label`: the demo's log dir has one metadata column, no header)."""
    (column,) = [c["name"] for c in api(server, "api/runs")["runs"][0]["embeddings"][0]["columns"]]
    return column


def test_a_regular_expression_in_a_column_selects_the_apis_matches(page: Any, server: str) -> None:
    column = digit_column(server)
    want = api_search(server, "^[37]$", column=column, regex=True)
    assert 300 < want["count"] < 400  # the 3s and 7s of the 1,797 digits
    page.select_option("#search-column", column)
    page.click("#search-regex")
    assert page.locator("#search-regex").get_attribute("aria-pressed") == "true"
    page.fill("#search", "^[37]$")
    page.press("#search", "Enter")
    wait_search(page, want["count"])
    assert store(page, "s.selection") == want["indices"]
    assert page.locator("#selection-heading").inner_text() == "Matches"
    assert page.locator("#match-list li").count() == 100  # the first 100 listed
    shown = page.locator("#match-list li").evaluate_all("(els) => els.map((e) => Number(e.dataset.index))")
    assert shown == want["indices"][:100]
    assert {listed_label(t) for t in page.locator("#match-list li").all_inner_texts()} == {"3", "7"}
    assert f"First 100 of {want['count']:,} shown" in page.locator(".inspector").inner_text()
    assert page.locator("#selection-count").inner_text() == f"{want['count']:,} points selected"
    shot(page, "search-regex.png")

    # the same text taken literally: no digit contains "^[37]$"
    page.click("#search-substring")
    wait_search(page, 0)
    assert api_search(server, "^[37]$", column=column, regex=False)["count"] == 0
    assert "No matches" in page.locator("#no-matches").inner_text()
    assert page.locator("#selection-count").inner_text() == "No matches"
    assert store(page, "s.selection") == []


def test_a_pattern_that_does_not_compile_is_said_under_the_box(page: Any) -> None:
    page.click("#search-regex")
    page.fill("#search", "[37")
    page.press("#search", "Enter")
    error = page.locator("#search-error")
    error.wait_for(timeout=15_000)
    assert "the search is not a valid regular expression: '[37'" in error.inner_text()
    assert "RE2" in error.inner_text()  # the server's fix, once
    assert error.inner_text().count("RE2 syntax") == 1
    assert page.locator("#search").get_attribute("aria-invalid") == "true"
    assert page.locator("#error").count() == 0  # not a banner: the pattern may just be half typed
    shot(page, "search-regex-error.png")
    page.fill("#search", "[37]")
    page.press("#search", "Enter")
    page.wait_for_function("window.embedscope.store.get().searchError === null")
    assert page.locator("#search-error").count() == 0
    assert store(page, "s.selectionSource") == "search"


def test_a_selection_from_outside_is_listed_as_selected(page: Any) -> None:
    # what the notebook's set-selection message does (embed.ts): a selection with no source in the page
    page.evaluate("window.embedscope.store.set({ selection: [4, 8, 15], selectionSource: null })")
    page.locator("#match-list li").first.wait_for()
    assert page.locator("#selection-heading").inner_text() == "Selected"
    assert page.locator("#match-list li").count() == 3
