"""The hard rules: each rejects a card with a reason a user can check; memory fit is the last one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from ..catalog.cards import Card
from ..catalog.catalog import Catalog
from ..catalog.licenses import EffectiveLicense
from ..catalog.records import CardRecord
from .hardware import Hardware
from .measured import MeasuredSpeeds
from .memory import Estimate, estimate
from .offload import split
from .quants import offered_quants
from .requirements import Requirements

GENERATIVE_TASKS = {"completion", "chat", "instruct", "code", "reasoning", "math", "tool-use", "translation",
                    "summarization", "question-answering"}
CHAT_TASKS = frozenset({"chat", "instruct"})
# tasks a general chat/instruct model can take on, scored below a model made for them
SERVED_BY_CHAT = {"code", "reasoning", "math", "tool-use", "translation", "summarization", "question-answering"}


class Fit(NamedTuple):
    estimate: Estimate  # at the highest-precision allowed quantization that fits, else at the last one tried
    fits: bool
    reason: str  # why it does not fit
    options: tuple[Estimate, ...]  # every allowed quantization that fits, highest precision first


class Rejection(NamedTuple):  # a tuple: a large catalog makes tens of thousands
    model: str
    rule: str
    reason: str


@dataclass
class Context:
    """Per-run facts the rules share."""

    catalog: Catalog
    req: Requirements
    hardware: Hardware
    # (architecture's id, context, quantizations) -> the architecture and _fit's answer: cards that share an
    # architecture share it. By identity, since records share architecture objects and hashing a pydantic model
    # costs more than the rest of the check; the entry holds the object, so its id is not reused meanwhile.
    fits: dict[tuple, tuple[object, Fit]] = field(default_factory=dict, repr=False)
    offload: bool = False  # a setting too large for the GPU may be split between the GPU and system RAM
    measured: MeasuredSpeeds | None = None  # speeds measured on this machine (llmpick bench), with their calibration

    def license(self, card: AnyCard) -> EffectiveLicense:
        return card.effective if isinstance(card, CardRecord) else self.catalog.effective_license(card.id)


AnyCard = Card | CardRecord  # rules and estimates read only the fields both have; the advisor passes records
Rule = Callable[[AnyCard, Context], "str | None"]


def _via(eff: EffectiveLicense) -> str:
    return f" via base {eff.decided_by}" if eff.inherited else ""


def license_rule(card: AnyCard, ctx: Context) -> str | None:
    eff, req = ctx.license(card), ctx.req
    if req.licenses and eff.license.id not in req.licenses:
        return f"effective license {eff.license.id}{_via(eff)} is not in --license {','.join(req.licenses)}"
    if eff.license.id in req.exclude_licenses:
        return f"effective license {eff.license.id}{_via(eff)} is excluded"
    if req.strict_license and eff.commercial != "yes":
        return (f"effective license {eff.license.id}{_via(eff)}: commercial use is {eff.commercial}"
                f" ({', '.join(eff.conditions)}); --strict-license needs unconditional")
    if req.commercial and eff.commercial == "no":
        return f"effective license {eff.license.id}{_via(eff)}: non-commercial ({', '.join(eff.conditions)})"
    return None


def region_rule(card: AnyCard, ctx: Context) -> str | None:
    region = ctx.req.region
    for step in ctx.license(card).chain:
        lic = ctx.catalog.licenses.get(step.license_id)
        excluded = lic.excludes(region, card.modalities) if lic is not None and region else None
        if excluded:
            scope = " for multimodal models" if lic.excluded_regions_scope == "multimodal" else ""
            via = "" if step.card_id == card.id else f" via base {step.card_id}"
            return f"license {lic.id}{via} grants no rights in {excluded}{scope} (--region {region})"
    return None


def provenance_rule(card: AnyCard, ctx: Context) -> str | None:
    if ctx.req.no_provenance_risk and ctx.license(card).provenance:
        flags = ", ".join(f"{flag} ({model})" for flag, model in ctx.license(card).provenance)
        return f"provenance risk: {flags}"
    return None


def task_rule(card: AnyCard, ctx: Context) -> str | None:
    if not ctx.req.tasks:
        if GENERATIVE_TASKS.isdisjoint(card.tasks):
            return f"does not generate text (tasks: {', '.join(card.tasks)})"
        return None
    tasks = set(card.tasks)
    chatty = not CHAT_TASKS.isdisjoint(tasks)
    for task in ctx.req.tasks:
        if task in tasks or (task in SERVED_BY_CHAT and chatty) or (task == "instruct" and "chat" in tasks):
            continue
        return f"not made for {task} (tasks: {', '.join(card.tasks)})"
    return None


def language_rule(card: AnyCard, ctx: Context) -> str | None:
    missing = [lang for lang in ctx.req.languages if lang not in card.languages]
    if missing:
        return f"does not claim {', '.join(missing)} (languages: {', '.join(card.languages)})"
    return None


def modality_rule(card: AnyCard, ctx: Context) -> str | None:
    missing = [m for m in ctx.req.modalities if m not in card.modalities]
    return f"no {', '.join(missing)} input (modalities: {', '.join(card.modalities)})" if missing else None


def context_rule(card: AnyCard, ctx: Context) -> str | None:
    needed = max(ctx.req.context, ctx.req.min_context or 0)
    if card.context_length < needed:
        return f"context {card.context_length} tokens; {needed} needed"
    return None


def size_rule(card: AnyCard, ctx: Context) -> str | None:
    req, params = ctx.req, card.params_b
    if req.min_params is not None and params < req.min_params:
        return f"{params:g}B parameters; --min-params {req.min_params:g}"
    if req.max_params is not None and params > req.max_params:
        return f"{params:g}B parameters; --max-params {req.max_params:g}"
    return None


def openness_rule(card: AnyCard, ctx: Context) -> str | None:
    o = card.openness
    if ctx.req.fully_open and not (o.weights == o.code == o.data == "open"):
        return f"not fully open (weights {o.weights}, code {o.code}, data {o.data})"
    if ctx.req.open_weights and o.weights != "open":
        return f"weights are {o.weights}"
    return None


def family_rule(card: AnyCard, ctx: Context) -> str | None:
    if ctx.req.families and card.family not in ctx.req.families:
        return f"family {card.family} is not {', '.join(ctx.req.families)}"
    return None


def release_rule(card: AnyCard, ctx: Context) -> str | None:
    after = ctx.req.released_after
    if after and card.released <= after:
        return f"released {card.released.isoformat()}, not after {after.isoformat()}"
    return None


HARD_RULES: dict[str, Rule] = {
    "license": license_rule, "region": region_rule, "provenance": provenance_rule, "task": task_rule,
    "language": language_rule, "modality": modality_rule, "context": context_rule, "size": size_rule,
    "openness": openness_rule, "family": family_rule, "released": release_rule,
}
# The requirement fields a rule reads: with all of them at their defaults it passes every card, so the advisor
# skips it (tests/test_records.py checks this). The context and task rules constrain even then.
RULE_FIELDS = {
    "license": ("licenses", "exclude_licenses", "strict_license", "commercial"),
    "region": ("region",), "provenance": ("no_provenance_risk",), "language": ("languages",),
    "modality": ("modalities",),
    "size": ("min_params", "max_params"), "openness": ("fully_open", "open_weights"), "family": ("families",),
    "released": ("released_after",),
}


def active_rules(req: Requirements, rules: dict[str, Rule] = HARD_RULES) -> dict[str, Rule]:
    """The rules that can reject a card under `req`."""
    defaults = Requirements.model_fields
    return {name: rule for name, rule in rules.items()
            if any(getattr(req, f) != defaults[f].get_default(call_default_factory=True)
                   for f in RULE_FIELDS.get(name, ())) or name not in RULE_FIELDS}


def best_fit(card: AnyCard, ctx: Context, quants: list[str] | None = None) -> tuple[Estimate | None, Estimate]:
    """The highest-precision allowed quantization that fits, and the smallest estimate (for the reason)."""
    found = fit_of(card, ctx, quants)
    return (found.estimate if found.fits else None), found.estimate


def fit_of(card: AnyCard, ctx: Context, quants: list[str] | None = None) -> Fit:
    """How `card` fits the hardware at each allowed quantization. Decided once per architecture and setting,
    which is all an estimate depends on; cards that share an architecture (fine-tunes of one base) share it."""
    context = min(ctx.req.context, card.context_length)
    req = ctx.req
    asked = quants is not None or "quants" in req.model_fields_set
    allowed = tuple(offered_quants(card.architecture, quants or req.quants, asked))
    key = (id(card.architecture), context, allowed)
    _, found = ctx.fits.get(key, (None, None))
    if found is None:
        hw = ctx.hardware
        budget = (hw.budget_gib or 0.0) - ctx.req.headroom_gib
        gpus = hw.gpus if hw.device == "gpu" else 0
        options = []
        for quant_id in allowed:
            est = estimate(card, quant_id, context, batch=req.parallel, kv_dtype=req.kv_type, gpus=gpus)
            if est.total_gib <= budget:
                options.append(est)
            elif ctx.offload and (shared := split(est, card.architecture, hw, req.headroom_gib, req.ram_bandwidth_gbs)):
                options.append(shared)
        best = options[0] if options else est
        found = Fit(best, bool(options), "" if options else memory_reason(best, ctx), tuple(options))
        ctx.fits[key] = (card.architecture, found)
    return found


def memory_reason(est: Estimate, ctx: Context) -> str:
    hw = ctx.hardware
    available = (hw.budget_gib or 0.0) - ctx.req.headroom_gib
    head = f" after {ctx.req.headroom_gib:g} GiB headroom" if ctx.req.headroom_gib else ""
    return (f"needs {est.total_gib:.1f} GiB at {est.quant} with {_k(est.context)} context; "
            f"{available:.1f} GiB available on {hw.describe()}{head}")


def _k(tokens: int) -> str:
    return f"{tokens // 1024}k" if tokens % 1024 == 0 else str(tokens)


def judge(card: AnyCard, ctx: Context, memory: bool = True,
          rules: dict[str, Rule] = HARD_RULES) -> tuple[list[Rejection], Estimate | None]:
    """Every rule `card` breaks, and (with `memory`) the highest-precision setting that fits if it breaks none; the
    advisor then scores every setting that fits (fit_of(...).options) and keeps the best."""
    broken = []
    for name, rule in rules.items():  # a plain loop: run for every card, a comprehension's extra frame shows
        reason = rule(card, ctx)
        if reason is not None:
            broken.append(Rejection(card.id, name, reason))
    if not memory:
        return broken, None
    found = fit_of(card, ctx)
    if not found.fits:
        broken.append(Rejection(card.id, "memory", found.reason))
    return broken, None if broken else found.estimate
