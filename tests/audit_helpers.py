"""Shared fixtures of the audit tests: the built-in catalog loaded once, the fixture project in tmp_path."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).parent / "fixtures" / "project"
TODAY = dt.date(2026, 11, 22)


def line_containing(path: Path, needle: str) -> int:
    """The 1-based line of the first occurrence of `needle`, so tests follow edits of the fixture."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("audit-cache")


@pytest.fixture(autouse=True)
def warm_cache(monkeypatch, shared_cache):
    """One validated-catalog cache for the whole audit test session: the catalog is parsed once."""
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(shared_cache))


@pytest.fixture(scope="session")
def catalog(shared_cache):
    from llmpick.catalog import builtin_catalog_dir, load_catalog

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LLMPICK_CACHE_DIR", str(shared_cache))
        return load_catalog([builtin_catalog_dir()], builtin=False)


@pytest.fixture
def project(tmp_path) -> Path:
    """A writable copy of the fixture project."""
    target = tmp_path / "project"
    shutil.copytree(PROJECT, target, symlinks=True)
    return target


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (old, path)
    path.write_text(text.replace(old, new))
