"""GitHub-flavoured Markdown tables, with pipes and newlines inside cells escaped."""

from __future__ import annotations

from typing import TextIO

from . import Report, as_text, cell_text


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.splitlines()).strip()  # every line break Python knows, \f and \u2028 included


def write_report(report: Report, out: TextIO) -> None:
    if report.title:
        out.write(f"## {escape(report.title)}\n\n")
    out.write("| " + " | ".join(escape(header) for _, header in report.columns) + " |\n")
    out.write("|" + "|".join("---" for _ in report.columns) + "|\n")
    for row in report.rows:
        out.write("| " + " | ".join(escape(cell_text(row.get(key))) for key, _ in report.columns) + " |\n")
    if report.notes:
        out.write("\n" + "".join(escape(note) + "\n" for note in report.notes))


format_report = as_text(write_report)
