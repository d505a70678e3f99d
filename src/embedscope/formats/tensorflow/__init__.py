"""TensorFlow checkpoints read without TensorFlow: finding one (checkpoint.py), tensor bundles (bundle.py), their
index tables (sstable.py), partitioned variables (slices.py), and the protobuf encodings they use (protobuf_wire.py,
and pbtxt.py for the text format, which TensorBoard's projector config shares)."""

from .checkpoint import read

__all__ = ["read"]
