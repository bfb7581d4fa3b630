"""The catalog: card and license models, loading, lineage and effective licenses, the cache, records.

May import: llmpick.core. `from llmpick.catalog import load_catalog, Catalog` keeps working (imported on use).
"""

from __future__ import annotations

from ..core.lazy import lazy_exports

_EXPORTS = {"load_catalog": "loading", "Catalog": "catalog", "builtin_catalog_dir": "builtin"}

__getattr__ = lazy_exports(__name__, _EXPORTS)
