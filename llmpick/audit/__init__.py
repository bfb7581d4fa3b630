"""License audits: policy and manifest, scanners of source and config, findings, the AI bill of materials.

May import: llmpick.advice (alternatives to a disallowed model), llmpick.catalog, llmpick.core.
`from llmpick.audit import audit, gather, AuditResult, Policy` (imported on use).
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {"audit": "findings", "AuditResult": "findings", "gather": "findings", "Policy": "policy"}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
