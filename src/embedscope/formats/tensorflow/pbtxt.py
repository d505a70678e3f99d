"""The protocol-buffer text format, as far as projector_config.pbtxt and TensorFlow's `checkpoint` files use it.

Parses nested messages (`name { ... }`, `name: { ... }`, `name < ... >`), scalar fields (`name: value`),
repeated fields (written again, or as `name: [a, b]`), quoted strings with C escapes (octal, hex, \\u), adjacent
string concatenation, integers, floats, identifiers (enums, true/false) and `#` comments. A schema checks field
names and types; every error names the line and column. `dumps` writes the same subset back.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TypeAlias

from ...errors import FormatError
from ...files import read_regular


class Identifier(str):
    """A bare word value (an enum name, true, false, inf)."""


Scalar: TypeAlias = str | int | float | bool
Value: TypeAlias = "str | int | float | bool | Message"
# A schema maps field names to (type, repeated); type is "string", "int", "uint", "float", "bool" or a sub-schema.
Schema: TypeAlias = "Mapping[str, tuple[str | Schema, bool]]"


@dataclass
class Field:
    name: str
    value: Value
    line: int
    column: int


@dataclass
class Message:
    fields: list[Field] = field(default_factory=list)
    line: int = 1

    def add(self, name: str, value: Value) -> Message:
        self.fields.append(Field(name, value, 0, 0))
        return self

    def all(self, name: str) -> list[Value]:
        return [f.value for f in self.fields if f.name == name]

    def get(self, name: str, default: Value | None = None) -> Value | None:
        found = self.all(name)
        return found[-1] if found else default

    def string(self, name: str) -> str:
        value = self.get(name, "")
        return value if isinstance(value, str) else str(value)

    def messages(self, name: str) -> list[Message]:
        return [v for v in self.all(name) if isinstance(v, Message)]

    def where(self, name: str) -> tuple[int, int]:
        for f in self.fields:
            if f.name == name:
                return f.line, f.column
        return self.line, 1


_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\f\v]+) | (?P<newline>\n) | (?P<comment>\#[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<number>-?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fF]?)(?![A-Za-z_0-9]))
  | (?P<word>-?[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[{}<>\[\]:,;./])
    """,
    re.VERBOSE,
)
_SIMPLE_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, "'": 39, '"': 34, "?": 63}
_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|[xX]([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))")


@dataclass
class _Token:
    kind: str
    text: str
    line: int
    column: int


class _Parser:
    def __init__(self, text: str, path: str | PathLike[str] | None) -> None:
        self.path = path
        self.tokens = list(self._tokenize(text))
        self.pos = 0

    def error(self, message: str, token: _Token | None = None, *, fix: str | None = None) -> FormatError:
        tok = token or self.peek()
        return FormatError(message, path=self.path, line=tok.line, column=tok.column, fix=fix)

    def _tokenize(self, text: str) -> Iterator[_Token]:
        line, line_start, pos = 1, 0, 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            column = pos - line_start + 1
            if match is None:
                char = text[pos]
                what = "unterminated string" if char in "'\"" else f"unexpected character {char!r}"
                raise FormatError(what, path=self.path, line=line, column=column)
            kind = match.lastgroup or ""
            if kind == "newline":
                line, line_start = line + 1, match.end()
            elif kind not in ("space", "comment"):
                yield _Token(kind, match.group(), line, column)
            pos = match.end()
        yield _Token("end", "", line, pos - line_start + 1)

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def accept(self, text: str) -> bool:
        if self.peek().kind == "punct" and self.peek().text == text:
            self.pos += 1
            return True
        return False

    def message(self, close: str | None, line: int) -> Message:
        msg = Message(line=line)
        while True:
            tok = self.peek()
            if tok.kind == "end":
                if close is not None:
                    raise self.error(f"expected {close!r} to close the message opened on line {line}, found the end")
                return msg
            if close is not None and tok.kind == "punct" and tok.text == close:
                self.pos += 1
                return msg
            self.field(msg)
            if not self.accept(","):
                self.accept(";")

    def field(self, msg: Message) -> None:
        name = self.take()
        if name.kind != "word" or name.text.startswith("-"):
            if name.kind == "punct" and name.text == "[":
                raise self.error("extension and Any fields ([type.name]) are not supported", name)
            raise self.error(f"expected a field name, found {name.text!r}", name)
        colon = self.accept(":")
        tok = self.peek()
        if tok.kind == "punct" and tok.text in "{<":
            self.pos += 1
            value = self.message("}" if tok.text == "{" else ">", tok.line)
            msg.fields.append(Field(name.text, value, name.line, name.column))
            return
        if not colon:
            raise self.error(f"expected ':' or '{{' after field name {name.text!r}, found {tok.text!r}", tok)
        if self.accept("["):
            if self.accept("]"):
                return
            while True:
                msg.fields.append(Field(name.text, self.value(), name.line, name.column))
                if self.accept("]"):
                    return
                if not self.accept(","):
                    raise self.error(f"expected ',' or ']' in the list for {name.text!r}, found {self.peek().text!r}")
        msg.fields.append(Field(name.text, self.value(), name.line, name.column))

    def value(self) -> Value:
        tok = self.peek()
        if tok.kind == "punct" and tok.text in "{<":
            self.pos += 1
            return self.message("}" if tok.text == "{" else ">", tok.line)
        if tok.kind == "string":
            parts = []
            while self.peek().kind == "string":
                parts.append(self._unquote(self.take()))
            return "".join(parts)
        self.pos += 1
        if tok.kind == "number":
            return _number(tok.text)
        if tok.kind == "word":
            return Identifier(tok.text)
        raise self.error(f"expected a value, found {tok.text or 'the end'!r}", tok)

    def _unquote(self, tok: _Token) -> str:
        body = tok.text[1:-1]
        out = bytearray()
        pos = 0
        for match in _ESCAPE.finditer(body):
            out += body[pos : match.start()].encode("utf-8")
            octal, hexa, u4, u8, other = match.groups()
            if octal or hexa:
                out.append(int(octal, 8) & 0xFF if octal else int(hexa, 16))
            elif u4 or u8:
                try:
                    out += chr(int(u4 or u8, 16)).encode("utf-8")
                except (ValueError, UnicodeEncodeError):
                    raise self.error(f"invalid escape \\{match.group()[1:]!s} in string", tok) from None
            elif other in _SIMPLE_ESCAPES:
                out.append(_SIMPLE_ESCAPES[other])
            else:
                raise self.error(f"invalid escape \\{other} in string", tok)
            pos = match.end()
        out += body[pos:].encode("utf-8")
        try:
            return out.decode("utf-8")
        except UnicodeDecodeError:
            raise self.error("string is not valid UTF-8 once its escapes are decoded", tok) from None


