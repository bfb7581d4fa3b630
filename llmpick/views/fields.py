"""The facts a comparison can show about a model: one definition per field, for `compare` and `export`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..catalog.cards import Card, Figure, HardwareClaim
from ..catalog.catalog import Catalog
from ..catalog.licenses import EffectiveLicense
from ..catalog.quality import Quality
from ..catalog.records import CardRecord, headline_score
from ..core.errors import UsageError, unknown_choice
from ..core.report import ID, Cell, Fit

MEMORY_QUANTS = ("fp16", "q8_0", "q4_k_m")


@dataclass
class Facts:
    """One model's derived facts, computed once and shared by every field.

    Fields read the cached `record` where it holds the value; the full card is read only for the others,
    and not kept by the catalog, so a command that goes through every model holds one card at a time."""

    record: CardRecord
    context: int  # the context memory is estimated for (capped at the model's own)
    catalog: Catalog = field(repr=False)
    # memory by architecture, quantization and context: shared by the models of one export (fine-tunes share
    # their base's architecture)
    memory_memo: dict[tuple[Any, str, int], float] = field(default_factory=dict, repr=False)
    _card: Card | None = field(default=None, repr=False)
    _memory_gib: dict[str, float] = field(default_factory=dict, repr=False)  # this model's, by quantization

    @classmethod
    def of(cls, catalog: Catalog, card_id: str, context: int, memory_memo: dict | None = None) -> Facts:
        record = catalog.record(card_id)
        return cls(record, min(context, record.context_length), catalog, {} if memory_memo is None else memory_memo)

    @property
    def card(self) -> Card:
        if self._card is None:
            self._card = self.catalog.cards.peek(self.record.id)
        return self._card

    @property
    def license(self) -> EffectiveLicense:
        return self.record.effective

    def memory_gib(self, quant: str) -> float:
        """Total inference memory at `quant`, estimated only when a field or the chart asks for it."""
        if quant not in self._memory_gib:
            key = (self.record.architecture, quant, self.context)
            total = self.memory_memo.get(key)
            if total is None:
                from ..advice.memory import estimate

                total = self.memory_memo[key] = round(estimate(self.record, quant, self.context).total_gib, 2)
            self._memory_gib[quant] = total
        return self._memory_gib[quant]

    def benchmark(self, name: str) -> float | None:
        """The card's score on benchmark `name`; MMLU, which the record holds, without reading the card."""
        if name == "mmlu":
            return self.record.mmlu
        return headline_score(self.card, name)


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    value: Callable[[Facts], Any]  # plain JSON value
    display: Callable[[Facts], Any] | None = None  # table cell (str, list or Cell); default: the value
    fit: Fit = Fit(priority=5)  # in a narrow terminal (render/layout.py)


def context_text(tokens: int) -> str:
    return f"{tokens // 1024}k" if tokens >= 1024 and tokens % 1024 == 0 else str(tokens)


def params_text(card: Card | CardRecord) -> str:
    arch = card.architecture
    text = f"{arch.params_b:g}B"
    return text + (f" ({arch.active_params_b:g}B active)" if arch.active_params_b else "")


def verdict_text(eff: EffectiveLicense) -> str:
    mark = {"yes": "yes", "conditional": "⚠ conditional", "no": "no"}[eff.commercial]
    return mark + (f" (via {eff.decided_by})" if eff.inherited else "")


def lineage_text(eff: EffectiveLicense) -> str:
    return " → ".join(f"{s.card_id} ({s.license_id})" for s in eff.chain)


def quality_of(facts: Facts) -> Quality | None:
    """The model's calibrated quality index (catalog/quality.py); `~` marks an estimate without figures."""
    return facts.catalog.quality.of(facts.record.id) if facts.catalog.quality else None


def _active(card: Card | CardRecord) -> float:
    return card.architecture.active_params_b or card.architecture.params_b


def figure_text(figure: Figure) -> str:
    """"61.2 (5-shot, independent, 2025-03-21) https://..." """
    when = figure.date.isoformat() if figure.date else ""
    how = ", ".join(part for part in (figure.variant, figure.evaluator, when) if part)
    return f"{figure.score:g} ({how}) {figure.source}"


