"""JSON: the report's data with the kind and a schema version, stable for scripts."""

from __future__ import annotations

import json

from . import SCHEMA_VERSION, Report


def format_report(report: Report) -> str:
    payload = {"schema_version": SCHEMA_VERSION, "kind": report.kind, "data": report.data}
    return json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n"
