"""Opening a file that was given or served: regular files only, confined to a root when there is one.

Every path a user names (an input file, a sprite, a bookmarks file, a cache entry, a file a projector config points
at) is opened through `open_regular`, which checks at open time, on the open descriptor, what it got:
- a FIFO, socket or device is refused without blocking (the open is non-blocking, and `fstat` decides);
- with `root`, the file actually opened must lie under `root` once every link is resolved: a file swapped for a
  symlink that leaves the root after start-up is refused, however the path was spelled (relative or absolute).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO, Literal, overload

from embedscope.errors import AccessDeniedError, FormatError, NotFoundError

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _opened_path(fd: int, fallback: Path) -> Path:
    """The path the kernel says the descriptor has (Linux), else the resolved path it was opened by."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return fallback


def open_fd(path: str | os.PathLike[str], *, root: str | os.PathLike[str] | None = None, what: str = "file") -> int:
    """A read-only descriptor on `path`, a regular file (under `root` when given); the caller closes it."""
    given = Path(path)
    try:
        real = given.resolve(strict=True)
    except FileNotFoundError:
        raise NotFoundError(f"no such {what}", path=given, fix="check the path") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long
        raise AccessDeniedError(f"cannot resolve the path of the {what} ({exc})", path=given) from None
    real_root = Path(root).resolve() if root is not None else None
    if real_root is not None and not real.is_relative_to(real_root):
        raise _outside(given, real, real_root, what)
    try:
        fd = os.open(real, _FLAGS | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise AccessDeniedError(f"cannot open the {what}: {exc.strerror}", path=given) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FormatError(
                f"expected a regular {what}, found {_kind(mode)}", path=given, fix="give the path of an ordinary file"
            )
        opened = _opened_path(fd, real)
        if real_root is not None and not opened.is_relative_to(real_root):
            raise _outside(given, opened, real_root, what)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _outside(given: Path, real: Path, root: Path, what: str) -> AccessDeniedError:
    return AccessDeniedError(
        f"expected a {what} under {root}, found a path that leads to {real}, outside it",
        path=given,
        fix="copy the file into the served folder instead of linking to it",
    )


@overload
def open_regular(
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = ...,
    what: str = ...,
    text: Literal[False] = ...,
) -> IO[bytes]: ...
@overload
def open_regular(
    path: str | os.PathLike[str], *, root: str | os.PathLike[str] | None = ..., what: str = ..., text: Literal[True]
) -> IO[str]: ...
def open_regular(
    path: str | os.PathLike[str], *, root: str | os.PathLike[str] | None = None, what: str = "file", text: bool = False
) -> IO[bytes] | IO[str]:
    """Open `path` for reading, checked on the open descriptor (see the module's docstring)."""
    fd = open_fd(path, root=root, what=what)
    if text:
        return os.fdopen(fd, "r", encoding="utf-8", errors="strict")
    return os.fdopen(fd, "rb")


def read_regular(
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    what: str = "file",
    limit: int | None = None,
) -> bytes:
    """The bytes of a regular file (under `root`), refused with a typed error past `limit` bytes."""
    with open_regular(path, root=root, what=what) as handle:
        size = os.fstat(handle.fileno()).st_size
        if limit is not None and size > limit:
            raise FormatError(f"expected a {what} of at most {limit:,} bytes, found {size:,} bytes", path=path)
        return handle.read() if limit is None else handle.read(limit + 1)[:limit]


def is_regular(path: str | os.PathLike[str]) -> bool:
    """True for an existing regular file (following links), without opening it: FIFOs and devices are not."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
