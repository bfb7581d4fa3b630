"""The package's shape stays as docs/architecture.md draws it: layers with a stated door, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "llmpick"
LAYERS = ["core", "catalog", "advice", "audit", "hub", "views", "render", "cli"]
MAX_LINES = 400


def test_each_layer_says_what_it_owns_and_what_it_may_import():
    for layer in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "May import:" in doc, layer


def test_no_flat_modules_are_left_beside_the_layers():
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == ["__init__.py", "__main__.py"]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_are_small_and_say_what_they_are_for(path):
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_LINES, f"{path.name} has {text.count(chr(10))} lines; split it along a seam"
    assert ast.get_docstring(ast.parse(text)), f"{path} needs a one-line docstring saying what it is for"


def test_the_import_contracts_hold():
    # the same check as `lint-imports` in the README's test command, so a plain pytest run catches a circle too
    importlinter = pytest.importorskip("importlinter.cli")
    assert importlinter.lint_imports(config_filename=str(PACKAGE.parent / "pyproject.toml")) == 0
