"""make_app: one JSON error shape for every 4xx/5xx (pinned here over every kind of error), and no 500 for a user."""

from __future__ import annotations

import logging

import pytest

from embedscope.errors import AmbiguousError


def test_error_shape_is_one_shape_for_every_kind(make_client, expect_error) -> None:
    client = make_client()
    app = client.app

    def boom() -> None:
        raise RuntimeError("a bug")

    def ambiguous() -> None:
        raise AmbiguousError("two points carry 'x'", field="query", fix="give the row as #INDEX")

    app.router.add_api_route("/api/test/boom", boom)
    app.router.add_api_route("/api/test/ambiguous", ambiguous)
    base = "/api/runs/r0/embeddings/e0"
    cases = [
        (client.get("/api/nowhere"), 404, "not_found"),  # unknown route
        (client.get("/api/runs/r9/embeddings/e0"), 404, "not_found"),  # NotFoundError from the state
        (client.post(f"{base}/neighbors", json={"query": 0, "k": 0}), 422, "parameter"),  # request validation
        (client.post(f"{base}/neighbors", json={"query": 0, "k": 8}), 422, "parameter"),  # library ParameterError
        (
            client.post(f"{base}/neighbors", content=b"{not json", headers={"content-type": "application/json"}),
            422,
            "parameter",
        ),
        (client.get(f"{base}/search", params={"q": "(", "mode": "regex"}), 400, "parameter"),  # bad pattern
        (client.get("/api/test/ambiguous"), 409, "ambiguous"),
        (client.delete("/api/runs"), 405, "method_not_allowed"),
        (
            client.put("/api/bookmarks/x", content=b"x" * 100, headers={"content-type": "application/json"}),
            422,
            "parameter",
        ),
        (client.get("/api/test/boom"), 500, "internal"),
    ]
    for response, status, kind in cases:
        expect_error(response, status, kind)


def test_validation_errors_name_the_parameter(client, expect_error) -> None:
    error = expect_error(
        client.post("/api/runs/r0/embeddings/e0/neighbors", json={"query": 0, "k": 5000}), 422, "parameter", match="`k`"
    )
    assert error["field"] == "k"
    assert "5000" in error["message"]


def test_library_errors_keep_their_message_and_fix(client, expect_error) -> None:
    error = expect_error(
        client.post("/api/runs/r0/embeddings/e0/neighbors", json={"query": "nobody"}),
        404,
        "not_found",
        match="no point labelled 'nobody'",
    )
    assert error["fix"]


def test_unexpected_exception_is_logged_500_without_a_traceback(make_client, expect_error, caplog) -> None:
    client = make_client()

    def boom() -> None:
        raise ZeroDivisionError("secret detail")

    client.app.router.add_api_route("/api/test/boom", boom)
    with caplog.at_level(logging.ERROR, logger="embedscope.server.app"):
        error = expect_error(client.get("/api/test/boom"), 500, "internal")
    assert "secret detail" not in error["message"]
    assert "ZeroDivisionError" in error["message"]
    assert any("GET /api/test/boom failed" in r.getMessage() for r in caplog.records)


def test_openapi_schema_lists_the_routes(client) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/runs",
        "/api/runs/{run}/embeddings/{tensor}",
        "/api/runs/{run}/embeddings/{tensor}/metadata",
        "/api/runs/{run}/embeddings/{tensor}/sprite",
        "/api/runs/{run}/embeddings/{tensor}/sprite.png",
        "/api/runs/{run}/embeddings/{tensor}/neighbors",
        "/api/runs/{run}/embeddings/{tensor}/analogy",
        "/api/runs/{run}/embeddings/{tensor}/search",
        "/api/runs/{run}/embeddings/{tensor}/export",
        "/api/bookmarks",
        "/api/bookmarks/{name}",
        "/api/runs/{run}/embeddings/{tensor}/projections",
    ):
        assert path in paths, path
    error = schema["components"]["schemas"]["ErrorBody"]
    assert error["properties"]["error"]["$ref"].endswith("ErrorDetail")
    assert "404" in paths["/api/runs/{run}/embeddings/{tensor}"]["get"]["responses"]


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
def test_docs_are_served(client, path: str) -> None:
    assert client.get(path).status_code == 200
