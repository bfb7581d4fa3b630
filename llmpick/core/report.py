"""The report model: what a command shows (a table for people, `data` for machines), before any format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# 3: memory figures' keys say their unit (`*_gib`; docs/export.md "Units"); 2: benchmark figures are lists and
# recommendation components quality points (CHANGELOG.md)
SCHEMA_VERSION = 3


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
    estimated: bool = False  # drawn hollow: y is an estimate, not a measurement (an imputed quality index)


@dataclass
class Chart:
    """A scatter plot for formats that can draw one (HTML)."""

    title: str
    x_label: str
    y_label: str
    points: list[Point]
    note: str = ""


@dataclass(frozen=True)
class Fit:
    """How a column behaves in a terminal narrower than its table (render/layout.py); other formats ignore it."""

    priority: int = 1  # 0: always shown; as the terminal narrows, the highest number is left out first
    wrap: bool | None = None  # False: ids and figures, never broken across lines; None: wrap text that has spaces
    short: str | None = None  # the header when the terminal is narrow
    below: bool = False  # free text: takes the width left over, or moves under the table as one line per row
    empty: str | None = None  # said once under the table when every row is empty and the column is hidden


ID = Fit(priority=0, wrap=False)  # the column that names a row (a model id): always shown, never broken
FIGURE = Fit(wrap=False)  # a number with its unit


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
    fit: dict[str, Fit] = field(default_factory=dict)  # by column key; a column without one gets Fit()


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
