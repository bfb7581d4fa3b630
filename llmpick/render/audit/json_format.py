"""JSON: every model used, every finding with its locations, lineage and suggestion; stable for scripts."""

from __future__ import annotations

from typing import Any

from ...audit.findings import AuditResult, Finding, ModelUse
from ...audit.scan import Reference
from .. import Report
from ..json_format import format_report


def format_result(result: AuditResult) -> str:
    return format_report(Report("audit", [], [], as_dict(result)))


def as_dict(result: AuditResult) -> dict[str, Any]:
    return {
        "passed": result.passed,
        "summary": result.summary(),
        "policy": {"origin": result.policy_origin, **result.policy.model_dump(mode="json")},
        "models": [_use(use) for use in result.uses],
        "findings": [_finding(f) for f in result.findings],
        "files_scanned": result.scan.files_scanned,
        "skipped": [{"path": path, "reason": reason} for path, reason in result.scan.skipped],
        "fallbacks": [{"path": path, "reason": reason} for path, reason in result.scan.fallbacks],
    }


def _where(ref: Reference) -> dict[str, Any]:
    return {"name": ref.name, "kind": ref.kind, "path": ref.path, "line": ref.line, "via": ref.via}


def _use(use: ModelUse) -> dict[str, Any]:
    lic = use.license
    return {
        "model": use.model, "card_id": use.card_id, "resolution": use.resolution, "names": use.names,
        "license": lic.license.id if lic else None, "commercial": lic.commercial if lic else None,
        "conditions": list(lic.conditions) if lic else [],
        "lineage": [{"model": s.card_id, "license": s.license_id, "commercial": s.commercial} for s in lic.chain]
        if lic else [],
        "locations": [_where(ref) for ref in use.references],
    }


def _finding(finding: Finding) -> dict[str, Any]:
    exc = finding.excepted_by
    return {
        "rule": finding.rule.id, "rule_name": finding.rule.name, "level": finding.level, "model": finding.model,
        "message": finding.message, "license": finding.license.license.id if finding.license else None,
        "lineage": finding.lineage or None, "alternative": finding.alternative,
        "excepted_by": exc.model_dump(mode="json") if exc else None,
        "locations": [_where(ref) for ref in finding.locations],
    }
