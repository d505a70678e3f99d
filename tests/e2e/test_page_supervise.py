"""Supervised t-SNE from the page, in headless Chromium: the t-SNE panel's "Supervise" sends the column, strength and
unlabelled value with the run (compute/supervise.py does the rest; tests/compute/test_supervise.py measures it)."""

from __future__ import annotations

from typing import Any

import pytest
from page_helpers import store, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_tsne_panel_runs_a_supervised_tsne(page: Any) -> None:
    page.click("#tab-tsne")
    page.select_option("#tsne-supervise", "label")
    page.fill("#tsne-supervise-strength", "0.8")
    page.press("#tsne-supervise-strength", "Tab")
    page.fill("#tsne-iterations", "250")
    page.press("#tsne-iterations", "Tab")
    page.click("#tsne-run")
    wait_done(page, 120_000)
    params = store(page, "s.job.params")
    assert params["supervise"] == "label" and params["supervise_strength"] == 0.8 and params["supervise_ignore"] == ""
    page.wait_for_function("location.hash.includes('sup=label') && location.hash.includes('sups=0.8')")
    page.select_option("#tsne-supervise", "")
    assert page.locator("#tsne-supervise-strength").count() == 0


def test_perturb_nudges_a_running_tsne(page: Any) -> None:
    page.click("#tab-tsne")
    assert page.locator("#tsne-perturb").is_disabled()  # nothing running
    page.fill("#tsne-iterations", "5000")
    page.press("#tsne-iterations", "Tab")
    page.click("#tsne-run")
    page.wait_for_function("window.embedscope.store.get().job?.state === 'running'", timeout=60_000)
    page.locator("#tsne-perturb").wait_for(state="visible")
    page.wait_for_function("!document.querySelector('#tsne-perturb').disabled")
    page.click("#tsne-perturb")
    page.wait_for_timeout(500)
    assert store(page, "s.error") is None
    page.click("#tsne-stop")
    page.wait_for_function("window.embedscope.store.get().job?.state === 'cancelled'", timeout=30_000)


def test_perturb_on_a_finished_tsne_settles_it_again(page: Any) -> None:
    """A finished t-SNE perturbed: a new job goes on from its layout plus noise; the page follows it to the end."""
    page.click("#tab-tsne")
    page.fill("#tsne-iterations", "250")
    page.press("#tsne-iterations", "Tab")
    page.click("#tsne-run")
    wait_done(page, 120_000)
    first = store(page, "s.job.id")
    before = store(page, "Array.from(s.coords.data.slice(0, 20))")
    page.click("#tsne-perturb")
    page.wait_for_function("(id) => window.embedscope.store.get().job?.id !== id", arg=first, timeout=30_000)
    wait_done(page, 120_000)
    summary = store(page, "s.job.summary")
    assert summary["perturbed"] == 1 and summary["continued_from"] == first
    assert store(page, "Array.from(s.coords.data.slice(0, 20))") != before
    assert store(page, "s.error") is None
