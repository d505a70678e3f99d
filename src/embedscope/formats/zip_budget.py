"""Reading zip members (.pt, .npz, .keras) at a cost bounded by the archive's size.

A zip member's header declares its uncompressed size, and a few kilobytes of deflate can unpack to gigabytes
(a zip bomb); several members may even share one compressed stream. So every member read through a ZipBudget is
charged its declared size against one budget per archive, MAX_RATIO times the archive's size (plus SLACK), before
a byte is unpacked, and is then read in chunks: zipfile stops at the declared size, so a stream that unpacks to
more than its header says never grows past the chunk (a plain `ZipFile.read` unpacks a whole lying stream in one
call). Only the methods numpy, torch and keras write (stored, deflate) are read: bzip2 and lzma unpack a whole
compressed chunk at once, whatever its ratio.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..errors import FormatError

MAX_RATIO = 64  # deflate reaches ~1,000x on zeros; real weights compress ~1.1x, mostly-zero tables ~20x
SLACK = 16 << 20
CHUNK = 1 << 20
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}


class ZipBudget:
    """The bytes one archive's members may unpack to, all reads together; each read is checked and chunked."""

    def __init__(self, path: Path, *, what: str, size: int | None = None) -> None:
        self.path = path
        self.what = what
        self.size = path.stat().st_size if size is None else size
        self.limit = MAX_RATIO * self.size + SLACK
        self.spent = 0
        self.refused = False  # once over budget, reading further members of this archive is pointless

    def read(self, zf: zipfile.ZipFile, member: str | zipfile.ZipInfo) -> bytes:
        """A member's bytes, charged to the budget first and unpacked in chunks."""
        buffer = bytearray()
        for chunk in self._chunks(zf, member):
            buffer += chunk
        return bytes(buffer)

    def spool(self, zf: zipfile.ZipFile, member: str | zipfile.ZipInfo) -> IO[bytes]:
        """A member unpacked into an anonymous temporary file (seekable, not held in memory), rewound."""
        spooled = tempfile.TemporaryFile()  # noqa: SIM115 - returned open, closed by the caller
        try:
            for chunk in self._chunks(zf, member):
                spooled.write(chunk)
            spooled.seek(0)
        except BaseException:
            spooled.close()
            raise
        return spooled

    def _chunks(self, zf: zipfile.ZipFile, member: str | zipfile.ZipInfo) -> Iterator[bytes]:
        info = member if isinstance(member, zipfile.ZipInfo) else zf.getinfo(member)
        self._charge(info)
        read = 0
        with zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                read += len(chunk)
                if read > info.file_size:  # zipfile stops at the declared size; this keeps that promise here
                    raise self._over(info, read)
                yield chunk

    def _charge(self, info: zipfile.ZipInfo) -> None:
        if info.flag_bits & 0x1:
            raise FormatError(
                f"zip member {info.filename} is encrypted",
                path=self.path,
                fix=f"write the {self.what} file again without a password",
            )
        if info.compress_type not in _METHODS:
            raise FormatError(
                f"zip member {info.filename} is compressed with method {info.compress_type}; "
                f"only {' and '.join(_METHODS.values())} members are read",
                path=self.path,
                fix=f"write the {self.what} file again with the library that made it (stored or deflate members)",
            )
        if self.spent + info.file_size > self.limit:
            raise self._over(info, info.file_size)
        self.spent += info.file_size

    def _over(self, info: zipfile.ZipInfo, size: int) -> FormatError:
        self.refused = True
        return FormatError(
            f"zip member {info.filename} unpacks to {size:,} bytes ({self.spent:,} already read) from an archive "
            f"of {self.size:,} bytes: over the {self.limit:,} bytes ({MAX_RATIO}x the file's size) read from one "
            "archive (a zip bomb?)",
            path=self.path,
            fix=f"if the file is genuine, store its members uncompressed (a {self.what} file need not be compressed)",
        )
