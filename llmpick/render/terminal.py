"""Terminal tables with rich; plain text when stdout is not a terminal or NO_COLOR is set."""

from __future__ import annotations

import io
import os
import re
import sys
from typing import TYPE_CHECKING

from . import Report, cell_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from .layout import Layout

# C0/C1 control characters other than newline and tab could move the cursor or recolour the terminal
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str) -> Text:
    """Text for the terminal, shown as typed: control characters as \\xNN; rich markup and :emoji: codes inert
    (a rich Text is never parsed, which also spares parsing every cell)."""
    from rich.text import Text

    return Text(CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


DEFAULT_WIDTH = 160  # when stdout is not a terminal and COLUMNS does not say
NARROWEST = 40


def width_from_environment() -> int:
    """COLUMNS as a shell sets it, within reason; anything else (empty, "abc", "-5") means the default width."""
    columns = os.environ.get("COLUMNS", "").strip()
    return max(NARROWEST, min(int(columns) if columns.isdigit() else DEFAULT_WIDTH, 10_000))


def format_report(report: Report) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from .layout import plan

    buffer = io.StringIO()
    tty = sys.stdout.isatty()
    console = Console(file=buffer, force_terminal=tty and "NO_COLOR" not in os.environ,
                      no_color="NO_COLOR" in os.environ or not tty, width=None if tty else width_from_environment(),
                      highlight=False)
    layout = plan(report, console.width)
    table = Table(title=safe(report.title) if report.title else None, header_style="bold", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    for column in layout.columns:
        table.add_column(column.header, no_wrap=not column.wrap, width=column.width, overflow="fold")
    for index, row in enumerate(report.rows):
        table.add_row(*(safe(cell_text(row.get(column.key))) for column in layout.columns),
                      style="bold" if index in report.highlight else None)
    console.print(table)
    if layout.below is not None:
        _print_below(console, layout)
    for note in layout.notes + report.notes:
        console.print(safe(note))
    if tty:
        return buffer.getvalue()
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())  # cells pad to the column


def _print_below(console: Console, layout: Layout) -> None:
    """The free-text column as one paragraph per row, named by the row's id; continuation lines indented."""
    from rich.text import Text

    assert layout.below is not None
    console.print(safe(layout.below.header + ":"))
    for label, text in zip(layout.labels, layout.below.cells, strict=True):
        if text.strip():
            lines = safe(f"{label}: {text}").wrap(console, console.width - 4, overflow="fold")
            for number, line in enumerate(lines):
                console.print(Text("  " if number == 0 else "    ").append_text(line), soft_wrap=True)
