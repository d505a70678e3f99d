"""files.open_regular: regular files only, never blocking on a FIFO, and confined to a root on the open descriptor."""

from __future__ import annotations

import os

import pytest

from embedscope.errors import AccessDeniedError, FormatError, NotFoundError
from embedscope.files import is_regular, open_regular, read_regular


def test_reads_a_regular_file_under_its_root(tmp_path):
    (tmp_path / "a.txt").write_text("hello\n")
    assert read_regular(tmp_path / "a.txt", root=tmp_path) == b"hello\n"
    with open_regular(tmp_path / "a.txt", text=True) as handle:
        assert handle.read() == "hello\n"
    assert is_regular(tmp_path / "a.txt")


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(FormatError, match=r"pipe: expected a regular file, found a FIFO"):
        read_regular(fifo)
    assert not is_regular(fifo)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_and_a_folder_are_refused(tmp_path):
    with pytest.raises(FormatError, match="found a character device"):
        read_regular("/dev/zero")
    with pytest.raises(FormatError, match="found a folder"):
        read_regular(tmp_path)


def test_a_link_that_leaves_the_root_is_refused_relative_or_absolute(tmp_path, monkeypatch):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    served = tmp_path / "served"
    served.mkdir()
    (served / "sprite.png").symlink_to(outside)
    (served / "inside.txt").write_text("ok")
    (served / "alias.txt").symlink_to(served / "inside.txt")
    monkeypatch.chdir(tmp_path)
    for spelling, root in [
        (served / "sprite.png", served),
        ("served/sprite.png", "served"),
        ("served/../secret.txt", "served"),
    ]:
        with pytest.raises(AccessDeniedError, match="outside"):
            read_regular(spelling, root=root)
    assert read_regular("served/alias.txt", root="served") == b"ok"  # a link that stays inside is fine


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(NotFoundError, match="no such file"):
        read_regular(tmp_path / "nope")


def test_size_limit(tmp_path):
    (tmp_path / "big").write_bytes(b"x" * 100)
    with pytest.raises(FormatError, match="at most 10 bytes, found 100 bytes"):
        read_regular(tmp_path / "big", limit=10)
    assert read_regular(tmp_path / "big", limit=100) == b"x" * 100
