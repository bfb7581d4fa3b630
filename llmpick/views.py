"""Turn catalog objects into Reports (rows for tables, plain data for JSON)."""

from __future__ import annotations

from typing import Any

from .cards import Card
from .catalog import Catalog
from .licenses import VERDICT_WORDS, EffectiveLicense
from .render import Report


def license_data(eff: EffectiveLicense) -> dict[str, Any]:
    return {
        "id": eff.license.id,
        "commercial": eff.commercial,
        "conditions": list(eff.conditions),
        "decided_by": eff.decided_by,
        "chain": [{"model": s.card_id, "license": s.license_id, "commercial": s.commercial} for s in eff.chain],
        "provenance": [{"flag": flag, "model": model} for flag, model in eff.provenance],
    }


def verdict_text(eff: EffectiveLicense) -> str:
    mark = {"yes": "yes", "conditional": "⚠ conditional", "no": "no"}[eff.commercial]
    return mark + (f" (via {eff.decided_by})" if eff.inherited else "")


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


def params_text(card: Card) -> str:
    arch = card.architecture
    text = f"{arch.params_b:g}B"
    return text + (f" ({arch.active_params_b:g}B active)" if arch.active_params_b else "")


def context_text(tokens: int) -> str:
    return f"{tokens // 1024}k" if tokens >= 1024 and tokens % 1024 == 0 else str(tokens)


def models_report(catalog: Catalog, cards: list[Card]) -> Report:
    rows = []
    for card in cards:
        eff = catalog.effective_license(card.id)
        rows.append({
            "id": card.id, "params": params_text(card), "context": context_text(card.context_length),
            "license": eff.license.id, "commercial": verdict_text(eff),
            "languages": card.languages, "tasks": card.tasks,
        })
    columns = [("id", "Model"), ("params", "Params"), ("context", "Context"), ("license", "License"),
               ("commercial", "Commercial"), ("languages", "Languages"), ("tasks", "Tasks")]
    data = [card_summary(catalog, card) for card in cards]
    return Report("models", columns, rows, data, notes=[f"{len(cards)} models"])


def card_report(catalog: Catalog, card: Card) -> Report:
    eff = catalog.effective_license(card.id)
    data = card.model_dump(mode="json", exclude_none=True)
    data["effective_license"] = license_data(eff)
    data["file"] = str(catalog.origins[card.id])
    chain = " → ".join(f"{s.card_id} ({s.license_id})" for s in eff.chain)
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
    for name, bench in card.benchmarks.items():
        add(f"benchmark {name}", f"{bench.score:g} ({bench.source})")
    for claim in card.hardware_claims:
        amount = f"{claim.vram_gb:g} GB VRAM" if claim.vram_gb else f"{claim.ram_gb:g} GB RAM"
        add("hardware claim", f"{claim.quantization or 'unspecified'} on {claim.device}: {amount} ({claim.source})")
    add("sources", card.sources)
    add("verified", card.verified.isoformat())
    add("notes", card.notes)
    add("file", str(catalog.origins[card.id]))
    return Report("model", [("field", "Field"), ("value", "Value")], rows, data, title=card.name)


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
    return Report("licenses", columns, rows, data, notes=notes)
