"""Turn catalog objects into Reports (rows for tables, plain data for JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..advice.launch import plan
from ..advice.memory import READ_PER_TOKEN
from ..advice.offload import offload_data, offload_text
from ..catalog.cards import Card
from ..catalog.catalog import Catalog
from ..catalog.licenses import VERDICT_WORDS, EffectiveLicense
from ..core.report import FIGURE, ID, Fit, Report
from .fields import claim_text, context_text, figure_text, lineage_text, params_text, verdict_text
from .running import section, show_plan, show_rows, top_lines


def license_data(eff: EffectiveLicense) -> dict[str, Any]:
    return {
        "id": eff.license.id,
        "commercial": eff.commercial,
        "conditions": list(eff.conditions),
        "decided_by": eff.decided_by,
        "chain": [{"model": s.card_id, "license": s.license_id, "commercial": s.commercial} for s in eff.chain],
        "provenance": [{"flag": flag, "model": model} for flag, model in eff.provenance],
    }


def card_summary(catalog: Catalog, card: Card) -> dict[str, Any]:
    eff = catalog.effective_license(card.id)
    arch = card.architecture
    return {
        "id": card.id,
        "name": card.name,
        "family": card.family,
        "publisher": card.publisher,
        "released": card.released.isoformat(),
        "params_b": arch.params_b,
        "active_params_b": arch.active_params_b,
        "architecture": arch.type,
        "context_length": card.context_length,
        "languages": card.languages,
        "tasks": card.tasks,
        "modalities": card.modalities,
        "license": card.license,
        "effective_license": license_data(eff),
        "hf_repos": card.hf_repos,
    }


def models_report(catalog: Catalog, cards: list[Card]) -> Report:
    rows = []
    for card in cards:
        eff = catalog.effective_license(card.id)
        rows.append({
            "id": card.id, "params": params_text(card), "context": context_text(card.context_length),
            "license": eff.license.id, "commercial": verdict_text(eff),
            "languages": card.languages, "tasks": card.tasks, "verdict": eff.commercial,
        })
    columns = [("id", "Model"), ("params", "Params"), ("context", "Context"), ("license", "License"),
               ("commercial", "Commercial"), ("languages", "Languages"), ("tasks", "Tasks")]
    data = [card_summary(catalog, card) for card in cards]
    fit = {"id": ID, "params": Fit(priority=4, wrap=False), "context": Fit(priority=2, wrap=False),
           "license": Fit(priority=3, wrap=False), "commercial": Fit(priority=1), "languages": Fit(priority=5),
           "tasks": Fit(priority=6)}
    return Report("models", columns, rows, data, notes=[f"{len(cards)} models"], row_class="verdict", fit=fit)


def card_report(catalog: Catalog, card: Card) -> Report:
    eff = catalog.effective_license(card.id)
    data = card.model_dump(mode="json", exclude_none=True)
    data["effective_license"] = license_data(eff)
    data["file"] = catalog.origins[card.id]
    chain = lineage_text(eff)
    rows: list[dict[str, Any]] = []

    def add(name: str, value: Any) -> None:
        if value not in (None, [], {}, ""):
            rows.append({"field": name, "value": value})

    add("id", card.id)
    add("name", card.name)
    add("publisher", card.publisher)
    add("family", card.family)
    add("released", card.released.isoformat())
    add("base model", card.base_model)
    add("effective license", f"{eff.license.id}: {VERDICT_WORDS[eff.commercial]}"
        + (f" (inherited from {eff.decided_by})" if eff.inherited else ""))
    add("license chain", chain)
    add("conditions", list(eff.conditions))
    add("license summary", eff.license.summary)
    add("provenance", [f"{flag} ({model})" for flag, model in eff.provenance])
    arch = card.architecture
    add("architecture", arch.type)
    add("parameters", params_text(card))
    for name in ("layers", "hidden_size", "attention_heads", "kv_heads", "head_dim", "intermediate_size",
                 "vocab_size", "experts", "experts_per_token", "sliding_window"):
        add(name.replace("_", " "), getattr(arch, name))
    add("context length", card.context_length)
    add("languages", card.languages)
    add("modalities", card.modalities)
    add("tasks", card.tasks)
    add("openness", f"weights {card.openness.weights}, code {card.openness.code}, data {card.openness.data}")
    add("hf repos", card.hf_repos)
    add("aliases", card.aliases)
    run_plan = show_plan(card)
    data["run"] = run_plan.data()
    rows += show_rows(card, run_plan)
    for name, figures in card.benchmarks.items():
        for figure in figures:
            add(f"benchmark {name}", figure_text(figure))
    for claim in card.hardware_claims:
        add("hardware claim", f"{claim_text(claim)} ({claim.source})")
    add("sources", card.sources)
    add("verified", card.verified.isoformat())
    add("notes", card.notes)
    add("file", catalog.origins[card.id])
    return Report("model", [("field", "Field"), ("value", "Value")], rows, data, title=card.name,
                  fit={"field": ID, "value": Fit(priority=0)})


def licenses_report(catalog: Catalog, license_ids: list[str]) -> Report:
    users: dict[str, list[str]] = {}
    for card in catalog:
        users.setdefault(card.license, []).append(card.id)
    rows, data = [], []
    for license_id in license_ids:
        lic = catalog.licenses[license_id]
        models = sorted(users.get(license_id, []))
        rows.append({"id": lic.id, "commercial": lic.commercial, "conditions": lic.conditions,
                     "summary": lic.summary, "models": len(models)})
        entry = lic.model_dump(mode="json", exclude_none=True)
        entry["models"] = models
        data.append(entry)
    columns = [("id", "License"), ("commercial", "Commercial"), ("conditions", "Conditions"),
               ("summary", "Summary"), ("models", "Models")]
    notes = []
    if len(license_ids) == 1:
        notes = [f"url: {data[0]['url']}", "models: " + (", ".join(data[0]["models"]) or "none")]
    fit = {"id": ID, "commercial": Fit(priority=2, wrap=False, short="Comm."), "conditions": Fit(priority=3),
           "summary": Fit(priority=4), "models": Fit(priority=1, wrap=False, short="#")}
    return Report("licenses", columns, rows, data, notes=notes, fit=fit)


def gib(value: float) -> str:
    return f"{value:.1f}"


def pick_data(rank: int, pick: Any) -> dict[str, Any]:
    est = pick.estimate
    return {
        "rank": rank, "model": pick.model, "name": pick.name, "quant": est.quant,
        "memory": {"total_gib": round(est.total_gib, 3), "weights_gib": round(est.weights_gib, 3),
                   "kv_cache_gib": round(est.kv_cache_gib, 3), "activations_gib": round(est.activations_gib, 3),
                   "overhead_gib": round(est.overhead_gib, 3), "available_gib": round(pick.budget_gib, 3),
                   "context": est.context, "approximate": est.approximate},
        "offload": offload_data(est),
        "tokens_per_s": None if pick.tokens_per_s is None else round(pick.tokens_per_s, 1),
        "tokens_per_s_measured": pick.measured,
        "license": license_data(pick.license),
        "score": round(pick.score, 4),
        "components": {k: round(v, 4) for k, v in pick.components.items()},
        "explanations": pick.explanations,
        "reasons": list(pick.reasons),
        "flags": list(pick.flags),
    }


def recommendation_report(rec: Any, catalog: Catalog, show_all: bool = False, explain: bool = False,
                          installed: set[str] | None = None) -> Report:
    """`installed`: the card ids installed here, marked ✓ (None: not looked for)."""
    rows = []
    for rank, pick in enumerate(rec.top, 1):
        est = pick.estimate
        rows.append({
            "rank": rank, "model": pick.model + (" ✓" if installed and pick.model in installed else ""),
            "quant": est.quant,
            "memory": _memory_cell(est, pick.budget_gib),
            "speed": speed_text(pick.tokens_per_s, pick.measured),
            "context": context_text(catalog.get(pick.model).context_length),
            "license": verdict_text(pick.license) if pick.license.commercial != "yes" else pick.license.license.id,
            "score": f"{pick.score:.1f}",
            "why": "; ".join(pick.reasons + tuple(f"[{f}]" for f in pick.flags)),
            "verdict": pick.license.commercial,
        })
    columns = [("rank", "#"), ("model", "Model"), ("quant", "Quant"), ("memory", "Memory need / avail"),
               ("speed", "Tok/s"), ("context", "Context"), ("license", "License"), ("score", "Score"),
               ("why", "Why")]
    notes = [f"hardware: {rec.hardware.describe()}; context {rec.requirements.context} tokens; "
             f"quantizations {', '.join(rec.requirements.quants)}",
             f"{len(rec.picks)} of {len(rec.picks) + len(rec.rejections)} models pass every rule; showing "
             f"{len(rec.top)}"]
    if not rec.picks:
        notes.insert(0, "no model meets every requirement")
    if rec.offload and any(pick.estimate.offload for pick in rec.top):
        notes.append(rec.offload)
    notes += [f"hint: {line}" for line in rec.advice]
    plans = [plan(catalog.get(pick.model), pick.estimate, rec.hardware) for pick in rec.top]
    notes += top_lines(plans)
    notes += measured_notes(rec.measured, explain, any(pick.measured for pick in rec.top))
    if installed is not None:
        notes.append(f"✓ installed here ({len(installed)} model(s); llmpick installed)")
    if explain:
        weights = ", ".join(f"{k} {v:.2f}" for k, v in rec.weights.items())
        notes.append(f"score = weighted sum of components (weights: {weights})")
        for rank, pick in enumerate(rec.top, 1):
            notes.append(f"#{rank} {pick.model}: score {pick.score:.3f}")
            for name, value in pick.components.items():
                notes.append(f"    {name:<9} {value:.2f} x {rec.weights[name]:.2f}: {pick.explanations[name]}")
            terms = pick.estimate.terms
            notes.append(f"    memory: {'; '.join(t.formula for t in terms if t.name != READ_PER_TOKEN)}")
            notes += [f"    {t.name}: {t.formula}" for t in terms if t.name == READ_PER_TOKEN]
            if pick.estimate.offload:
                notes.append(f"    placement: {offload_text(pick.estimate, long=True)}")
    if show_all:
        for model, rejections in sorted(rec.rejections.items()):
            notes.append(f"rejected {model}: " + "; ".join(f"{r.rule}: {r.reason}" for r in rejections))
    data = {
        "requirements": rec.requirements.model_dump(mode="json"),
        "hardware": {"description": rec.hardware.describe(), "device": rec.hardware.device,
                     "vram_gib": rec.hardware.vram_gib, "gpus": rec.hardware.gpus,
                     "bandwidth_gbs": rec.hardware.bandwidth_gbs, "ram_gib": rec.hardware.ram_gib,
                     "budget_gib": rec.hardware.budget_gib},
        "weights": rec.weights,
        "recommendations": [pick_data(rank, pick) | {"run": one.data()}
                            for rank, (pick, one) in enumerate(zip(rec.top, plans, strict=True), 1)],
        "accepted": len(rec.picks),
        "rejections": [{"model": r.model, "rule": r.rule, "reason": r.reason}
                       for rejections in rec.rejections.values() for r in rejections],
        "advice": rec.advice,
        "calibration": calibration_data(rec.measured),
    }
    if installed is not None:
        data["installed"] = sorted(installed)
    return Report("recommendation", columns, rows, data, notes=notes, row_class="verdict", fit=RECOMMENDATION_FIT)


RECOMMENDATION_FIT = {
    "rank": ID, "model": ID, "quant": Fit(priority=2, wrap=False), "memory": Fit(wrap=False, short="Memory"),
    "speed": Fit(priority=2, wrap=False, empty="Tok/s: not shown, no memory bandwidth is known for this hardware "
                 "(name the GPU with --gpu, or give --mem-bandwidth)"),
    "context": Fit(priority=3, wrap=False), "license": Fit(), "score": Fit(priority=4, wrap=False),
    "why": Fit(below=True),
}


def speed_text(tokens_per_s: float | None, measured: bool) -> str:
    """'23.4 measured' for a speed measured here (llmpick bench), '~23' for an estimate."""
    if tokens_per_s is None:
        return ""
    return f"{tokens_per_s:.1f} measured" if measured else f"~{tokens_per_s:.0f}"


def measured_notes(measured: Any, explain: bool, shown_any: bool) -> list[str]:
    """What the tok/s column owes to runs measured here: a short line, and with --explain the calibration."""
    if measured is None:
        return []
    notes = []
    if shown_any:
        notes.append("tok/s marked measured: llmpick bench on this machine")
    if measured.ratio is not None:
        notes.append(measured.describe() if explain else f"estimated tok/s calibrated x {measured.ratio:.2f} by "
                     f"{measured.calibrated_by} measured run(s) here")
    return notes


def calibration_data(measured: Any) -> dict[str, Any] | None:
    if measured is None:
        return None
    return {"machine": measured.machine, "runs": len(measured.runs), "ratio": measured.ratio,
            "measured_ratio": measured.raw_ratio, "calibrated_by": measured.calibrated_by}


def _memory_cell(est: Any, budget_gib: float) -> str:
    """'9.8 / 12.0 GiB', or for a model split between GPU and RAM the GPU's part and the rest: '7.4 / 7.5 GiB + 2.4
    RAM'."""
    approximate = " ≈" if est.approximate else ""
    if est.offload:
        return f"{gib(est.offload.gpu_gib)} / {gib(budget_gib)} GiB + {gib(est.offload.ram_gib)} RAM{approximate}"
    return f"{gib(est.total_gib)} / {gib(budget_gib)} GiB{approximate}"


