"""The package layout the README draws is the one the imports follow: every import points down the stack."""

from __future__ import annotations

import ast
from pathlib import Path

import altslot

SOURCE = Path(altslot.__file__).parent

# Top to bottom, as README "How it works" draws it. A package may import the packages below it, never above
# or beside it; the vocabulary (types, events, errors) is open to all and imports no package.
STACK: tuple[frozenset[str], ...] = (
    frozenset({"commands"}),
    frozenset({"bench"}),
    frozenset({"api"}),
    frozenset({"agents"}),
    frozenset({"shell"}),
    frozenset({"tools"}),
    frozenset({"booking"}),
    frozenset({"search"}),
    frozenset({"availability"}),
    frozenset({"cache", "upstream"}),
    frozenset({"calcom", "observability", "sim"}),
    frozenset({"finder", "engine", "shared"}),
)
VOCABULARY = frozenset({"types", "events", "errors"})
ROOT_FILES = frozenset({"__init__", "__main__"})


def _rank(package: str) -> int:
    return next(i for i, layer in enumerate(STACK) if package in layer)


def _imports() -> set[tuple[str, str, str]]:
    """(importing package, imported package, file) for every import of another altslot package."""
    found: set[tuple[str, str, str]] = set()
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE)
        source = relative.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("altslot."):
                target = node.module.split(".")[1]
                if target != source:
                    found.add((source, target, str(relative)))
    return found


def test_every_package_has_a_place_in_the_stack() -> None:
    """Each package and root module is either in the drawn stack or part of the vocabulary."""
    names = {p.name.removesuffix(".py") for p in SOURCE.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    placed = set().union(*STACK) | VOCABULARY | ROOT_FILES
    assert names == placed


def test_imports_point_down_the_stack() -> None:
    """No package imports one above or beside it; the vocabulary imports no package."""
    wrong = []
    for source, target, where in sorted(_imports()):
        if source in ROOT_FILES or target in VOCABULARY:
            continue
        if source in VOCABULARY or _rank(source) >= _rank(target):
            wrong.append(f"{where}: {source} → {target}")
    assert wrong == []
