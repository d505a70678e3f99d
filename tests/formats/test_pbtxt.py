from __future__ import annotations

import math
from pathlib import Path

import pytest

from embedscope.errors import FormatError
from embedscope.formats.tensorboard.logdir import CONFIG_SCHEMA
from embedscope.formats.tensorflow import pbtxt

FIXTURES = Path(__file__).parent.parent / "fixtures" / "tf"


def test_reads_the_config_tensorboard_wrote():
    config = pbtxt.read(FIXTURES / "logdir_guide" / "projector_config.pbtxt", schema=CONFIG_SCHEMA)
    (entry,) = config.messages("embeddings")
    assert entry.string("tensor_name") == "embedding/.ATTRIBUTES/VARIABLE_VALUE"
    assert entry.string("metadata_path") == "metadata.tsv"
    sprite = entry.get("sprite")
    assert isinstance(sprite, pbtxt.Message)
    assert sprite.string("image_path") == "sprite.png"
    assert sprite.all("single_image_dim") == [4, 4]


def test_reads_a_tensorflow_checkpoint_state_file():
    state = pbtxt.read(FIXTURES / "tf1" / "checkpoint")
    assert state.string("model_checkpoint_path").endswith("tf1/model.ckpt-100")
    assert len(state.all("all_model_checkpoint_paths")) == 2


def test_syntax_variants():
    text = """
    # a comment
    model_checkpoint_path: 'a' "b"  # adjacent strings join
    embeddings: { tensor_name: "x", tensor_shape: [3, 0x4] ; }
    embeddings < tensor_name: "y" sprite { single_image_dim: 010 } >
    """
    config = pbtxt.parse(text, schema=CONFIG_SCHEMA)
    assert config.string("model_checkpoint_path") == "ab"
    first, second = config.messages("embeddings")
    assert first.all("tensor_shape") == [3, 4]
    assert second.string("tensor_name") == "y"
    sprite = second.get("sprite")
    assert isinstance(sprite, pbtxt.Message) and sprite.all("single_image_dim") == [8]


def test_scalars():
    msg = pbtxt.parse("a: -12 b: 1.5e3 c: 2.5f d: true e: ENUM_VALUE f: -inf g: []")
    assert msg.get("a") == -12
    assert msg.get("b") == 1500.0
    assert msg.get("c") == 2.5
    assert msg.get("d") == "true" and isinstance(msg.get("d"), pbtxt.Identifier)
    assert msg.get("e") == "ENUM_VALUE"
    assert msg.all("g") == []
    schema: pbtxt.Schema = {"d": ("bool", False), "f": ("float", False), "n": ("float", False)}
    checked = pbtxt.parse("d: true f: -inf n: nan", schema=schema)
    assert checked.get("d") is True
    assert checked.get("f") == -math.inf
    value = checked.get("n")
    assert isinstance(value, float) and math.isnan(value)


def test_escapes():
    msg = pbtxt.parse(r'''a: "caf\303\251 \x41\n\t\"q\" \\ \u00e9 \'"''')
    assert msg.string("a") == 'café A\n\t"q" \\ é \''


@pytest.mark.parametrize(
    ("text", "match", "line"),
    [
        ('a: "open\n', "unterminated string", 1),
        ("a {\n  b: 1\n", "expected '}' to close the message opened on line 1", 3),
        ("a: 1\nb 2\n", "expected ':' or '{' after field name 'b'", 2),
        ("a: 1\n\n: 2", "expected a field name, found ':'", 3),
        ("a: @", "unexpected character '@'", 1),
        ('a: "\\q"', r"invalid escape \\q", 1),
        ('a: "\\377"', "not valid UTF-8", 1),
        ("[ext.field]: 1", "extension and Any fields", 1),
        ("a: [1 2]", "expected ',' or ']'", 1),
    ],
)
def test_syntax_errors_name_the_line(text, match, line):
    with pytest.raises(FormatError, match=match) as info:
        pbtxt.parse(text, path="x.pbtxt")
    assert info.value.line == line
    assert info.value.path == "x.pbtxt"


@pytest.mark.parametrize(
    ("text", "match", "line"),
    [
        ('embeddings {\n  tensor_nam: "x"\n}', r"unknown field `tensor_nam`.*expected one of .*tensor_name", 2),
        ("embeddings {\n  tensor_shape: -3\n}", "field `tensor_shape` must be a non-negative integer, found -3", 2),
        ("embeddings {\n  tensor_name: 5\n}", "field `tensor_name` must be a quoted string, found 5", 2),
        ('model_checkpoint_path: "a"\nmodel_checkpoint_path: "b"', "given twice", 2),
        ('embeddings: "x"', "must be a message", 1),
        ("embeddings { sprite: 3 }", "field `sprite` must be a message", 1),
    ],
)
def test_schema_errors_name_the_line(text, match, line):
    with pytest.raises(FormatError, match=match) as info:
        pbtxt.parse(text, path="projector_config.pbtxt", schema=CONFIG_SCHEMA)
    assert info.value.line == line


def test_non_utf8_file(tmp_path):
    path = tmp_path / "projector_config.pbtxt"
    path.write_bytes(b'embeddings {\n  tensor_name: "\xff"\n}\n')
    with pytest.raises(FormatError, match="is not UTF-8 text") as info:
        pbtxt.read(path)
    assert info.value.line == 2


def test_bom_and_crlf(tmp_path):
    path = tmp_path / "projector_config.pbtxt"
    path.write_bytes(b'\xef\xbb\xbfembeddings {\r\n  tensor_name: "w"\r\n}\r\n')
    assert pbtxt.read(path, schema=CONFIG_SCHEMA).messages("embeddings")[0].string("tensor_name") == "w"


def test_dumps_round_trips():
    sprite = pbtxt.Message().add("image_path", "sprite.png").add("single_image_dim", 28).add("single_image_dim", 28)
    entry = pbtxt.Message().add("tensor_name", 'we"ird\\name\n\x01 猫').add("tensor_shape", 10).add("sprite", sprite)
    message = pbtxt.Message().add("embeddings", entry).add("x", 1.5).add("y", True).add("z", pbtxt.Identifier("LITTLE"))
    text = pbtxt.dumps(message)
    assert text.startswith('embeddings {\n  tensor_name: "we\\"ird\\\\name\\n\\001 猫"\n')
    assert '  sprite {\n    image_path: "sprite.png"\n    single_image_dim: 28\n' in text
    again = pbtxt.parse(text)
    assert pbtxt.dumps(again) == text
    assert again.messages("embeddings")[0].string("tensor_name") == 'we"ird\\name\n\x01 猫'
    assert "y: true\nz: LITTLE\n" in text


def test_where_gives_field_lines():
    msg = pbtxt.parse('\n\nembeddings {\n  metadata_path: "m"\n}')
    entry = msg.messages("embeddings")[0]
    assert entry.line == 3
    assert entry.where("metadata_path") == (4, 3)
