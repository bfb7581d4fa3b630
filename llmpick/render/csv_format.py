"""CSV (RFC 4180, UTF-8) with cells a spreadsheet would execute neutralised."""

from __future__ import annotations

import csv
from typing import TextIO

from . import Report, as_text, cell_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    # a leading apostrophe makes spreadsheets show the text instead of evaluating it (OWASP CSV injection)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_report(report: Report, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(header) for _, header in report.columns])
    for row in report.rows:
        writer.writerow([safe_cell(cell_text(row.get(key))) for key, _ in report.columns])


format_report = as_text(write_report)
