"""Rank catalog models against user requirements: hard rules reject, a weighted score ranks.

Every rejection and every score component carries a reason a user can check.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, overload

from ..catalog.cards import Card
from ..catalog.catalog import Catalog
from ..catalog.licenses import EffectiveLicense
from ..catalog.records import CardRecord
from .hardware import Hardware
from .memory import QUANTS, Estimate, decode_tokens_per_s, estimate
from .requirements import Requirements
from .weights import DEFAULT_WEIGHTS

GENERATIVE_TASKS = {"completion", "chat", "instruct", "code", "reasoning", "math", "tool-use", "translation",
                    "summarization", "question-answering"}
CHAT_TASKS = frozenset({"chat", "instruct"})
# tasks a general chat/instruct model can take on, scored below a model made for them
SERVED_BY_CHAT = {"code", "reasoning", "math", "tool-use", "translation", "summarization", "question-answering"}

FALLBACK_DISCOUNT = 0.9  # a quality borrowed from similar-sized models counts a little less than a measured one
SIMILAR_SIZE = 2.0  # "similar size" for the quality fallback: within 2x the active parameters
TASK_WEIGHT_WITH_TASK = 0.30  # with --task, fitness for that task weighs as much as quality
SERVED_BY_GENERAL = 0.25  # task component of a general chat model asked to do a specialised task
PREFER_BOOST = 0.25  # --prefer X adds this to X's weight before the weights are renormalised
PREFER = {"quality": ("quality",), "speed": ("speed", "headroom"), "context": ("context",),
          "license": ("license",)}
LICENSE_VALUES = {"yes": 1.0, "conditional": 0.5, "no": 0.0}  # license component per commercial verdict
FAST_TOKENS_PER_S = 60.0  # speed component reaches 1 at this estimated decode rate
CONTEXT_MARGIN_DOUBLINGS = 5  # context component reaches 1 when the model offers 32x the needed context


class Rejection(NamedTuple):  # a tuple: a large catalog makes tens of thousands
    model: str
    rule: str
    reason: str


@dataclass(frozen=True)
class Pick:
    model: str
    name: str
    estimate: Estimate
    budget_gb: float
    tokens_per_s: float | None
    license: EffectiveLicense
    score: float
    components: dict[str, float]
    reasons: tuple[str, ...]  # short, for the table
    explanations: dict[str, str] = field(repr=False, compare=False)  # per component: how it was computed
    flags: tuple[str, ...] = ()


class Ranking(Sequence[Pick]):
    """The models that passed, best first. Each Pick (its components, reasons and explanations) is made when
    first read: a large catalog passes tens of thousands of models, and a report shows a few."""

    def __init__(self, ranked: list[tuple[float, str, CardRecord, Estimate]],
                 make: Callable[[CardRecord, Estimate], Pick]) -> None:
        self._ranked = ranked  # (-score, model id, record, estimate), sorted
        self._make = make
        self._made: dict[int, Pick] = {}
        self._positions: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self._ranked)

    @overload
    def __getitem__(self, index: int) -> Pick: ...

    @overload
    def __getitem__(self, index: slice) -> list[Pick]: ...

    def __getitem__(self, index: int | slice) -> Pick | list[Pick]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = range(len(self))[index]  # negative indices, IndexError
        pick = self._made.get(index)
        if pick is None:
            _, _, card, fit = self._ranked[index]
            pick = self._made[index] = self._make(card, fit)
        return pick

    def position(self, model: str) -> int | None:
        """Where `model` ranks (0 = best), None if it did not pass."""
        if self._positions is None:
            self._positions = {entry[1]: number for number, entry in enumerate(self._ranked)}
        return self._positions.get(model)


@dataclass
class Recommendation:
    requirements: Requirements
    hardware: Hardware
    weights: dict[str, float]
    picks: Ranking  # every model that passed the hard rules, best first
    rejections: dict[str, list[Rejection]]  # model id -> every rule it broke
    advice: list[str] = field(default_factory=list)  # what to relax when little or nothing fits

    @property
    def top(self) -> list[Pick]:
        return self.picks[: self.requirements.top]

    def why_not(self, model: str) -> list[Rejection] | Pick:
        number = self.picks.position(model)
        return self.rejections.get(model, []) if number is None else self.picks[number]


# --- hard rules --------------------------------------------------------------------------------


@dataclass
class Context:
    """Per-run facts the rules share."""

    catalog: Catalog
    req: Requirements
    hardware: Hardware
    # (architecture's id, context, quantizations) -> the architecture and _fit's answer: cards that share an
    # architecture share it. By identity, since records share architecture objects and hashing a pydantic model
    # costs more than the rest of the check; the entry holds the object, so its id is not reused meanwhile.
    fits: dict[tuple, tuple[object, tuple[Estimate, bool, str]]] = field(default_factory=dict, repr=False)

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
    "license": license_rule, "provenance": provenance_rule, "task": task_rule, "language": language_rule,
    "modality": modality_rule, "context": context_rule, "size": size_rule, "openness": openness_rule,
    "family": family_rule, "released": release_rule,
}
# The requirement fields a rule reads: with all of them at their defaults it passes every card, so the advisor
# skips it (tests/test_records.py checks this). The context and task rules constrain even then.
RULE_FIELDS = {
    "license": ("licenses", "exclude_licenses", "strict_license", "commercial"),
    "provenance": ("no_provenance_risk",), "language": ("languages",), "modality": ("modalities",),
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
    est, fits, _ = _fit(card, ctx, quants)
    return (est if fits else None), est


def _fit(card: AnyCard, ctx: Context, quants: list[str] | None = None) -> tuple[Estimate, bool, str]:
    """(estimate, whether it fits, memory reason): the estimate at the highest-precision allowed quantization that
    fits, else at the last one tried. Decided once per architecture and setting, which is all an estimate depends
    on; cards that share an architecture (fine-tunes of one base) share the answer and the estimate."""
    context = min(ctx.req.context, card.context_length)
    allowed = tuple(quants or ctx.req.quants)
    key = (id(card.architecture), context, allowed)
    _, choice = ctx.fits.get(key, (None, None))
    if choice is None:
        hw = ctx.hardware
        budget = (hw.budget_gb or 0.0) - ctx.req.headroom_gb
        gpus = hw.gpus if hw.device == "gpu" else 0
        for quant_id in allowed:
            est = estimate(card, quant_id, context, gpus=gpus)
            if est.total_gb <= budget:
                break
        fits = est.total_gb <= budget
        choice = (est, fits, "" if fits else memory_reason(est, ctx))
        ctx.fits[key] = (card.architecture, choice)
    return choice


def memory_reason(est: Estimate, ctx: Context) -> str:
    hw = ctx.hardware
    available = (hw.budget_gb or 0.0) - ctx.req.headroom_gb
    head = f" after {ctx.req.headroom_gb:g} GB headroom" if ctx.req.headroom_gb else ""
    return (f"needs {est.total_gb:.1f} GB at {est.quant} with {_k(est.context)} context; "
            f"{available:.1f} GB available on {hw.describe()}{head}")


def _k(tokens: int) -> str:
    return f"{tokens // 1024}k" if tokens % 1024 == 0 else str(tokens)


# --- scoring -----------------------------------------------------------------------------------


def _size(card: CardRecord) -> float:
    return card.architecture.active_params_b or card.params_b


@dataclass
class Scales:
    """Catalog-wide ranges that components are normalised against (computed once per run)."""

    mmlu_low: float
    mmlu_high: float
    oldest: dt.date
    newest: dt.date
    measured: list[tuple[float, float]]  # (active params, MMLU) of every card with a score, by size
    _similar: dict[float, list[float]] = field(default_factory=dict)  # many cards share a size

    @classmethod
    def of(cls, cards: list[CardRecord]) -> Scales:
        measured = sorted((_size(c), c.mmlu) for c in cards if c.mmlu is not None)
        scores = [score for _, score in measured]
        dates = [c.released for c in cards] or [dt.date.today()]
        return cls(min(scores, default=0.0), max(scores, default=100.0), min(dates), max(dates), measured)

    def normalise(self, mmlu: float) -> float:
        return _clip((mmlu - self.mmlu_low) / ((self.mmlu_high - self.mmlu_low) or 1.0))

    def similar(self, size: float) -> list[float]:
        """MMLU scores of the benchmarked models within SIMILAR_SIZE times `size`, sorted."""
        if size not in self._similar:
            import bisect

            low = bisect.bisect_left(self.measured, (size / SIMILAR_SIZE, -1.0))
            high = bisect.bisect_right(self.measured, (size * SIMILAR_SIZE, 1000.0))
            self._similar[size] = sorted(score for _, score in self.measured[low:high])
        return self._similar[size]


def _clip(x: float) -> float:
    return max(0.0, min(1.0, x))


def quality(card: CardRecord, scales: Scales, explain: bool = False) -> tuple[float, str, bool]:
    """The quality component, how it was found (with `explain`), and whether it is a fallback estimate."""
    score = card.mmlu
    if score is not None:
        return scales.normalise(score), f"MMLU {score:g}" if explain else "", False
    size = _size(card)
    similar = scales.similar(size)
    if similar:
        median = similar[len(similar) // 2]
        return (FALLBACK_DISCOUNT * scales.normalise(median),
                f"no MMLU: median of {len(similar)} benchmarked models of similar size ({median:g})" if explain else "",
                True)
    return 0.0, f"no MMLU and no benchmarked model near {size:g}B" if explain else "", True


def components(card: CardRecord, est: Estimate, ctx: Context, scales: Scales,
               explain: bool = False) -> tuple[dict[str, float], dict[str, str], list[str]]:
    """Each score component's value and, with `explain`, how it was computed. Ranking needs only the values, for
    every model that passes; the text is for the few shown (made on demand by closures, it cost as much again)."""
    req, hw = ctx.req, ctx.hardware
    flags: list[str] = []
    values: dict[str, float] = {}
    why: dict[str, str] = {}

    values["quality"], why["quality"], fallback = quality(card, scales, explain)
    if fallback:
        flags.append("no benchmark")

    bits = QUANTS[est.quant].bits
    values["precision"] = _clip((bits - 2) / 6)
    if explain:
        why["precision"] = f"{est.quant} ({bits:g} bits/weight; 8+ = 1.0, 2 = 0.0)"

    budget = (hw.budget_gb or 0.0) - req.headroom_gb
    values["headroom"] = _clip((budget - est.total_gb) / budget) if budget > 0 else 0.0
    if explain:
        why["headroom"] = f"{budget - est.total_gb:.1f} GB of {budget:.1f} GB left free"

    tps = decode_tokens_per_s(est, hw.bandwidth_gbs)
    if tps is not None:
        values["speed"] = _clip(tps / FAST_TOKENS_PER_S)
        if explain:
            why["speed"] = f"~{tps:.0f} tokens/s estimated ({FAST_TOKENS_PER_S:g} tokens/s = 1.0)"
    else:  # no bandwidth known: fewer bytes read per token is faster
        values["speed"] = _clip(1.0 / max(est.read_per_token_gb, 0.1) / 2)
        if explain:
            why["speed"] = f"{est.read_per_token_gb:.1f} GB read per token (bandwidth unknown; 0.5 GB = 1.0)"

    needed = max(req.context, req.min_context or 0)
    margin = math.log2(max(card.context_length / needed, 1.0))
    values["context"] = _clip(margin / CONTEXT_MARGIN_DOUBLINGS)
    if explain:
        why["context"] = f"{card.context_length} tokens offered, {needed} needed"

    if req.tasks:
        hits = [1.0 if t in card.tasks else SERVED_BY_GENERAL for t in req.tasks]
        values["task"] = sum(hits) / len(hits)
        if explain:
            why["task"] = ", ".join(f"{t}: {'made for it' if t in card.tasks else 'general chat model'}"
                                    for t in req.tasks)
    else:
        chatty = not CHAT_TASKS.isdisjoint(card.tasks)
        values["task"] = 1.0 if chatty else 0.5
        if explain:
            why["task"] = "chat/instruct model" if chatty else "base model: needs prompting"

    if req.languages:
        hits = [1.0 if card.languages[0] == lang else 0.7 for lang in req.languages]
        values["language"] = sum(hits) / len(hits)
        if explain:
            why["language"] = (f"languages {', '.join(card.languages[:6])}"
                               f"{'…' if len(card.languages) > 6 else ''} (primary language = 1.0, listed = 0.7)")
    else:
        values["language"] = 1.0
        if explain:
            why["language"] = "no language required"

    eff = ctx.license(card)
    values["license"] = LICENSE_VALUES[eff.commercial]
    if explain:
        why["license"] = f"{eff.license.id}: commercial {eff.commercial}"

    span = (scales.newest - scales.oldest).days or 1
    values["recency"] = _clip((card.released - scales.oldest).days / span)
    if explain:
        why["recency"] = f"released {card.released.isoformat()}"
    if est.approximate:
        flags.append("approximate memory")
    return values, why, flags


def rate(card: CardRecord, est: Estimate, ctx: Context, scales: Scales, weights: dict[str, float],
         explain: bool = False) -> tuple[float, dict[str, float], dict[str, str], list[str]]:
    """The score (the weighted sum of the components, rounded), and the components as `components` gives them."""
    values, why, flags = components(card, est, ctx, scales, explain)
    return round(sum(weights[k] * values[k] for k in weights), 6), values, why, flags


def effective_weights(req: Requirements) -> dict[str, float]:
    weights = dict(DEFAULT_WEIGHTS)
    if req.tasks:
        weights["task"] = TASK_WEIGHT_WITH_TASK
    weights.update(req.weights)
    for preference in req.prefer:
        for name in PREFER[preference]:
            weights[name] += PREFER_BOOST / len(PREFER[preference])
    total = sum(weights.values()) or 1.0
    return {name: value / total for name, value in weights.items()}


def short_reasons(values: dict[str, float], why: dict[str, str], weights: dict[str, float],
                  eff: EffectiveLicense) -> tuple[str, ...]:
    """Quality, then the component that adds most to the score, then license conditions."""
    _, strongest = max((weights[k] * v, k) for k, v in values.items() if k not in ("quality", "license"))
    reasons = [why["quality"], why[strongest]]
    if eff.commercial == "conditional":
        reasons.append("⚠ " + ", ".join(eff.conditions[:3]))
    return tuple(reasons)


# --- the entry point ---------------------------------------------------------------------------


# Rules that constrain even when the user said nothing (recommend assumes a 4k context and a text generator);
# `screen` applies them only when one of these requirement fields was given.
DEFAULTING_RULES = {"context": {"context", "min_context"}, "task": {"tasks"}}


def judge(card: AnyCard, ctx: Context, memory: bool = True,
          rules: dict[str, Rule] = HARD_RULES) -> tuple[list[Rejection], Estimate | None]:
    """Every rule `card` breaks, and (with `memory`) the best setting that fits the hardware if it breaks none."""
    broken = []
    for name, rule in rules.items():  # a plain loop: run for every card, a comprehension's extra frame shows
        reason = rule(card, ctx)
        if reason is not None:
            broken.append(Rejection(card.id, name, reason))
    if not memory:
        return broken, None
    est, fits, reason = _fit(card, ctx)
    if not fits:
        broken.append(Rejection(card.id, "memory", reason))
    return broken, None if broken else est


def screen(req: Requirements, catalog: Catalog, hardware: Hardware | None = None) -> list[CardRecord]:
    """The records of the cards that meet the requirements the user gave (and fit the hardware, if given); by id."""
    req.check()
    ctx = Context(catalog, req, hardware or Hardware())
    rules = active_rules(req, {name: rule for name, rule in HARD_RULES.items()
                               if name not in DEFAULTING_RULES or DEFAULTING_RULES[name] & req.model_fields_set})
    records = (catalog.record(card_id) for card_id in sorted(catalog.cards))
    return [record for record in records if not judge(record, ctx, hardware is not None, rules)[0]]


def recommend(req: Requirements, catalog: Catalog, hardware: Hardware) -> Recommendation:
    """Every model that passes the hard rules, ranked; every other one with its reasons."""
    req.check()
    ctx = Context(catalog, req, hardware)
    weights = effective_weights(req)
    cards = [catalog.record(card_id) for card_id in sorted(catalog.cards)]  # records: no card is unpickled
    scales = Scales.of(cards)
    rejections: dict[str, list[Rejection]] = {}
    ranked: list[tuple[float, str, CardRecord, Estimate]] = []
    rules = active_rules(req)
    for card in cards:
        broken, fit = judge(card, ctx, rules=rules)
        if broken:
            rejections[card.id] = broken
            continue
        assert fit is not None
        ranked.append((-rate(card, fit, ctx, scales, weights)[0], card.id, card, fit))
    ranked.sort(key=lambda entry: entry[:2])

    def pick(card: CardRecord, fit: Estimate) -> Pick:
        score, values, why, flags = rate(card, fit, ctx, scales, weights, explain=True)
        eff = ctx.license(card)
        return Pick(card.id, card.name, fit, (hardware.budget_gb or 0.0) - req.headroom_gb,
                    decode_tokens_per_s(fit, hardware.bandwidth_gbs), eff, score, values,
                    short_reasons(values, why, weights, eff), why, tuple(flags))

    picks = Ranking(ranked, pick)
    result = Recommendation(req, hardware, weights, picks, rejections)
    if len(picks) < req.top:
        result.advice = advice(result, ctx)
    return result


def advice(result: Recommendation, ctx: Context) -> list[str]:
    """Which constraint removed the most models, and what relaxing it would bring."""
    counts = Counter(r.rule for rejections in result.rejections.values() for r in rejections)
    if not counts:
        return []
    lines = []
    only = Counter(rs[0].rule for rs in result.rejections.values() if len(rs) == 1)
    rule, count = counts.most_common(1)[0]
    lines.append(f"{count} models fail the {rule} rule" + (f" ({only[rule]} fail only that rule)" if only[rule]
                                                            else ""))
    memory_only = [m for m, rs in result.rejections.items() if [r.rule for r in rs] == ["memory"]]
    if memory_only:
        budget = (ctx.hardware.budget_gb or 0.0) - ctx.req.headroom_gb
        lines.append(f"{len(memory_only)} models need more than {budget:.1f} GB")
        for smaller in ("q3_k_m", "q2_k"):
            if smaller in ctx.req.quants:
                continue
            fits = sum(1 for m in memory_only if best_fit(ctx.catalog.record(m), ctx, [smaller])[0] is not None)
            if fits:
                lines.append(f"{fits} fit with --quant {','.join([*ctx.req.quants, smaller])}")
                break
    for name, hint in (("context", "a smaller --context"), ("license", "fewer license constraints"),
                       ("language", "fewer --lang codes")):
        if only[name]:
            lines.append(f"{only[name]} more would pass with {hint}")
    return lines
