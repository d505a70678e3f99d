"""PyTorch state dicts read without PyTorch (state_dict.py); the zip archive and its unpickler (archive.py)."""

from .state_dict import read

__all__ = ["read"]