def why_not_report(rec: Any, model: str) -> Report:
    verdict = rec.why_not(model)
    if isinstance(verdict, list):
        rows = [{"rule": r.rule, "reason": r.reason} for r in verdict]
        data = {"model": model, "accepted": False, "rejections": rows}
        notes = [f"{model} is rejected by {len(rows)} rule(s)"]
    else:
        rank = rec.picks.position(model) + 1
        rows = [{"rule": f"{k} ({v:.2f} x {rec.weights[k]:.2f})", "reason": verdict.explanations[k]}
                for k, v in verdict.components.items()]
        data = {"model": model, "accepted": True, **pick_data(rank, verdict)}
        notes = [f"{model} passes every rule: rank {rank} of {len(rec.picks)}, score {verdict.score:.1f}, "
                 f"at {verdict.estimate.quant} ({verdict.estimate.total_gib:.1f} GiB)"]
    return Report("why-not", [("rule", "Rule"), ("reason", "Reason")], rows, data, notes=notes,
                  fit={"rule": Fit(priority=0), "reason": Fit(priority=0)})


@dataclass(frozen=True)
class FitExtras:
    """What `fit` shows beside the memory table."""

    run: tuple[Any, str] | None = None  # how to run the chosen setting, and why that one (views/running.fit_plan)
    notes: tuple[str, ...] = ()  # what this machine adds: measured speeds, installed
    installed: frozenset[str] = frozenset()  # quantizations installed here, marked ✓ ("*": the model, quant unknown)


