import pytest

from embedscope.errors import (
    AccessDeniedError,
    EmbedscopeError,
    FormatError,
    MissingExtraError,
    NotFoundError,
    ParameterError,
    require,
)


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


@pytest.mark.parametrize(
    ("cls", "status"),
    [(FormatError, 400), (NotFoundError, 404), (ParameterError, 422), (AccessDeniedError, 403)],
)
def test_each_kind_knows_its_status(cls, status):
    assert cls("x").status == status
    assert issubclass(cls, EmbedscopeError)
    assert cls("x").exit_code == 1


def test_require_names_the_extra():
    with pytest.raises(MissingExtraError, match=r'pip install "embedscope\[torch\]"'):
        require("surely_not_installed_module_xyz", extra="torch", purpose="Reading legacy .pt files")
