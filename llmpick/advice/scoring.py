"""The score: each component with how it was computed, the weights that combine them, and the short reasons."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from ..catalog.licenses import EffectiveLicense
from ..catalog.records import CardRecord
from .memory import QUANTS, Estimate, decode_tokens_per_s
from .requirements import Requirements
from .rules import CHAT_TASKS, Context
from .weights import DEFAULT_WEIGHTS

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
