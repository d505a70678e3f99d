"""openapi.py: the schema the page's TypeScript types are generated from is the one the app serves."""

from __future__ import annotations

import json
from typing import Any

import pytest

from embedscope.server import openapi


def test_main_prints_the_schema_the_app_serves(capsys: pytest.CaptureFixture[str], client: Any) -> None:
    openapi.main()
    printed = json.loads(capsys.readouterr().out)
    assert printed == client.get("/openapi.json").json()
    assert "/api/runs" in printed["paths"]
    assert "ErrorDetail" in printed["components"]["schemas"]


def test_the_schema_does_not_depend_on_the_data() -> None:
    assert json.dumps(openapi.schema()) == json.dumps(openapi.schema())
