"""The catalog: card and license models, loading, lineage and effective licenses, the cache, records.

May import: llmpick.core. `from llmpick.catalog import load_catalog, Catalog` keeps working (imported on use).
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {"load_catalog": "loading", "Catalog": "catalog", "builtin_catalog_dir": "loading"}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
