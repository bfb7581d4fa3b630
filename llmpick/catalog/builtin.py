"""Where the catalog shipped with llmpick lives, and whether a file is part of it."""

from __future__ import annotations

from pathlib import Path


def builtin_catalog_dir() -> Path:
    """The catalog shipped with llmpick: inside the installed package, or the repository's catalog/."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "data"
    return packaged if packaged.is_dir() else package.parent / "catalog"


def is_builtin(path: str | Path) -> bool:
    """Whether `path` is a file of the built-in catalog."""
    return Path(path).resolve().is_relative_to(builtin_catalog_dir().resolve())
