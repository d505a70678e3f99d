"""`/`: the built web app when there is one, else a placeholder page that points to /docs."""

from __future__ import annotations

from pathlib import Path

from embedscope.server.routes import static


def test_placeholder_until_the_web_app_is_built(make_client, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(static, "WEB_DIR", tmp_path / "no-web")
    response = make_client().get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "later release" in response.text
    assert 'href="docs"' in response.text


def test_built_web_app_is_served(make_client, monkeypatch, tmp_path: Path, expect_error) -> None:
    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>app</title>")
    (web / "assets" / "index-abc.js").write_text("export {}")
    monkeypatch.setattr(static, "WEB_DIR", web)
    client = make_client()
    assert client.get("/").text == "<!doctype html><title>app</title>"
    asset = client.get("/assets/index-abc.js")
    assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]
    expect_error(client.get("/assets/missing.js"), 404, "not_found")
    assert client.get("/api/runs").status_code == 200
    assert client.get("/docs").status_code == 200


def test_placeholder_ships_with_the_package() -> None:
    assert static.PLACEHOLDER.is_file()
    assert static.PLACEHOLDER.parent.parent == Path(static.__file__).resolve().parents[2]
