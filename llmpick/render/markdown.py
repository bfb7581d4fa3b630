"""GitHub-flavoured Markdown tables, with pipes and newlines inside cells escaped."""

from __future__ import annotations

from . import Report, cell_text


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.splitlines()).strip()  # every line break Python knows, \f and \u2028 included


def format_report(report: Report) -> str:
    lines = []
    if report.title:
        lines += [f"## {escape(report.title)}", ""]
    lines.append("| " + " | ".join(escape(header) for _, header in report.columns) + " |")
    lines.append("|" + "|".join("---" for _ in report.columns) + "|")
    for row in report.rows:
        lines.append("| " + " | ".join(escape(cell_text(row.get(key))) for key, _ in report.columns) + " |")
    if report.notes:
        lines.append("")
        lines += [escape(note) for note in report.notes]
    return "\n".join(lines) + "\n"
