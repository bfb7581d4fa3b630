"""JSON: the report's data with the kind and a schema version, stable for scripts."""

from __future__ import annotations

import json
from itertools import islice
from typing import TextIO

from . import SCHEMA_VERSION, Report, as_text

BATCH = 16384  # encoder pieces per write: one write each would cost more than encoding them


def write_report(report: Report, out: TextIO) -> None:
    payload = {"schema_version": SCHEMA_VERSION, "kind": report.kind, "data": report.data}
    pieces = json.JSONEncoder(indent=2, ensure_ascii=False, default=str).iterencode(payload)
    while batch := list(islice(pieces, BATCH)):
        out.write("".join(batch))
    out.write("\n")


format_report = as_text(write_report)
