"""llmpick: choose an open-weight LLM from a reviewed, sourced catalog."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

# The public API, imported on first use so that `llmpick --version` stays fast.
_EXPORTS = {
    "load_catalog": "catalog.loading",
    "Catalog": "catalog.catalog",
    "Card": "catalog.cards",
    "Architecture": "catalog.cards",
    "License": "catalog.licenses",
    "EffectiveLicense": "catalog.licenses",
    "effective_license": "catalog.licenses",
    "LlmpickError": "core.errors",
    "CatalogError": "core.errors",
    "UsageError": "core.errors",
    "NotFoundError": "core.errors",
    "Problem": "core.errors",
    "ServiceError": "core.errors",
    "recommend": "advice.advisor",
    "Requirements": "advice.requirements",
    "estimate": "advice.memory",
    "Hardware": "advice.hardware",
    "compare": "views.comparison",
    "export": "views.comparison",
    "OutputFormat": "render",
    "AuditResult": "audit.findings",
    "Policy": "audit.policy",
    "import_card": "hub.importer",
}
__all__ = sorted(_EXPORTS) + ["__version__"]


# (the subpackages use llmpick.core.lazy for this; the package itself imports nothing, for `--version`)
def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
