"""The token cookie is one per server: two exposed servers of one host (cookies ignore ports) keep their own."""

from __future__ import annotations

from typing import Any

import httpx


def test_two_live_servers_of_one_host_keep_their_own_token_cookie(start_live: Any, data: Any) -> None:
    first = start_live(data(), token="first-token").split("/?")[0]
    second = start_live(data(), token="second-token").split("/?")[0]
    with httpx.Client(timeout=30) as browser:  # one cookie jar for the host 127.0.0.1, as a browser has
        one = browser.get(f"{first}/", params={"token": "first-token"})
        two = browser.get(f"{second}/", params={"token": "second-token"})
        port_one, port_two = (int(url.rsplit(":", 1)[1]) for url in (first, second))
        assert one.headers["set-cookie"].startswith(f"embedscope_token_{port_one}=first-token;")
        assert two.headers["set-cookie"].startswith(f"embedscope_token_{port_two}=second-token;")
        assert browser.get(f"{first}/api/runs").status_code == 200  # the second visit did not log out the first
        assert browser.get(f"{second}/api/runs").status_code == 200
    stolen = httpx.get(f"{second}/api/runs", headers={"Cookie": f"embedscope_token_{port_one}=first-token"})
    assert stolen.status_code == 401  # one server's cookie is not the other's
