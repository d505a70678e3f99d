"""TensorBoard log dirs: runs with projector_config.pbtxt read (reader.py) and written (writer.py), their layout
and paths (logdir.py), and step snapshots logged from a training loop (snapshots.py)."""

from .reader import read
from .writer import write

__all__ = ["read", "write"]
