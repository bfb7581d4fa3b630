"""Markdown for a pull-request comment: a verdict, a table of violations, the compliant models folded."""

from __future__ import annotations

from ...audit.findings import AuditResult
from ..markdown import escape
from .text import where


def format_result(result: AuditResult) -> str:
    verdict = "passed" if result.passed else "failed"
    lines = [f"### llmpick audit {verdict}", "", escape(result.summary()), ""]
    if result.findings:
        lines += ["| | Model | Rule | Why | Where | Suggestion |", "|---|---|---|---|---|---|"]
        for f in result.findings:
            why = f.message + (f" (lineage: {f.lineage})" if f.lineage else "")
            suggestion = (f"excepted until {f.excepted_by.expires.isoformat()} by {f.excepted_by.approver}"
                          if f.excepted_by else f"use {f.alternative}" if f.alternative else "")
            cells = [f.level, f"`{f.model}`", f"{f.rule.id} {f.rule.name}", why,
                     "<br>".join(escape(where(ref)) for ref in f.locations), suggestion]
            lines.append("| " + " | ".join(c if i == 4 else escape(c) for i, c in enumerate(cells)) + " |")
        lines.append("")
    flagged = {f.model for f in result.findings}
    ok = [use for use in result.uses if use.model not in flagged]
    if ok:
        lines += [f"<details><summary>{len(ok)} compliant model{'s' if len(ok) != 1 else ''}</summary>", ""]
        lines += [f"- `{escape(use.model)}` ({escape(use.license.license.id if use.license else 'unknown')}): "
                  + ", ".join(escape(ref.location or "hf cache") for ref in use.references) for use in ok]
        lines += ["", "</details>", ""]
    notes = [f"{path}: {reason}" for path, reason in [*result.scan.fallbacks, *result.scan.skipped]]
    if notes:
        lines += ["Not fully scanned: " + "; ".join(escape(n) for n in notes), ""]
    return "\n".join(lines)
