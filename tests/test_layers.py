"""No import cycles among embedscope's modules (imports for type checking only do not count).

`lint-imports` (make lint) checks the layers in pyproject.toml and cycles between siblings; this test checks
every module against every other one, so that a cycle fails the test suite too.
"""

from __future__ import annotations

import pytest

grimp = pytest.importorskip("grimp", reason="the import graph needs grimp (import-linter's, in the dev extra)")


def test_no_import_cycles():
    graph = grimp.build_graph("embedscope", cache_dir=None, exclude_type_checking_imports=True)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                cycles.append(" -> ".join((importer, *back)))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
