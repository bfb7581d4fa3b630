"""License audits: policy and manifest, scanners of source and config, findings, the AI bill of materials.

May import: llmpick.advice (alternatives to a disallowed model), llmpick.catalog, llmpick.core.
`from llmpick.audit import audit, gather, AuditResult, Policy` (imported on use).
"""

from __future__ import annotations

from ..core.lazy import lazy_exports

_EXPORTS = {"audit": "findings", "AuditResult": "findings", "gather": "findings", "Policy": "policy"}

__getattr__ = lazy_exports(__name__, _EXPORTS)
