"""The events file that makes a folder a run TensorBoard lists.

TensorBoard lists as runs only the folders holding an events file (a name with `tfevents` in it); its projector
then reads `projector_config.pbtxt` from each run (and from the log dir itself). So every folder the writers
give a config also gets a minimal events file, unless it holds one: a TFRecord file with one Event, whose
`file_version` is "brain.Event:2", as TensorFlow's summary writer starts every file. Written without
TensorFlow: a record is the payload's length (uint64), the masked CRC32C of those 8 bytes (uint32), the
payload, and the payload's masked CRC32C (uint32), all little-endian.
"""

from __future__ import annotations

import os
import struct
import time
from pathlib import Path

import google_crc32c

from ..tensorflow.sstable import mask_crc

EVENTS_MARK = "tfevents"  # what TensorBoard looks for in a file name (IsTensorFlowEventsFile)
FILE_VERSION = "brain.Event:2"


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def event(wall_time: float) -> bytes:
    """An Event proto: wall_time (field 1, double) and file_version (field 3, string)."""
    version = FILE_VERSION.encode()
    return b"\x09" + struct.pack("<d", wall_time) + b"\x1a" + _varint(len(version)) + version


def record(payload: bytes) -> bytes:
    """One TFRecord holding `payload`."""
    length = struct.pack("<Q", len(payload))
    crc = google_crc32c.value
    return length + struct.pack("<I", mask_crc(crc(length))) + payload + struct.pack("<I", mask_crc(crc(payload)))


def has_events(folder: Path) -> bool:
    return any(EVENTS_MARK in p.name and p.is_file() for p in folder.iterdir())


def mark_run(folder: Path) -> Path | None:
    """Give `folder` an events file unless it holds one; returns the file written (None when there was one)."""
    if has_events(folder):
        return None
    now = time.time()
    path = folder / f"events.out.{EVENTS_MARK}.{int(now)}.embedscope"
    partial = folder / ".embedscope-events.partial"  # no mark in its name: TensorBoard never reads half a file
    partial.write_bytes(record(event(now)))
    os.replace(partial, path)
    return path
