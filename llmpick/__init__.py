"""llmpick: choose an open-weight LLM from a reviewed, sourced catalog."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

# The public API, imported on first use so that `llmpick --version` stays fast.
_EXPORTS = {
    "load_catalog": "catalog",
    "Catalog": "catalog",
    "Card": "cards",
    "Architecture": "cards",
    "License": "licenses",
    "EffectiveLicense": "licenses",
    "effective_license": "licenses",
    "LlmpickError": "errors",
    "CatalogError": "errors",
    "UsageError": "errors",
    "NotFoundError": "errors",
    "Problem": "errors",
    "ServiceError": "errors",
    "recommend": "advisor",
    "Requirements": "advisor",
    "estimate": "memory",
    "compare": "comparison",
    "export": "comparison",
    "OutputFormat": "render",
    "AuditResult": "audit",  # llmpick.audit.audit() builds one; llmpick.scan.scan() finds what to audit
    "Policy": "policy",
    "import_card": "importer",
}
__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
