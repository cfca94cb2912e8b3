"""Import rules of the package: no module imports another's private helpers, and
geocoding does not import the top-level package (which loads the solver's front)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "routeopt"


def _imports(path: Path) -> list[tuple[str, str, int]]:
    """(module, name, line) of every ``from routeopt... import name`` in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.module, alias.name, node.lineno) for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            and node.module.split(".")[0] == "routeopt" for alias in node.names]


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def test_no_module_imports_another_modules_private_names() -> None:
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        for module, name, line in _imports(path):
            private = name.startswith("_") and not name.startswith("__")
            if private and not _is_module(f"{module}.{name}"):
                bad.append(f"{path.relative_to(SRC)}:{line}: from {module} import {name}")
    assert bad == []


def test_geocoding_does_not_import_the_top_level_package() -> None:
    bad = [f"{p.name}:{line}: from {m} import {n}"
           for p in sorted((SRC / "geocode").glob("*.py")) for m, n, line in _imports(p)
           if m == "routeopt"]
    assert bad == []
