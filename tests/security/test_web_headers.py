"""No site may show the page in a frame (clickjacking) except the Jupyter widget's notebook, and no answer may be
sniffed into another type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

URLS = ["/", "/api/runs", "/api/nowhere", "/api/runs/r0/embeddings/e0/metadata", "/docs", "/openapi.json"]


@pytest.mark.parametrize("url", URLS)
def test_every_answer_refuses_frames_and_sniffing(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["referrer-policy"] == "no-referrer"  # the token may ride in the URL


def test_refusals_carry_the_headers_too(make_client: Callable[..., Any]) -> None:
    client = make_client(token="tok")
    refused = client.get("/")
    assert refused.status_code == 401
    assert refused.headers["x-frame-options"] == "DENY" and refused.headers["x-content-type-options"] == "nosniff"
    too_large = make_client(max_upload_bytes=10).post("/api/runs/r0/embeddings/e0/metadata", content=b"x" * 100)
    assert too_large.status_code == 413 and too_large.headers["x-frame-options"] == "DENY"


def test_the_widgets_server_may_be_framed_by_the_notebook_only(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("anywidget")
    import numpy as np

    from embedscope.jupyter import show

    monkeypatch.delenv("EMBEDSCOPE_JUPYTER_PROXY", raising=False)
    monkeypatch.setenv("EMBEDSCOPE_FRAME_ANCESTORS", "http://notebook.lan:8888")
    widget = show(np.eye(5, 3, dtype=np.float32), key="headers-test")
    try:
        response = httpx.get(f"http://127.0.0.1:{widget.port}/?embed=1", timeout=30)
        policy = response.headers["content-security-policy"]
        assert policy.startswith("frame-ancestors 'self' http://localhost:* http://127.0.0.1:*"), policy
        assert policy.endswith(" http://notebook.lan:8888")
        assert "*" not in policy.replace(":*", "")  # no wildcard host: only the notebook's origins
        assert "x-frame-options" not in response.headers  # it would forbid what the policy allows
        assert response.headers["x-content-type-options"] == "nosniff"
    finally:
        widget.close()
