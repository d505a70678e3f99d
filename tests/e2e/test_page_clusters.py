"""Cluster labels on the page, in headless Chromium: "Label clusters" on a UMAP of the digits names the clusters on
the plot (coarse groups zoomed out, their parts zoomed in, never overlapping), a click selects a cluster's points, a
double-click renames it and the server keeps the name; the clusters are columns to colour by.

Screenshots go to /tmp/e2e/.
"""

from __future__ import annotations

from typing import Any

import pytest
from page_helpers import shot, store, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LABELS = "#cluster-labels .cluster-label"


def umap_with_clusters(page: Any) -> None:
    page.click("#tab-umap")
    page.click("#umap-run")
    wait_done(page, 120_000)
    page.check("#clusters-on")
    page.locator(LABELS).first.wait_for(timeout=60_000)


def boxes(page: Any) -> list[dict[str, float]]:
    return page.locator(LABELS).evaluate_all(
        "(els) => els.map((e) => { const r = e.getBoundingClientRect(); "
        "return {x: r.left, y: r.top, w: r.width, h: r.height, text: e.textContent}; })"
    )


def test_clusters_are_named_on_the_map_and_the_level_follows_the_zoom(page: Any) -> None:
    umap_with_clusters(page)
    clusters = store(page, "s.clusters")
    assert clusters["levels"] == 3 and clusters["base_level"] == 1 and clusters["label_kind"] == "categorical"
    names = {c["label"] for c in clusters["clusters"]}
    shown = boxes(page)
    assert shown and {b["text"] for b in shown} <= names
    for a in shown:  # placed without overlap
        for b in shown:
            if a is not b:
                apart = (
                    a["x"] + a["w"] <= b["x"]
                    or b["x"] + b["w"] <= a["x"]
                    or a["y"] + a["h"] <= b["y"]
                    or b["y"] + b["h"] <= a["y"]
                )
                assert apart, (a, b)
    assert "13 clusters, 33 parts in 4 groups" in page.locator("#cluster-summary").inner_text()
    shot(page, "clusters-digits.png")
    for _ in range(6):  # zoomed far out: the clusters' labels would crowd, the groups are named
        page.locator("#scatter").press("-")
    page.wait_for_function("document.querySelector('#cluster-labels')?.dataset.level === '0'", timeout=10_000)
    coarse = {c["label"] for c in clusters["clusters"] if c["level"] == 0}
    assert {b["text"] for b in boxes(page)} <= coarse
    page.click("#reset-view")
    # zoomed in on a cluster: it is named, and its parts where they say more than its name
    biggest = max((c for c in clusters["clusters"] if c["level"] == 1), key=lambda c: c["size"])
    box = page.locator("#scatter canvas").bounding_box()
    x, y = page.evaluate("(i) => window.embedscope.view.screenPosition(i)", biggest["row"])
    page.mouse.move(box["x"] + x, box["y"] + y)
    for _ in range(4):
        page.mouse.wheel(0, -120)
        page.wait_for_timeout(150)
    page.wait_for_function("Number(document.querySelector('#cluster-labels')?.dataset.level) > 0", timeout=10_000)
    shot(page, "clusters-zoomed.png")


def test_a_label_selects_its_cluster_and_takes_a_new_name(page: Any, server: str) -> None:
    umap_with_clusters(page)
    clusters = store(page, "s.clusters")
    label = page.locator(f"{LABELS}[data-level='{clusters['base_level']}']").first  # one of HDBSCAN's clusters
    cluster_id = int(label.get_attribute("data-cluster"))
    size = next(c["size"] for c in clusters["clusters"] if c["id"] == cluster_id)
    label.click()
    page.wait_for_function("window.embedscope.store.get().selectionSource === 'cluster'")
    assert len(store(page, "s.selection")) == size
    assert page.locator("#selection-heading").inner_text() == "Points of this cluster"
    label.dblclick()
    page.fill(".cluster-rename", "my loops")
    page.press(".cluster-rename", "Enter")
    page.wait_for_function(
        "[...document.querySelectorAll('#cluster-labels .cluster-label')].some((e) => e.textContent === 'my loops')"
    )
    renamed = next(c for c in store(page, "s.clusters")["clusters"] if c["id"] == cluster_id)
    assert renamed["label"] == "my loops" and renamed["renamed"]
    # the clusters are columns like any other: colour by their names
    page.select_option("#color-by", "cat:cluster_label")
    page.wait_for_function("window.embedscope.store.get().columns.cluster_label?.includes('my loops')")
    assert page.locator("#legend").inner_text().count("my loops") == 1
    # a new page finds the same clusters, and the server kept the name
    page.reload()
    page.wait_for_function("window.embedscope?.store.get().coords !== null", timeout=60_000)
    umap_with_clusters(page)
    page.wait_for_function(
        "window.embedscope.store.get().clusters?.clusters.some((c) => c.label === 'my loops' && c.renamed)"
    )
    label = page.locator(f"{LABELS}[data-cluster='{cluster_id}']")  # the same view: the same place
    assert label.inner_text() == "my loops"
    label.dblclick()  # an empty name gives back the one made from the cluster's terms
    page.fill(".cluster-rename", "")
    page.press(".cluster-rename", "Enter")
    made = next(c["label"] for c in clusters["clusters"] if c["id"] == cluster_id)
    page.wait_for_function(
        f"window.embedscope.store.get().clusters?.clusters.some((c) => c.id === {cluster_id} && !c.renamed)"
    )
    assert label.inner_text() == made