def _number(text: str) -> int | float:
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("-")
    if digits[:2].lower() == "0x":
        return sign * int(digits, 16)
    if re.fullmatch(r"0[0-7]+", digits):
        return sign * int(digits, 8)
    if re.fullmatch(r"\d+", digits):
        return sign * int(digits)
    return float(text.rstrip("fF"))


def parse(text: str, *, path: str | PathLike[str] | None = None, schema: Schema | None = None) -> Message:
    """Parse text-format protobuf; with `schema`, check field names, types and repetition too."""
    parser = _Parser(text, path)
    message = parser.message(None, 1)
    if schema is not None:
        check(message, schema, path=path)
    return message


def read(path: str | Path, *, schema: Schema | None = None, root: Path | None = None) -> Message:
    """Parse a text-proto file (UTF-8, with or without BOM): a regular file, under `root` when given."""
    raw = read_regular(path, root=root, what="text-format protobuf file")
    try:
        text = codecs.decode(raw, "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FormatError(
            "is not UTF-8 text", path=path, line=line, fix="text-format protobuf files are UTF-8"
        ) from None
    return parse(text, path=path, schema=schema)


_BOOLS = {"true": True, "t": True, "True": True, "false": False, "f": False, "False": False}
_FLOATS = {"inf": float("inf"), "infinity": float("inf"), "nan": float("nan")}


def _coerce(value: Value, kind: str) -> Value | None:
    """The value as `kind`, or None when it is not one."""
    if kind == "string":
        return value if isinstance(value, str) and not isinstance(value, Identifier) else None
    if kind in ("int", "uint"):
        ok = isinstance(value, int) and not isinstance(value, bool) and (kind == "int" or value >= 0)
        return value if ok else None
    if kind == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, Identifier):
            word = value.lower()
            return -_FLOATS[word[1:]] if word.startswith("-") and word[1:] in _FLOATS else _FLOATS.get(word)
        return None
    if kind == "bool":
        if isinstance(value, Identifier) and value in _BOOLS:
            return _BOOLS[value]
        return bool(value) if isinstance(value, int) and value in (0, 1) else None
    return None


def check(message: Message, schema: Schema, *, path: str | PathLike[str] | None = None) -> None:
    """Check names, types and repetition against `schema`, converting scalars in place (enums, bools, floats)."""
    seen: set[str] = set()
    for f in message.fields:
        if f.name not in schema:
            raise FormatError(
                f"unknown field `{f.name}`",
                path=path,
                line=f.line,
                column=f.column,
                fix=f"expected one of {', '.join(sorted(schema))}",
            )
        kind, repeated = schema[f.name]
        if not repeated and f.name in seen:
            raise FormatError(f"field `{f.name}` is given twice; it holds one value", path=path, line=f.line)
        seen.add(f.name)
        if isinstance(kind, Mapping):
            if not isinstance(f.value, Message):
                raise FormatError(
                    f"field `{f.name}` must be a message {{ ... }}, found {f.value!r}", path=path, line=f.line
                )
            check(f.value, kind, path=path)
            continue
        coerced = None if isinstance(f.value, Message) else _coerce(f.value, kind)
        if coerced is None:
            shown = "a message" if isinstance(f.value, Message) else repr(f.value)
            wanted = {"string": "a quoted string", "uint": "a non-negative integer"}.get(kind, f"a {kind}")
            raise FormatError(
                f"field `{f.name}` must be {wanted}, found {shown}", path=path, line=f.line, column=f.column
            )
        f.value = coerced


def _quote(text: str) -> str:
    out = []
    for char in text:
        code = ord(char)
        if char in "\\\"'":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\{code:03o}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _scalar(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Identifier):
        return str(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and abs(value) == float("inf"):
        return "-inf" if value < 0 else "inf"
    return repr(value) if isinstance(value, float) else str(value)


def dumps(message: Message, *, indent: int = 0) -> str:
    """Write `message` as text-format protobuf, one field per line, nested messages indented by two spaces."""
    pad = "  " * indent
    lines = []
    for f in message.fields:
        if isinstance(f.value, Message):
            lines.append(f"{pad}{f.name} {{\n{dumps(f.value, indent=indent + 1)}{pad}}}\n")
        else:
            lines.append(f"{pad}{f.name}: {_scalar(f.value)}\n")
    return "".join(lines)
