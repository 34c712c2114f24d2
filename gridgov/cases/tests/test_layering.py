"""Imports point downward: indicators and Open311 build on cases; cases imports neither (the
deadline sweep tells the rollup through a signal, gridgov.cases.signals.swept)."""

import ast
from pathlib import Path

import gridgov.cases

ABOVE_CASES = ("gridgov.indicators", "gridgov.open311")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_cases_imports_no_app_built_on_it():
    root = Path(gridgov.cases.__file__).parent
    # Migration 0012 is history: it filled the monthly tables through the rollup's code, which
    # lives in indicators since (the tables too, since 0014).
    offending = {
        f"{path.relative_to(root)}: {name}"
        for path in root.rglob("*.py") if path.name != "0012_monthly_rollups.py"
        for name in _imports(path) if name.startswith(ABOVE_CASES)
    }
    assert not offending
