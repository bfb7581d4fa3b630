"""Output formats: every command builds a Report (llmpick.core.report), and one formatter per format turns it into
text. May import: every layer but cli."""

from __future__ import annotations

import enum
import io
from collections.abc import Callable
from importlib import import_module
from typing import Protocol, TextIO

from ..core.report import SCHEMA_VERSION, Cell, Chart, Fit, Point, Report, cell_text, sort_key


class Formatter(Protocol):
    def __call__(self, report: Report) -> str: ...


class OutputFormat(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"

    def formatter(self) -> Formatter:
        module = import_module(f"{__name__}.{_MODULES[self]}")
        return module.format_report


_MODULES = {
    OutputFormat.table: "terminal",
    OutputFormat.json: "json_format",
    OutputFormat.csv: "csv_format",
    OutputFormat.markdown: "markdown",
    OutputFormat.html: "html",
}


def render(report: Report, fmt: OutputFormat) -> str:
    return OutputFormat(fmt).formatter()(report)


def write(report: Report, fmt: OutputFormat, out: TextIO) -> None:
    """The report in `fmt` written to `out`; piece by piece where the format can, so that a large report is
    never held as one string as well."""
    module = import_module(f"{__name__}.{_MODULES[OutputFormat(fmt)]}")
    if hasattr(module, "write_report"):
        module.write_report(report, out)
    else:
        out.write(module.format_report(report))


def as_text(write_report: Callable[[Report, TextIO], None]) -> Formatter:
    """The formatter that returns what `write_report` writes."""
    def format_report(report: Report) -> str:
        out = io.StringIO()
        write_report(report, out)
        return out.getvalue()

    return format_report


__all__ = ["SCHEMA_VERSION", "Cell", "Chart", "Fit", "OutputFormat", "Point", "Report", "as_text", "cell_text",
           "render", "sort_key", "write"]
