"""The package version (also in pyproject.toml); a module of its own so that the server can name it without
importing the package's public API."""

__version__ = "0.1.0"
