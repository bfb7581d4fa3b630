"""Output formats: every command builds a Report, and one formatter per format turns it into text."""

from __future__ import annotations

import enum
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Protocol, TextIO

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Cell:
    """A display value with the key it sorts by (e.g. "32k" sorts as 32768)."""

    text: str
    sort: float | str | None = None


@dataclass(frozen=True)
class Point:
    label: str
    x: float
    y: float
    group: str  # colour class, e.g. a license verdict


@dataclass
class Chart:
    """A scatter plot for formats that can draw one (HTML)."""

    title: str
    x_label: str
    y_label: str
    points: list[Point]
    note: str = ""


@dataclass
class Report:
    """What a command shows: a table for people, `data` for machines."""

    kind: str  # "models", "model", "licenses", "recommendation", ...
    columns: list[tuple[str, str]]  # (key, header)
    rows: list[dict[str, Any]]  # display values by column key
    data: Any  # the JSON payload (plain dicts, lists, strings and numbers)
    title: str | None = None
    notes: list[str] = field(default_factory=list)  # lines shown under the table
    highlight: set[int] = field(default_factory=set)  # indexes of rows to emphasise (e.g. differences)
    row_class: str | None = None  # column whose value classes each row (HTML colours license verdicts by it)
    chart: Chart | None = None


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


def cell_text(value: Any) -> str:
    """A display value as one plain string (lists joined, None empty)."""
    if value is None:
        return ""
    if isinstance(value, Cell):
        return value.text
    if isinstance(value, (list, tuple)):
        return ", ".join(cell_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def sort_key(value: Any) -> float | str:
    """What a cell sorts by: its explicit key, else its number, else its text."""
    if isinstance(value, Cell) and value.sort is not None:
        return value.sort
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return cell_text(value)
