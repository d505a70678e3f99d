"""Tables through pyarrow: Parquet, Arrow IPC / Feather and CSV (table.py; CSV text in csv_file.py)."""

from .table import read, write

__all__ = ["read", "write"]
