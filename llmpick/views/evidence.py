"""What the quality index rests on: each model's index with its inputs (`llmpick quality`), and how much evidence
the catalog holds (`llmpick stats`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from ..catalog.catalog import Catalog
from ..catalog.quality import Item, Observation, Quality, contribution, index_of, observations
from ..core.report import ID, Cell, Fit, Report

ADVICE_TASKS = {"chat", "instruct", "code", "reasoning"}
RECENT = dt.date(2024, 1, 1)


def _inputs(catalog: Catalog, model: str) -> list[dict[str, Any]]:
    assert catalog.quality is not None
    found = observations([catalog.get(model)], catalog.benchmarks)
    rows = [(o, catalog.quality.items.get(o.item)) for o in found]
    total = sum(contribution(o, item) for o, item in rows if item) or 1.0
    out = []
    for o, item in rows:
        entry: dict[str, Any] = {"benchmark": o.benchmark, "variant": o.variant, "score": o.score,
                                 "evaluator": o.evaluator, "weight": round(o.weight, 3)}
        if item is None:
            entry.update(used=False, why=f"fewer than the models needed to calibrate {o.item.rstrip('|')}")
        else:
            entry.update(used=True, implied_index=round(_implied(o, item), 1),
                         share=round(contribution(o, item) / total, 3))
        out.append(entry)
    return out


def _implied(o: Observation, item: Item) -> float:
    return index_of((o.value - item.intercept) / item.slope)


def quality_data(q: Quality) -> dict[str, Any]:
    return {"index": round(q.index, 2), "error": round(q.error, 2), "imputed": q.imputed or None,
            "evidence": None if q.evidence is None else round(q.evidence, 2),
            "focus": {name: {"index": round(value, 2), "error": round(error, 2), "read": name in q.read}
                      for name, value, error in q.focus}}


def quality_report(catalog: Catalog, ids: list[str]) -> Report:
    """The index of each model in `ids` (all with an index when empty), best first; a single model's inputs."""
    model = catalog.quality
    assert model is not None
    chosen = ids or [card_id for card_id in catalog.cards if model.of(card_id)]
    ranked = sorted(chosen, key=lambda i: -model.qualities[i].index if i in model.qualities else 0.0)
    rows, data = [], []
    for card_id in ranked:
        q = model.of(card_id)
        inputs = _inputs(catalog, card_id)
        entry = {"id": card_id, **(quality_data(q) if q else {"index": None}), "inputs": inputs}
        data.append(entry)
        rows.append({
            "id": card_id,
            "index": Cell(q.text, q.index) if q else Cell("none", -1.0),
            "from": q.imputed if q and q.imputed else f"{sum(i['used'] for i in inputs)} figures",
            "focus": ", ".join(f"{name} {value:.0f}" for name, value, _ in q.focus if name in q.read) if q else "",
        })
    notes = []
    if len(ranked) == 1:
        for i in data[0]["inputs"]:
            head = f"{i['benchmark']} {i['score']:g} ({i['variant'] or 'no variant'}, {i['evaluator']})"
            notes.append(f"{head}: implies {i['implied_index']}, {i['share']:.0%} of the weight" if i["used"]
                         else f"{head}: not used, {i['why']}")
    notes.append("index: 50 = the mean of the benchmarked models, 15 = one standard deviation; ~ = estimated "
                 "without figures of its own; docs/scoring.md")
    columns = [("id", "Model"), ("index", "Index ± error"), ("from", "From"), ("focus", "By task")]
    items = {key: {"intercept": round(i.intercept, 4), "slope": round(i.slope, 4), "noise": round(i.noise, 4),
                   "models": i.models} for key, i in sorted(model.items.items())}
    fit = {"id": ID, "index": Fit(priority=0, wrap=False, short="Index"), "from": Fit(priority=2),
           "focus": Fit(priority=1)}
    return Report("quality", columns, rows, {"models": data, "items": items}, notes=notes, fit=fit)


def _figures(card) -> list:
    return [f for figs in card.benchmarks.values() for f in figs]


def _independent(figures: list) -> int:
    return sum(f.evaluator == "independent" for f in figures)


