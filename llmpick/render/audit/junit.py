"""JUnit XML: one test case per place a model is used, failed when the model breaks the policy."""

from __future__ import annotations

from ...audit.findings import NOT_A_MODEL_USE, AuditResult, Finding
from ...audit.scan import Reference
from .text import where


def format_result(result: AuditResult) -> str:
    import xml.etree.ElementTree as ET

    cases: list[tuple[str, Reference | None, list[Finding]]] = []
    for use in result.uses:
        mine = [f for f in result.findings if f.model == use.model and f.rule.id not in NOT_A_MODEL_USE]
        cases += [(use.model, ref, mine) for ref in use.references]
    for f in result.findings:
        if f.rule.id in NOT_A_MODEL_USE:
            what = "license override" if f.rule.id == "LLMPICK011" else "policy exception"
            cases.append((f"{what} for {f.model}", f.locations[0] if f.locations else None, [f]))

    failures = sum(1 for _, _, found in cases if any(f.level == "error" for f in found))
    suites = ET.Element("testsuites", name="llmpick audit", tests=str(len(cases)), failures=str(failures),
                        errors="0")
    suite = ET.SubElement(suites, "testsuite", name="llmpick audit", tests=str(len(cases)),
                          failures=str(failures), errors="0", skipped="0")
    for name, ref, found in cases:
        place = ref.location if ref and ref.path else "hf cache"
        case = ET.SubElement(suite, "testcase", name=f"{name} at {place}",
                             classname=ref.path if ref and ref.path else "llmpick.audit")
        if ref and ref.path:
            case.set("file", ref.path)
            case.set("line", str(ref.line))
        errors = [f for f in found if f.level == "error"]
        if errors:
            failure = ET.SubElement(case, "failure", type=errors[0].rule.id,
                                    message="; ".join(f"{f.rule.id} {f.message}" for f in errors))
            failure.text = "\n".join(_details(f, ref) for f in errors)
        others = [f for f in found if f.level != "error"]
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(_details(f, ref) for f in others)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _details(finding: Finding, ref: Reference | None) -> str:
    lines = [f"{finding.level}: {finding.rule.id} {finding.rule.name}: {finding.message}"]
    if ref:
        lines.append(f"at {where(ref)}")
    if finding.lineage:
        lines.append(f"lineage: {finding.lineage}")
    if finding.excepted_by:
        exc = finding.excepted_by
        lines.append(f"excepted until {exc.expires.isoformat()} by {exc.approver}: {exc.reason}")
    elif finding.alternative:
        lines.append(f"allowed alternative: {finding.alternative}")
    return "\n".join(lines)
