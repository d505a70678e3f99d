"""The test tree itself: pytest imports test files by base name (there is no __init__.py in tests/), so two files
with one name in different folders fail collection on a clean checkout ("import file mismatch")."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path


def test_test_file_names_are_unique():
    by_name: dict[str, list[str]] = defaultdict(list)
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        if path.name.startswith("test_") or path.name == "conftest.py":
            by_name[path.name].append(str(path.relative_to(Path(__file__).parent)))
    repeated = {name: paths for name, paths in by_name.items() if len(paths) > 1 and name != "conftest.py"}
    assert not repeated, f"rename so that each test file's name is unique: {repeated}"