def lacks(card) -> list[str]:
    """What a chat/instruct/code/reasoning card lacks of the evidence target (issue 16): two figures, one of them
    independent, for a model released since 2024; one figure before. Empty when the card meets it (or needs none)."""
    if not ADVICE_TASKS & set(card.tasks):
        return []
    figures = _figures(card)
    if card.released < RECENT:
        return [] if figures else ["a figure"]
    missing = [f"{2 - len(figures)} more figure(s)"] if len(figures) < 2 else []
    if not _independent(figures):
        missing.append("an independent figure")
    return missing


def short_report(catalog: Catalog) -> Report:
    """The cards short of the evidence target, oldest first, with what each lacks."""
    rows, data = [], []
    for card in sorted(catalog, key=lambda c: (c.released, c.id)):
        missing = lacks(card)
        if not missing:
            continue
        figures = _figures(card)
        entry = {"id": card.id, "released": card.released.isoformat(), "figures": len(figures),
                 "independent": _independent(figures), "lacks": missing}
        data.append(entry)
        rows.append({**entry, "lacks": "; ".join(missing)})
    columns = [("id", "Model"), ("released", "Released"), ("figures", "Figures"), ("independent", "Independent"),
               ("lacks", "Lacks")]
    notes = ["target: since 2024 two figures, one independent where an independent evaluator has run the model; "
             "before 2024 one figure (docs/scoring.md). A card whose notes say no independent source exists stays "
             "listed: the target is a question to ask, not a rule a card breaks"]
    return Report("stats-short", columns, rows, data, notes=notes,
                  title=f"{len(rows)} cards short of the evidence target", fit={"id": ID, "lacks": Fit(priority=0)})


def stats_report(catalog: Catalog) -> Report:
    """Evidence coverage: how many advice-relevant cards carry figures, and which benchmarks."""
    recent = [c for c in catalog if c.released >= RECENT and ADVICE_TASKS & set(c.tasks)]
    older = [c for c in catalog if c.released < RECENT and ADVICE_TASKS & set(c.tasks)]

    def coverage(cards: list) -> dict[str, int]:
        return {"cards": len(cards), "with_2_figures": sum(len(_figures(c)) >= 2 for c in cards),
                "with_independent": sum(bool(_independent(_figures(c))) for c in cards),
                "with_any": sum(bool(_figures(c)) for c in cards)}

    by_benchmark: Counter[str] = Counter()
    by_evaluator: Counter[str] = Counter()
    for card in catalog:
        for bench, figs in card.benchmarks.items():
            by_benchmark[bench] += len(figs)
            by_evaluator.update(f.evaluator for f in figs)
    qualities = catalog.quality.qualities if catalog.quality else {}
    data = {
        "cards": len(catalog),
        "advice_cards_since_2024": coverage(recent),
        "advice_cards_before_2024": coverage(older),
        "figures": sum(by_benchmark.values()),
        "by_evaluator": dict(by_evaluator),
        "by_benchmark": dict(by_benchmark.most_common()),
        "short_of_target": sum(bool(lacks(c)) for c in catalog),
        "quality": {"measured": sum(not q.imputed for q in qualities.values()),
                    "imputed": sum(bool(q.imputed) for q in qualities.values()),
                    "none": len(catalog) - len(qualities)},
    }
    rows = []
    for label, key in (("chat/instruct/code/reasoning cards since 2024", "advice_cards_since_2024"),
                       ("the same, released before 2024", "advice_cards_before_2024")):
        c = data[key]
        rows.append({"what": label, "value": f"{c['cards']} cards: {c['with_2_figures']} with 2+ figures, "
                                             f"{c['with_independent']} with an independent one, "
                                             f"{c['cards'] - c['with_any']} with none"})
    rows.append({"what": "benchmark figures", "value": f"{data['figures']} ("
                 + ", ".join(f"{n} {e}" for e, n in by_evaluator.most_common()) + ")"})
    rows.append({"what": "by benchmark", "value": ", ".join(f"{b} {n}" for b, n in by_benchmark.most_common())})
    rows.append({"what": "short of the evidence target", "value": f"{data['short_of_target']} cards "
                                                                   "(llmpick catalog stats --short lists them)"})
    q = data["quality"]
    rows.append({"what": "quality index", "value": f"{q['measured']} measured, {q['imputed']} estimated, "
                                                    f"{q['none']} none (encoders)"})
    return Report("stats", [("what", "What"), ("value", "Count")], rows, data, title=f"{len(catalog)} cards",
                  fit={"what": Fit(priority=0), "value": Fit(priority=0)})
