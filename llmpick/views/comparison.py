"""Comparison tables: models side by side (`compare`) and the catalog as rows (`export`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..catalog.cards import Card
from ..catalog.catalog import Catalog
from ..catalog.records import CardRecord
from ..core.errors import UsageError
from ..core.report import Chart, Fit, Point, Report, sort_key
from .fields import COMPARE_FIELDS, EXPORT_COLUMNS, Facts, choose, display, quality_of, value_and_display

DEFAULT_CONTEXT = 4096


def _point(f: Facts) -> Point | None:
    """A model on the memory-versus-quality chart: its calibrated quality index, hollow when the index is estimated
    without figures of its own; None for a model without an index (an encoder)."""
    q = quality_of(f)
    if q is None:
        return None
    return Point(f.record.id, f.memory_gib("q4_k_m"), round(q.index, 1), f.license.commercial, bool(q.imputed))


def _chart(points: Sequence[Point | None], contexts: set[int]) -> Chart:
    """The chart of the models whose points are given in order (None: a model without a quality index)."""
    plotted = [p for p in points if p is not None]
    missing = len(points) - len(plotted)
    at = f"{next(iter(contexts))} tokens of context" if len(contexts) == 1 else "each model's context, capped"
    return Chart("Memory versus quality", f"memory at q4_k_m with {at} (GiB, log scale)",
                 "quality index (50 = mean of benchmarked models)", plotted,
                 note=f"{missing} models without a quality index are not plotted" if missing else "")


def compare(catalog: Catalog, ids: Sequence[str], context: int = DEFAULT_CONTEXT, diff: bool = False) -> Report:
    """Fields as rows, models as columns; with `diff`, rows whose values differ are marked."""
    if len(ids) < 2:
        raise UsageError("compare needs at least two models", "e.g. llmpick compare llama-2-13b-chat yi-34b-chat")
    cards = [catalog.get(model) for model in ids]
    twice = [card_id for card_id, n in Counter(c.id for c in cards).items() if n > 1]
    if twice:
        raise UsageError(f"{twice[0]} is named twice", "name each model once")
    facts = [Facts.of(catalog, card.id, context) for card in cards]
    keys = list(COMPARE_FIELDS)
    after_openness = keys.index("openness") + 1
    keys[after_openness:after_openness] = sorted({f"bench_{name}" for card in cards for name in card.benchmarks})
    fields = choose(keys)
    columns = [("field", "Field"), *((f.record.id, f.record.id) for f in facts)]
    values = {fld.key: [fld.value(f) for f in facts] for fld in fields}
    rows: list[dict[str, Any]] = []
    differing: list[str] = []
    for fld in fields:
        row: dict[str, Any] = {"field": fld.label}
        row.update({f.record.id: display(fld, f) for f in facts})
        if any(v != values[fld.key][0] for v in values[fld.key][1:]):
            differing.append(fld.key)
            if diff:
                row["field"] = "≠ " + fld.label
        rows.append(row)
    highlight = {i for i, fld in enumerate(fields) if fld.key in differing} if diff else set()
    data = {
        "context": context,
        "fields": [{"key": fld.key, "label": fld.label} for fld in fields],
        "models": [{fld.key: values[fld.key][i] for fld in fields} | {"id": f.record.id} for i, f in enumerate(facts)],
        "differences": differing,
    }
    notes = [f"memory: total estimate for inference with {context} tokens of context (capped at each model's own), "
             "weights + KV cache + activations + overhead; see docs/memory.md"]
    if diff:
        notes.append(f"≠ marks the {len(differing)} of {len(fields)} fields that differ")
    chart = _chart([_point(f) for f in facts], {f.context for f in facts})
    return Report("comparison", columns, rows, data, title="Comparison: " + ", ".join(c.id for c in cards),
                  notes=notes, highlight=highlight, chart=chart, fit={key: Fit(priority=0) for key, _ in columns})


def export(catalog: Catalog, models: Sequence[Card | CardRecord], columns: Sequence[str] = EXPORT_COLUMNS,
           sort: str | None = None, context: int = DEFAULT_CONTEXT, constraints: Sequence[str] = ()) -> Report:
    """The given models as rows with the chosen columns, sorted by one column (`-key` for descending).

    One model at a time: its row, its JSON entry and its chart point are made and its card let go, so
    memory holds the output and the cached records, never every card at once."""
    fields = choose(list(columns))
    if not fields:
        raise UsageError("--columns is empty", f"e.g. --columns {','.join(EXPORT_COLUMNS[:4])}")
    by = choose([sort.removeprefix("-")], "--sort")[0] if sort else None
    descending = (sort or "").startswith("-")
    rows, entries, points, keys, contexts = [], [], [], [], set()
    memory_memo: dict = {}
    for card_id in sorted(model.id for model in models):
        f = Facts.of(catalog, card_id, context, memory_memo)
        row, entry = {}, {}
        for fld in fields:
            entry[fld.key], row[fld.key] = value_and_display(fld, f)
        row["verdict"] = f.license.commercial
        rows.append(row)
        entries.append(entry)
        points.append(_point(f))
        contexts.add(f.context)
        if by:
            keys.append(sort_key(row[by.key] if by.key in row else display(by, f)))
    if by:
        order = _order(keys, descending)
        rows, entries, points = [rows[i] for i in order], [entries[i] for i in order], [points[i] for i in order]
    data = {"context": context, "columns": [fld.key for fld in fields], "models": entries}
    notes = [f"{len(rows)} of {len(catalog)} models" + (f" meet: {'; '.join(constraints)}" if constraints else "")]
    if any(fld.key.startswith("memory_") for fld in fields):
        notes.append(f"memory: total inference estimate with {context} tokens of context (capped at each model's "
                     "own): weights, KV cache, activations and overhead; fp16 is full precision, q8_0 8-bit and "
                     "q4_k_m 4-bit quantization (see docs/memory.md)")
    return Report("export", [(fld.key, fld.label) for fld in fields], rows, data, title="llmpick catalog",
                  notes=notes, row_class="verdict", chart=_chart(points, contexts),
                  fit={fld.key: fld.fit for fld in fields})


def _order(keys: list[Any], descending: bool) -> list[int]:
    """Positions in a stable sort by `keys`; empty values last in either direction."""
    present = [((1, k.lower()) if isinstance(k, str) else (0, k), i) for i, k in enumerate(keys) if k != ""]
    present.sort(key=lambda pair: pair[0], reverse=descending)
    return [i for _, i in present] + [i for i, k in enumerate(keys) if k == ""]
