"""The facts a comparison can show about a model: one definition per field, for `compare` and `export`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .cards import Card, HardwareClaim
from .catalog import Catalog
from .errors import UsageError, unknown_choice
from .licenses import EffectiveLicense
from .render import Cell

MEMORY_QUANTS = ("fp16", "q8_0", "q4_k_m")


@dataclass
class Facts:
    """One model's derived facts, computed once and shared by every field."""

    card: Card
    license: EffectiveLicense
    context: int  # the context memory is estimated for (capped at the model's own)
    _memory_gb: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, catalog: Catalog, card: Card, context: int) -> Facts:
        return cls(card, catalog.effective_license(card.id), min(context, card.context_length))

    def memory_gb(self, quant: str) -> float:
        """Total inference memory at `quant`, estimated only when a field or the chart asks for it."""
        if quant not in self._memory_gb:
            from .memory import estimate

            self._memory_gb[quant] = round(estimate(self.card, quant, self.context).total_gb, 2)
        return self._memory_gb[quant]


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    value: Callable[[Facts], Any]  # plain JSON value
    display: Callable[[Facts], Any] | None = None  # table cell (str, list or Cell); default: the value


def context_text(tokens: int) -> str:
    return f"{tokens // 1024}k" if tokens >= 1024 and tokens % 1024 == 0 else str(tokens)


def params_text(card: Card) -> str:
    arch = card.architecture
    text = f"{arch.params_b:g}B"
    return text + (f" ({arch.active_params_b:g}B active)" if arch.active_params_b else "")


def verdict_text(eff: EffectiveLicense) -> str:
    mark = {"yes": "yes", "conditional": "⚠ conditional", "no": "no"}[eff.commercial]
    return mark + (f" (via {eff.decided_by})" if eff.inherited else "")


def lineage_text(eff: EffectiveLicense) -> str:
    return " → ".join(f"{s.card_id} ({s.license_id})" for s in eff.chain)


def _active(card: Card) -> float:
    return card.architecture.active_params_b or card.architecture.params_b


def claim_text(claim: HardwareClaim) -> str:
    """A publisher's memory claim in one line: 'q4_0 on gpu: 6 GB VRAM'."""
    amount = f"{claim.vram_gb:g} GB VRAM" if claim.vram_gb else f"{claim.ram_gb:g} GB RAM"
    return f"{claim.quantization or 'unspecified'} on {claim.device}: {amount}"


def _memory_field(quant: str) -> Field:
    return Field(f"memory_{quant}", f"Memory {quant} (GB)", lambda f: f.memory_gb(quant),
                 lambda f: Cell(f"{f.memory_gb(quant):.1f}", f.memory_gb(quant)))


def benchmark_field(name: str) -> Field:
    def score(f: Facts) -> float | None:
        bench = f.card.benchmarks.get(name)
        return None if bench is None else bench.score

    return Field(f"bench_{name}", name.upper() if len(name) <= 5 else name, score)


FIELDS: dict[str, Field] = {f.key: f for f in [
    Field("id", "Model", lambda f: f.card.id),
    Field("name", "Name", lambda f: f.card.name),
    Field("publisher", "Publisher", lambda f: f.card.publisher),
    Field("family", "Family", lambda f: f.card.family),
    Field("released", "Released", lambda f: f.card.released.isoformat()),
    Field("params", "Parameters", lambda f: f.card.architecture.params_b,
          lambda f: Cell(params_text(f.card), f.card.architecture.params_b)),
    Field("active_params", "Active parameters", lambda f: _active(f.card),
          lambda f: Cell(f"{_active(f.card):g}B", _active(f.card))),
    Field("architecture", "Architecture", lambda f: f.card.architecture.type),
    Field("context", "Context", lambda f: f.card.context_length,
          lambda f: Cell(context_text(f.card.context_length), f.card.context_length)),
    Field("languages", "Languages", lambda f: list(f.card.languages)),
    Field("tasks", "Tasks", lambda f: list(f.card.tasks)),
    Field("modalities", "Modalities", lambda f: list(f.card.modalities)),
    Field("license", "License", lambda f: f.license.license.id),
    Field("commercial", "Commercial use", lambda f: f.license.commercial, lambda f: verdict_text(f.license)),
    Field("conditions", "Conditions", lambda f: list(f.license.conditions)),
    Field("lineage", "License lineage", lambda f: [{"model": s.card_id, "license": s.license_id}
                                                   for s in f.license.chain], lambda f: lineage_text(f.license)),
    Field("provenance", "Provenance", lambda f: [flag for flag, _ in f.license.provenance]),
    Field("openness", "Openness (weights/code/data)",
          lambda f: f.card.openness.model_dump(mode="json"),
          lambda f: f"{f.card.openness.weights}/{f.card.openness.code}/{f.card.openness.data}"),
    *(_memory_field(q) for q in MEMORY_QUANTS),
    Field("mmlu", "MMLU", benchmark_field("mmlu").value),
    Field("hardware_claims", "Documented hardware", lambda f: [claim_text(c) for c in f.card.hardware_claims]),
    Field("hf_repos", "Hugging Face", lambda f: list(f.card.hf_repos)),
    Field("sources", "Sources", lambda f: list(f.card.sources)),
    Field("verified", "Verified", lambda f: f.card.verified.isoformat()),
]}

EXPORT_COLUMNS = ("id", "publisher", "released", "params", "context", "license", "commercial", "languages",
                  "memory_q4_k_m", "mmlu")
COMPARE_FIELDS = ("name", "publisher", "released", "params", "architecture", "context", "languages", "tasks",
                  "modalities", "license", "commercial", "conditions", "lineage", "provenance", "openness",
                  "memory_fp16", "memory_q8_0", "memory_q4_k_m", "hardware_claims", "hf_repos", "sources",
                  "verified")


def choose(keys: list[str], flag: str = "--columns") -> list[Field]:
    """Fields by key, in the order given; `bench_NAME` picks any benchmark."""
    chosen = []
    for key in keys:
        if key in FIELDS:
            chosen.append(FIELDS[key])
        elif key.startswith("bench_") and len(key) > 6:
            chosen.append(benchmark_field(key[6:]))
        else:
            raise UsageError(unknown_choice(f"{flag} field", key, list(FIELDS),
                                            f"choose from {', '.join(FIELDS)} or bench_NAME"))
    return chosen


def display(fld: Field, facts: Facts) -> Any:
    return (fld.display or fld.value)(facts)
