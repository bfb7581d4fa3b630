"""Which columns a terminal table shows at a given width: empty columns hidden, free text moved under the table,
headers shortened, then columns left out by priority, so that ids and figures are never broken across lines."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rich.cells import cell_len

from . import Fit, Report, cell_text

GAP = 2  # cells between two columns (terminal.py: no edges, one divider, one cell of padding)
INLINE_MIN = 30  # free text narrower than this moves under the table


@dataclass
class Column:
    key: str
    header: str
    fit: Fit
    cells: list[str]
    wrap: bool = True
    minimum: int = 1  # the narrowest it can be without breaking a word (or, when it does not wrap, a cell)
    natural: int = 1  # the widest cell or header line
    width: int = 1  # what it is given (allot)

    def measure(self, header: str) -> Column:
        lines = [line for text in self.cells for line in text.splitlines()]
        # a word never breaks, except a path: an id must stay whole to be copied, a long URL or repo may fold
        words = [word for line in [*lines, header] for word in line.split() if "/" not in word]
        widest_word = max(map(cell_len, words), default=1)
        natural = max(map(cell_len, [*lines, *header.splitlines()]), default=1)
        wrap = self.fit.wrap if self.fit.wrap is not None else any(" " in line.strip() for line in lines)
        minimum = widest_word if wrap else natural  # a header that does not wrap either: `short` abbreviates it
        return replace(self, header=header, wrap=wrap, minimum=max(minimum, 1), natural=max(natural, 1))


@dataclass
class Layout:
    columns: list[Column]
    below: Column | None = None  # shown under the table, one line per row
    labels: list[str] = field(default_factory=list)  # what names each row in the lines under the table
    notes: list[str] = field(default_factory=list)  # what was hidden or left out, and why


def span(columns: list[Column], widths: list[int]) -> int:
    return sum(widths) + GAP * max(len(columns) - 1, 0)


def plan(report: Report, width: int) -> Layout:
    """The columns of `report` that fit `width` terminal cells, each with the width it needs."""
    columns: list[Column] = []
    notes: list[str] = []
    for key, header in report.columns:
        fit = report.fit.get(key, Fit())
        cells = [cell_text(row.get(key)) for row in report.rows]
        if report.rows and not any(text.strip() for text in cells):
            notes.append(fit.empty or f"{header}: empty in every row, not shown")
            continue
        columns.append(Column(key, header, fit, cells).measure(header))
    below = next((c for c in columns if c.fit.below), None)
    if below is not None:
        others = [c for c in columns if c is not below]
        room = width - span(others, [c.natural for c in others]) - GAP
        if room >= max(INLINE_MIN, below.minimum) or not others:
            below = None
        else:
            columns = others
    if span(columns, [c.minimum for c in columns]) > width:
        columns = [c.measure(c.fit.short) if c.fit.short else c for c in columns]
    everything = {c.key: c for c in columns}
    left_out: list[str] = []
    while span(columns, [c.minimum for c in columns]) > width:
        droppable = [(c.fit.priority, i) for i, c in enumerate(columns) if c.fit.priority > 0]
        if not droppable:  # the last resort: words fold rather than lose characters
            share = max((width - GAP * (len(columns) - 1)) // len(columns), 1)
            columns = [replace(c, wrap=True, minimum=min(c.minimum, share)) for c in columns]
            if span(columns, [c.minimum for c in columns]) > width:
                columns = [replace(c, minimum=1) for c in columns]
            break
        left_out.append(columns.pop(max(droppable)[1]).key)
    order = [key for key, _ in report.columns]
    for column in sorted((everything[key] for key in left_out), key=lambda c: c.fit.priority):
        if span(columns, [c.minimum for c in columns]) + GAP + column.minimum <= width:  # room left over
            columns = sorted([*columns, column], key=lambda c: order.index(c.key))
            left_out.remove(column.key)
    if left_out:
        names = [header for key, header in report.columns if key in left_out]
        notes.append(f"left out at {width} columns: {', '.join(names)} (a wider terminal or "
                     "--format markdown shows every column)")
    kept = [c for c in columns if c.fit.priority == 0] or columns[:1]
    labels = [" ".join(c.cells[i] for c in kept) for i in range(len(report.rows))] if below else []
    return Layout(allot(columns, width), below, labels, notes)


def allot(columns: list[Column], width: int) -> list[Column]:
    """Each column's width: its minimum, then what is left to the narrowest columns of text that want more, level
    by level (free text last: it takes what remains)."""
    widths = [c.minimum for c in columns]
    spare = width - span(columns, widths)
    for free_text in (False, True):
        wanting = [i for i, c in enumerate(columns) if c.wrap and c.fit.below == free_text]
        while spare > 0:
            short = [i for i in wanting if widths[i] < columns[i].natural]
            if not short:
                break
            level = min(widths[i] for i in short)
            lowest = [i for i in short if widths[i] == level]
            step = min([widths[i] for i in short if widths[i] > level] + [columns[i].natural for i in lowest]) - level
            if step * len(lowest) > spare:
                step, extra = divmod(spare, len(lowest))
                lowest_extra = set(lowest[:extra])
            else:
                lowest_extra = set()
            for i in lowest:
                widths[i] += step + (i in lowest_extra)
                spare -= step + (i in lowest_extra)
    return [replace(c, width=w) for c, w in zip(columns, widths, strict=True)]