def fit_report(card: Card, settings: list[tuple[str, Any, dict[str, Any]]], hardware_text: str, explain: bool,
               extras: FitExtras = FitExtras()) -> Report:
    """`settings`: advice/fit.fit's (label, estimate, row data) for each setting."""
    rows_data = [data for _, _, data in settings]
    terms = [(label, est) for label, est, _ in settings]
    rows = []
    for entry in rows_data:
        mark = " ✓" if entry["quant"] in extras.installed else ""
        rows.append({
            "setting": entry["setting"] + mark, "context": context_text(entry["context"]),
            "weights": gib(entry["weights_gib"]), "kv": gib(entry["kv_cache_gib"]),
            "overhead": gib(entry["activations_gib"] + entry["overhead_gib"]),
            "total": gib(entry["total_gib"]) + (" ≈" if entry["approximate"] else ""),
            "fits": _split_cell(entry["offload"]) or {True: "yes", False: "no", None: "—"}[entry["fits"]],
            "speed": speed_text(entry["tokens_per_s"], entry.get("tokens_per_s_measured", False)),
        })
    columns = [("setting", "Setting"), ("context", "Context"), ("weights", "Weights GiB"), ("kv", "KV cache GiB"),
               ("overhead", "Activ.+overhead GiB"), ("total", "Total GiB"), ("fits", "Fits"), ("speed", "Tok/s")]
    notes = [f"{card.id}: {params_text(card)}, {card.architecture.type}, max context {card.context_length}",
             f"hardware: {hardware_text}"]
    notes += sorted({note for entry in rows_data for note in entry["notes"]})
    notes += [f"{label}: {offload_text(est, long=True)}" for label, est in terms if est.offload]
    notes += extras.notes
    if explain:
        for label, est in terms:
            notes.append(f"{label}:")
            notes += [f"    {t.name}: {t.formula}" for t in est.terms]
    data = {"model": card.id, "hardware": hardware_text, "rows": rows_data, "run": extras.run and extras.run[0].data()}
    notes += section(*extras.run) if extras.run else []
    return Report("fit", columns, rows, data, notes=notes, fit=FIT_FIT)


