"""Terminal tables with rich; plain text when stdout is not a terminal or NO_COLOR is set."""

from __future__ import annotations

import io
import os
import sys

from . import Report, cell_text


def format_report(report: Report) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=report.title, show_lines=False, header_style="bold")
    for _, header in report.columns:
        table.add_column(header, overflow="fold")
    for row in report.rows:
        table.add_row(*(escape(cell_text(row.get(key))) for key, _ in report.columns))
    buffer = io.StringIO()
    tty = sys.stdout.isatty()
    width = None if tty else max(100, int(os.environ.get("COLUMNS", "160")))
    console = Console(file=buffer, force_terminal=tty and "NO_COLOR" not in os.environ,
                      no_color="NO_COLOR" in os.environ or not tty, width=width, highlight=False)
    console.print(table)
    for note in report.notes:
        console.print(escape(note))
    return buffer.getvalue()
