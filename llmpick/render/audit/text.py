"""Plain text for a terminal or a CI log: each finding with where, why (lineage) and what to do."""

from __future__ import annotations

from ...audit.findings import AuditResult, Finding
from ...audit.scan import Reference

LABELS = {"error": "FAIL", "warning": "WARN", "note": "EXCEPTED"}


def where(ref: Reference) -> str:
    place = ref.location if ref.path else "Hugging Face cache"
    return f"{place} ({ref.via}: {ref.name})"


def format_result(result: AuditResult) -> str:
    lines: list[str] = []
    for finding in result.findings:
        lines += _finding(finding)
    flagged = {f.model for f in result.findings}
    for use in result.uses:
        if use.model not in flagged:
            license = use.license.license.id if use.license else "unknown license"
            places = ", ".join(ref.location or "hf cache" for ref in use.references)
            lines.append(f"OK    {use.model} ({license}): {places}")
    for path, reason in result.scan.fallbacks:
        lines.append(f"note: {path}: {reason}")
    for path, reason in result.scan.skipped:
        lines.append(f"skipped: {path}: {reason}")
    if not lines:
        lines.append("no model references found")
    return "\n".join(lines) + "\n"


def _finding(finding: Finding) -> list[str]:
    lines = [f"{LABELS[finding.level]:<5} {finding.model}: {finding.rule.id} {finding.rule.name}",
             f"      {finding.message}"]
    if finding.lineage:
        lines.append(f"      lineage: {finding.lineage}")
    lines += [f"      at {where(ref)}" for ref in finding.locations]
    if finding.excepted_by:
        exc = finding.excepted_by
        lines.append(f"      excepted until {exc.expires.isoformat()} by {exc.approver}: {exc.reason}")
    elif finding.alternative:
        lines.append(f"      allowed alternative of similar size and task: {finding.alternative}")
    return lines
