"""Readers and writers, one module per format family; registry.py sniffs and dispatches."""

from .options import ReadOptions
from .registry import FORMATS, load, load_collection, save, sniff

__all__ = ["FORMATS", "ReadOptions", "load", "load_collection", "save", "sniff"]