def claim_text(claim: HardwareClaim) -> str:
    """A publisher's memory claim in one line: 'q4_0 on gpu: 6 GB VRAM'."""
    amount = f"{claim.vram_gb:g} GB VRAM" if claim.vram_gb else f"{claim.ram_gb:g} GB RAM"
    return f"{claim.quantization or 'unspecified'} on {claim.device}: {amount}"


def _memory_field(quant: str) -> Field:
    return Field(f"memory_{quant}", f"Memory {quant} (GiB)", lambda f: f.memory_gib(quant),
                 lambda f: Cell(f"{f.memory_gib(quant):.1f}", f.memory_gib(quant)),
                 Fit(priority=2, wrap=False, short=f"{quant} GiB"))


def _score_cell(score: float | None) -> Cell | None:
    """A benchmark score for people: one decimal at most (JSON keeps the card's figure)."""
    return None if score is None else Cell(f"{round(score, 1):g}", score)


def benchmark_field(name: str) -> Field:
    return Field(f"bench_{name}", name.upper() if len(name) <= 5 else name, lambda f: f.benchmark(name),
                 lambda f: _score_cell(f.benchmark(name)), Fit(priority=3, wrap=False))


# a field reads `f.record` when the record holds the value (no card is read), `f.card` otherwise
FIELDS: dict[str, Field] = {f.key: f for f in [
    Field("id", "Model", lambda f: f.record.id, fit=ID),
    Field("name", "Name", lambda f: f.record.name),
    Field("publisher", "Publisher", lambda f: f.record.publisher, fit=Fit(priority=6)),
    Field("family", "Family", lambda f: f.record.family),
    Field("released", "Released", lambda f: f.record.released.isoformat(), fit=Fit(priority=4, wrap=False)),
    Field("params", "Parameters", lambda f: f.record.architecture.params_b,
          lambda f: Cell(params_text(f.record), f.record.architecture.params_b), Fit(priority=3, short="Params")),
    Field("active_params", "Active parameters", lambda f: _active(f.record),
          lambda f: Cell(f"{_active(f.record):g}B", _active(f.record)), Fit(priority=3, wrap=False, short="Active")),
    Field("architecture", "Architecture", lambda f: f.record.architecture.type),
    Field("context", "Context", lambda f: f.record.context_length,
          lambda f: Cell(context_text(f.record.context_length), f.record.context_length), Fit(priority=2, wrap=False)),
    Field("languages", "Languages", lambda f: list(f.record.languages)),
    Field("tasks", "Tasks", lambda f: list(f.record.tasks)),
    Field("modalities", "Modalities", lambda f: list(f.record.modalities)),
    Field("license", "License", lambda f: f.license.license.id, fit=Fit(priority=3, wrap=False)),
    Field("commercial", "Commercial use", lambda f: f.license.commercial, lambda f: verdict_text(f.license),
          Fit(priority=1, short="Commercial")),
    Field("conditions", "Conditions", lambda f: list(f.license.conditions)),
    Field("lineage", "License lineage", lambda f: [{"model": s.card_id, "license": s.license_id}
                                                   for s in f.license.chain], lambda f: lineage_text(f.license)),
    Field("provenance", "Provenance", lambda f: [flag for flag, _ in f.license.provenance]),
    Field("openness", "Openness (weights/code/data)",
          lambda f: f.record.openness.model_dump(mode="json"),
          lambda f: f"{f.record.openness.weights}/{f.record.openness.code}/{f.record.openness.data}"),
    *(_memory_field(q) for q in MEMORY_QUANTS),
    Field("mmlu", "MMLU", benchmark_field("mmlu").value, benchmark_field("mmlu").display,
          Fit(priority=3, wrap=False)),
    Field("quality", "Quality index", lambda f: quality_of(f) and round(quality_of(f).index, 1),
          lambda f: Cell(quality_of(f).text, quality_of(f).index) if quality_of(f) else None,
          Fit(priority=1, wrap=False, short="Quality")),
    Field("quality_error", "Quality ± error", lambda f: quality_of(f) and round(quality_of(f).error, 1),
          fit=Fit(priority=2, wrap=False, short="±")),
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


def value_and_display(fld: Field, facts: Facts) -> tuple[Any, Any]:
    """The field's value and its table cell, the value computed once when it is also the cell."""
    value = fld.value(facts)
    return value, value if fld.display is None else fld.display(facts)
