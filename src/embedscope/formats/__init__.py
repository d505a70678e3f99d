"""Readers and writers, one module per format family; registry.py sniffs and dispatches."""

from .registry import FORMATS, ReadOptions, load, load_collection, save, sniff

__all__ = ["FORMATS", "ReadOptions", "load", "load_collection", "save", "sniff"]