FIT_FIT = {
    "setting": ID, "context": Fit(priority=2, wrap=False), "weights": Fit(priority=3, wrap=False, short="Weights"),
    "kv": Fit(priority=3, wrap=False, short="KV"), "overhead": Fit(priority=4, wrap=False, short="Other"),
    "total": Fit(priority=0, wrap=False), "fits": Fit(priority=0, wrap=False),
    "speed": Fit(priority=1, wrap=False, empty=RECOMMENDATION_FIT["speed"].empty),
}


def _split_cell(offload: dict[str, Any] | None) -> str:
    return "" if offload is None else f"{offload['placement']} {offload['gpu_layers']}/{offload['layers']}"


def hardware_report(found: Any) -> Report:
    rows = [{"device": g.name, "total": gib(g.total_gib), "free": "" if g.free_gib is None else gib(g.free_gib),
             "via": g.via} for g in found.gpus]
    if found.ram_gib:
        rows.append({"device": "system RAM", "total": gib(found.ram_gib),
                     "free": "" if found.ram_free_gib is None else gib(found.ram_free_gib), "via": "os"})
    data = {"gpus": [{"name": g.name, "total_gib": round(g.total_gib, 3),
                      "free_gib": None if g.free_gib is None else round(g.free_gib, 3), "via": g.via}
                     for g in found.gpus],
            "ram_gib": None if found.ram_gib is None else round(found.ram_gib, 3),
            "ram_free_gib": None if found.ram_free_gib is None else round(found.ram_free_gib, 3),
            "unit": "GiB", "notes": list(found.notes)}
    return Report("hardware", [("device", "Device"), ("total", "Total GiB"), ("free", "Free GiB"), ("via", "Via")],
                  rows, data, notes=list(found.notes), fit={"device": Fit(priority=0), "total": FIGURE, "free": FIGURE})
