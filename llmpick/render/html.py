"""One self-contained HTML page: a sortable, filterable table and an inline SVG chart; no network, all escaped."""

from __future__ import annotations

import math
import re
from html import escape
from typing import TextIO

from ..core.vocab import VERDICT_WORDS as VERDICT_LABELS
from . import Chart, Report, as_text, cell_text, sort_key

# The policy forbids every fetch: a page that cannot load anything cannot leak or break offline.
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

STYLE = """
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; }
body { margin: 1.5rem; }
h1 { font-size: 1.4rem; }
.controls { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin: 0.5rem 0 1rem; }
.controls input { font-size: 1rem; padding: 0.3rem 0.5rem; min-width: 18rem; }
.controls select { font-size: 1rem; padding: 0.25rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
td { unicode-bidi: isolate; }  /* a right-to-left mark in one cell cannot reorder another */
th, td { border: 1px solid #c8c8c8; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; position: sticky; top: 0; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button:focus-visible { outline: 2px solid #1a5fb4; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
tr.v-yes td:first-child { border-left: 6px solid #2e7d32; }
tr.v-conditional td:first-child { border-left: 6px solid #ed6c02; }
tr.v-no td:first-child { border-left: 6px solid #c62828; }
tr.v-yes { background: #edf7ed; }
tr.v-conditional { background: #fff4e5; }
tr.v-no { background: #fdeded; }
tr.highlight td { font-weight: 600; background: #fff8c4; }
.legend span { margin-right: 1rem; }
.legend .v-yes { color: #2e7d32; } .legend .v-conditional { color: #b45309; } .legend .v-no { color: #c62828; }
.notes { color: #444; font-size: 0.85rem; }
figure { margin: 1.5rem 0; }
svg .v-yes { fill: #2e7d32; stroke: #2e7d32; } svg .v-conditional { fill: #ed6c02; stroke: #ed6c02; }
svg .v-no { fill: #c62828; stroke: #c62828; } svg .other { fill: #555; stroke: #555; }
svg circle.estimated { fill-opacity: 0; stroke-width: 1.5; }
svg text { font-size: 11px; fill: #333; }
svg line.axis { stroke: #333; } svg line.grid { stroke: #ddd; }
@media print {
  .controls { display: none; }
  th { position: static; }
  tr { break-inside: avoid; }
  tr.v-yes, tr.v-conditional, tr.v-no { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

SCRIPT = """
(function () {
  var table = document.getElementById("data");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filter = document.getElementById("filter");
  var verdict = document.getElementById("verdict");
  var count = document.getElementById("count");
  function key(row, i) {
    var value = row.cells[i].getAttribute("data-sort");
    var number = Number(value);
    return value !== "" && !isNaN(number) ? number : value.toLowerCase();
  }
  function compare(a, b) {
    if (a === b) return 0;
    if (a === "") return 1;
    if (b === "") return -1;
    if (typeof a === typeof b) return a < b ? -1 : 1;
    return typeof a === "number" ? -1 : 1;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.querySelector("button").addEventListener("click", function () {
      var descending = th.getAttribute("aria-sort") === "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      rows.sort(function (a, b) {
        var order = compare(key(a, i), key(b, i));
        if (order !== 0 && descending && key(a, i) !== "" && key(b, i) !== "") order = -order;
        return order || Number(a.getAttribute("data-index")) - Number(b.getAttribute("data-index"));
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  function apply() {
    var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var wanted = verdict ? verdict.value : "";
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var ok = words.every(function (w) { return text.indexOf(w) !== -1; }) &&
               (!wanted || row.getAttribute("data-class") === wanted);
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    count.textContent = shown + " of " + rows.length + " rows";
  }
  filter.addEventListener("input", apply);
  if (verdict) verdict.addEventListener("change", apply);
  apply();
})();
"""



def _token(value: object) -> str:
    return re.sub(r"[^a-z0-9-]", "", str(value).lower())


def _write_table(report: Report, out: TextIO) -> None:
    head = "".join(f'<th scope="col"><button type="button">{escape(header)}</button></th>'
                   for _, header in report.columns)
    out.write(f'<table id="data">\n<thead><tr>{head}</tr></thead>\n<tbody>\n')
    for index, row in enumerate(report.rows):
        group = _token(row.get(report.row_class, "")) if report.row_class else ""
        classes = [f"v-{group}"] if group else []
        if index in report.highlight:
            classes.append("highlight")
        cells = "".join(
            f'<td data-sort="{escape(str(sort_key(row.get(key))))}">{escape(cell_text(row.get(key)))}</td>'
            for key, _ in report.columns)
        out.write(f'<tr data-index="{index}" data-class="{group}" class="{" ".join(classes)}">{cells}</tr>\n')
    out.write(("" if report.rows else "\n") + "</tbody>\n</table>")  # an empty body is one blank line


def _controls(report: Report) -> str:
    parts = ['<label>Filter <input id="filter" type="search" placeholder="Type to filter rows, e.g. apache-2.0 zh" '
             'autocomplete="off"></label>']
    groups = sorted({_token(row.get(report.row_class, "")) for row in report.rows} - {""}) if report.row_class else []
    if groups:
        options = "".join(f'<option value="{g}">{escape(VERDICT_LABELS.get(g, g))}</option>' for g in groups)
        parts.append(f'<label>Commercial use <select id="verdict"><option value="">any</option>{options}'
                     '</select></label>')
    parts.append('<span id="count" aria-live="polite"></span>')
    return '<div class="controls">' + "".join(parts) + "</div>"


def _legend(report: Report) -> str:
    if not report.row_class:
        return ""
    items = "".join(f'<span class="v-{k}">■ {escape(v)}</span>' for k, v in VERDICT_LABELS.items())
    return f'<p class="legend">{items}</p>'


def _ticks(low: float, high: float, log: bool) -> list[float]:
    if log:
        return [10.0 ** e * m for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
                for m in (1, 2, 5) if low <= 10.0 ** e * m <= high]
    step = 10 ** math.floor(math.log10((high - low) or 1.0))
    if (high - low) / step < 4:
        step /= 2
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def chart_value(chart: Chart) -> str:
    """What y is, in a few words: the axis label up to its explanation."""
    return chart.y_label.split(" (")[0]


def chart_svg(chart: Chart, width: int = 760, height: int = 420) -> str:
    """A scatter plot: x on a log scale (memory spans orders of magnitude), y linear."""
    if not chart.points:
        return ""
    left, right, top, bottom = 60, 20, 20, 50
    xs = [p.x for p in chart.points]
    ys = [p.y for p in chart.points]
    x_low, x_high = min(xs) / 1.25, max(xs) * 1.25
    y_pad = max((max(ys) - min(ys)) * 0.08, 1.0)
    y_low, y_high = min(ys) - y_pad, max(ys) + y_pad

    def px(x: float) -> float:
        span = math.log10(x_high) - math.log10(x_low)
        return left + (math.log10(x) - math.log10(x_low)) / span * (width - left - right)

    def py(y: float) -> float:
        return top + (y_high - y) / (y_high - y_low) * (height - top - bottom)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-labelledby="chart-title">',
             f'<title id="chart-title">{escape(chart.title)}</title>']
    for x in _ticks(x_low, x_high, log=True):
        parts.append(f'<line class="grid" x1="{px(x):.1f}" y1="{top}" x2="{px(x):.1f}" y2="{height - bottom}"/>')
        parts.append(f'<text x="{px(x):.1f}" y="{height - bottom + 15}" text-anchor="middle">{x:g}</text>')
    for y in _ticks(y_low, y_high, log=False):
        parts.append(f'<line class="grid" x1="{left}" y1="{py(y):.1f}" x2="{width - right}" y2="{py(y):.1f}"/>')
        parts.append(f'<text x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:g}</text>')
    parts.append(f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}"/>')
    parts.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}"/>')
    parts.append(f'<text x="{(left + width - right) / 2}" y="{height - 10}" text-anchor="middle">'
                 f'{escape(chart.x_label)}</text>')
    parts.append(f'<text transform="translate(14 {(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">'
                 f'{escape(chart.y_label)}</text>')
    for point in sorted(chart.points, key=lambda p: (p.x, p.label)):
        group = _token(point.group)
        css = (f"v-{group}" if group in VERDICT_LABELS else "other") + (" estimated" if point.estimated else "")
        how = " (estimated)" if point.estimated else ""
        parts.append(f'<circle class="{css}" cx="{px(point.x):.1f}" cy="{py(point.y):.1f}" r="5" fill-opacity="0.8">'
                     f'<title>{escape(point.label)}: {point.x:.1f} GiB, {escape(chart_value(chart))} '
                     f'{point.y:g}{how}</title></circle>')
    parts.append("</svg>")
    hollow = "; hollow points: estimated without figures of their own" if any(p.estimated for p in chart.points) else ""
    caption = escape(chart.title) + (f" — {escape(chart.note)}" if chart.note else "") + hollow
    return f"<figure>{''.join(parts)}<figcaption>{caption}</figcaption></figure>"


def write_report(report: Report, out: TextIO) -> None:
    title = escape(report.title or f"llmpick {report.kind}")
    notes = "".join(f"<p>{escape(note)}</p>" for note in report.notes)
    chart = chart_svg(report.chart) if report.chart else ""
    out.write(f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{title}</h1>
{_legend(report)}
{chart}
{_controls(report)}
""")
    _write_table(report, out)
    out.write(f"""
<div class="notes">{notes}</div>
<script>{SCRIPT}</script>
</body>
</html>
""")


format_report = as_text(write_report)
