"""SARIF 2.1.0, so code scanning shows each finding on the line that uses the model."""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from ... import __version__
from ...audit.findings import RULES, AuditResult, Finding
from ...audit.scan import Reference

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "note": "note"}


def format_result(result: AuditResult) -> str:
    rule_ids = list(RULES)
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "llmpick", "version": __version__, "semanticVersion": __version__,
            "rules": [{
                "id": rule.id, "name": rule.name,
                "shortDescription": {"text": rule.name.replace("-", " ")},
                "fullDescription": {"text": rule.description},
                "defaultConfiguration": {"level": "warning" if rule.id == "LLMPICK010" else "error"},
            } for rule in RULES.values()],
        }},
        "results": [res for f in result.findings for res in _results(f, rule_ids.index(f.rule.id))],
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {"level": "note", "message": {"text": reason}, "locations": [_at(path)]}
                for path, reason in result.scan.fallbacks
            ] + [
                {"level": "warning", "message": {"text": f"skipped: {reason}"}, "locations": [_at(path)]}
                for path, reason in result.scan.skipped
            ],
        }],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False) + "\n"


def _at(path: str, line: int = 0) -> dict[str, Any]:
    # relative paths stay relative (code scanning resolves them against the checkout); others become file URIs
    uri = PurePosixPath(path).as_uri() if path.startswith("/") else quote(path)
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if line > 0:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _results(finding: Finding, rule_index: int) -> list[dict[str, Any]]:
    """One result per place the model is used: code scanning annotates one line per result."""
    places: list[Reference | None] = list(finding.locations) or [None]
    out = []
    for ref in places:
        text = f"{finding.model}: {finding.message}"
        if finding.lineage:
            text += f". Lineage: {finding.lineage}"
        if finding.alternative:
            text += f". Allowed alternative of similar size and task: {finding.alternative}"
        res: dict[str, Any] = {
            "ruleId": finding.rule.id, "ruleIndex": rule_index, "level": LEVELS[finding.level],
            "message": {"text": text},
            "properties": {"model": finding.model, "license": finding.license.license.id if finding.license else None,
                           "lineage": finding.lineage or None, "alternative": finding.alternative},
        }
        if ref is not None and ref.path:
            res["locations"] = [_at(ref.path, ref.line)]
            res["properties"]["name"] = ref.name
            res["properties"]["via"] = ref.via
        else:
            res["locations"] = [{"logicalLocations": [{"name": finding.model, "kind": "module"}]}]
        if finding.excepted_by:
            exc = finding.excepted_by
            res["suppressions"] = [{"kind": "external", "status": "accepted",
                                    "justification": f"{exc.reason} (approved by {exc.approver}, "
                                                     f"expires {exc.expires.isoformat()})"}]
        out.append(res)
    return out
