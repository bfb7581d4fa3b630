"""Terminal tables with rich; plain text when stdout is not a terminal or NO_COLOR is set."""

from __future__ import annotations

import io
import os
import re
import sys
from typing import TYPE_CHECKING

from . import Report, cell_text

if TYPE_CHECKING:
    from rich.text import Text

# C0/C1 control characters other than newline and tab could move the cursor or recolour the terminal
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str) -> Text:
    """Text for the terminal, shown as typed: control characters as \\xNN; rich markup and :emoji: codes inert
    (a rich Text is never parsed, which also spares parsing every cell)."""
    from rich.text import Text

    return Text(CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


def format_report(report: Report) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=safe(report.title) if report.title else None, show_lines=False, header_style="bold")
    for _, header in report.columns:
        table.add_column(header, overflow="fold")
    for index, row in enumerate(report.rows):
        table.add_row(*(safe(cell_text(row.get(key))) for key, _ in report.columns),
                      style="bold" if index in report.highlight else None)
    buffer = io.StringIO()
    tty = sys.stdout.isatty()
    columns = os.environ.get("COLUMNS", "").strip()
    # COLUMNS as a shell sets it; anything else (empty, "abc", "-5") means the default width
    width = None if tty else max(100, min(int(columns) if columns.isdigit() else 160, 10_000))
    console = Console(file=buffer, force_terminal=tty and "NO_COLOR" not in os.environ,
                      no_color="NO_COLOR" in os.environ or not tty, width=width, highlight=False)
    console.print(table)
    for note in report.notes:
        console.print(safe(note))
    return buffer.getvalue()
