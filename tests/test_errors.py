import ast
from pathlib import Path

import pytest

from embedscope import errors
from embedscope.errors import (
    AccessDeniedError,
    ConflictError,
    EmbedscopeError,
    ForbiddenError,
    FormatError,
    JobCrashedError,
    JobStateError,
    MissingExtraError,
    NotFoundError,
    ParameterError,
    PayloadTooLargeError,
    ServerStartError,
    StorageError,
    UnauthorizedError,
    error_body,
    require,
)

SRC = Path(errors.__file__).parent


def test_message_says_where_what_and_fix():
    err = FormatError("expected 300 tab-separated numbers, found 299", path="vectors.tsv", line=17, fix="fix the row")
    assert str(err) == "vectors.tsv line 17: expected 300 tab-separated numbers, found 299; fix the row"


def test_where_with_column_and_field():
    assert FormatError("bad", path="a.csv", line=2, column=3).describe() == "a.csv line 2, column 3: bad"
    assert ParameterError("too big", field="k").describe() == "field `k`: too big"


def test_one_json_shape():
    body = NotFoundError("no such tensor", path="ckpt", fix="choose one of ['a']").to_dict()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"kind", "message", "path", "line", "column", "field", "fix"}
    assert body["error"]["kind"] == "not_found"


def test_error_body_is_the_shape_to_dict_gives():
    assert error_body("internal", "boom", fix="report it") == {
        "error": {
            "kind": "internal",
            "message": "boom",
            "path": None,
            "line": None,
            "column": None,
            "field": None,
            "fix": "report it",
        }
    }
    err = ParameterError("too big", field="k", fix="use 10")
    assert err.to_dict() == error_body("parameter", err.describe(), field="k", fix="use 10")


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (FormatError, 400),
        (NotFoundError, 404),
        (ParameterError, 422),
        (AccessDeniedError, 403),
        (ConflictError, 409),
        (UnauthorizedError, 401),
        (ForbiddenError, 403),
        (PayloadTooLargeError, 413),
        (StorageError, 507),
        (JobStateError, 409),
        (JobCrashedError, 500),
        (ServerStartError, 500),
    ],
)
def test_each_kind_knows_its_status(cls, status):
    assert cls("x").status == status
    assert issubclass(cls, EmbedscopeError)
    assert cls("x").exit_code == 1


def test_require_names_the_extra():
    with pytest.raises(MissingExtraError, match=r'pip install "embedscope\[torch\]"'):
        require("surely_not_installed_module_xyz", extra="torch", purpose="Reading legacy .pt files")


def test_every_public_error_kind_is_defined_in_errors_py():
    """Kinds raised to users live in errors.py; elsewhere only private helpers (a leading underscore) may subclass."""
    names = {
        node.name
        for path in SRC.rglob("*.py")
        if path != SRC / "errors.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and node.name.endswith("Error")
        and not node.name.startswith("_")
        and any(getattr(base, "id", "").endswith("Error") for base in node.bases)
    }
    assert not names, f"define these in errors.py: {sorted(names)}"
