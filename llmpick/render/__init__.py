"""Output formats: every command builds a Report, and one formatter per format turns it into text."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Protocol

SCHEMA_VERSION = 1


@dataclass
class Report:
    """What a command shows: a table for people, `data` for machines."""

    kind: str  # "models", "model", "licenses", "recommendation", ...
    columns: list[tuple[str, str]]  # (key, header)
    rows: list[dict[str, Any]]  # display values by column key
    data: Any  # the JSON payload (plain dicts, lists, strings and numbers)
    title: str | None = None
    notes: list[str] = field(default_factory=list)  # lines shown under the table


class Formatter(Protocol):
    def __call__(self, report: Report) -> str: ...


class OutputFormat(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"

    def formatter(self) -> Formatter:
        module = import_module(f"{__name__}.{_MODULES[self]}")
        return module.format_report


_MODULES = {
    OutputFormat.table: "terminal",
    OutputFormat.json: "json_format",
    OutputFormat.csv: "csv_format",
    OutputFormat.markdown: "markdown",
}


def render(report: Report, fmt: OutputFormat) -> str:
    return OutputFormat(fmt).formatter()(report)


def cell_text(value: Any) -> str:
    """A display value as one plain string (lists joined, None empty)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(cell_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
