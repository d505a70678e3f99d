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


def test_the_api_page_uses_the_shipped_swagger_ui(make_client, monkeypatch, tmp_path: Path, expect_error) -> None:
    """/docs works offline: its script and style come from the built page's api-docs/, not a CDN."""
    web = tmp_path / "web"
    (web / "api-docs").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>app</title>")
    (web / "api-docs" / "swagger-ui-bundle.js").write_text("window.SwaggerUIBundle = () => {}")
    (web / "api-docs" / "swagger-ui.css").write_text("body {}")
    monkeypatch.setattr(static, "WEB_DIR", web)
    client = make_client()
    page = client.get("/docs").text
    assert 'src="api-docs/swagger-ui-bundle.js"' in page and 'href="api-docs/swagger-ui.css"' in page
    assert "cdn" not in page.lower() and "openapi.json" in page
    script = client.get("/api-docs/swagger-ui-bundle.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    expect_error(client.get("/api-docs/../index.html"), 404, "not_found")
    expect_error(client.get("/redoc"), 404, "not_found")  # ReDoc would need a CDN: not offered


def test_without_a_built_page_the_api_page_falls_back_to_fastapis(make_client, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(static, "WEB_DIR", tmp_path / "no-web")
    page = make_client().get("/docs").text
    assert "swagger-ui-bundle.js" in page and "api-docs/" not in page
