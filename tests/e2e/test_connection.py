"""A lost connection: when the server stops answering, a banner says so, the page tries again with backoff, and it
recovers by itself when the server is back (requests refused by the browser, then a real server stopped and started
again on the same port during a t-SNE run).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from page_helpers import INK, Served, api, fresh_page, screen_positions, shot, store

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_banner_while_requests_fail_then_recovery(page: Any, server: str) -> None:
    page.route("**/api/**", lambda route: route.abort())
    page.fill("#search", "5")
    page.press("#search", "Enter")
    banner = page.locator("#connection-banner")
    banner.wait_for(timeout=10_000)
    assert "Lost connection to the server" in banner.inner_text()
    assert page.locator("#error").count() == 0  # the banner says it once, not an error per request
    page.wait_for_function("window.embedscope.store.get().offline?.attempt >= 1", timeout=10_000)  # it tried again
    shot(page, "connection-lost.png")
    page.unroute("**/api/**")
    banner.wait_for(state="detached", timeout=20_000)
    expected = api(server, "api/runs/r0/embeddings/e0/search?q=5&column=label")["count"]
    page.fill("#search", "55")
    page.fill("#search", "5")
    page.press("#search", "Enter")
    page.wait_for_function(
        "(n) => document.querySelector('#selection-count').textContent === `${n} points selected`", arg=expected
    )


@pytest.fixture
def restartable(tmp_path_factory: pytest.TempPathFactory, server: str) -> Iterator[Served]:
    from embedscope.demo import digits

    root = tmp_path_factory.mktemp("restart")
    served = Served(digits().save(root / "logdir"), root)
    served.start()
    try:
        yield served
    finally:
        served.stop()


def test_server_restart_during_tsne(browser: Any, restartable: Served) -> None:
    with fresh_page(browser, restartable.url) as (page, errors):
        page.click("#tab-tsne")
        page.fill("#tsne-iterations", "1000")
        page.press("#tsne-iterations", "Tab")
        page.click("#tsne-run")
        page.wait_for_function("window.embedscope.store.get().job?.iteration > 0", timeout=120_000)
        port = restartable.port
        restartable.stop()  # the job's WebSocket drops
        page.locator("#connection-banner").wait_for(timeout=20_000)
        shot(page, "connection-restart-lost.png")
        restartable.port = port
        restartable.start()
        assert restartable.port == port
        page.locator("#connection-banner").wait_for(state="detached", timeout=30_000)
        # the page asked the new server for the projection again, and it finished and drew
        page.wait_for_function(
            "(() => { const s = window.embedscope.store.get();"
            " return s.job?.method === 'tsne' && s.job.state === 'done' && s.busy === null; })()",
            timeout=180_000,
        )
        assert page.locator("#error").count() == 0
        assert store(page, "s.job.params.n_iter") == 1000
        census = page.evaluate(INK, screen_positions(page, list(range(0, 1797, 60))))
        assert all(ink > 0 for ink in census["at"])
        shot(page, "connection-restart-recovered.png")
    assert not errors, errors
