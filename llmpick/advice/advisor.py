"""Rank catalog models against user requirements: recommend() and screen() run the rules and the score.

Hard rules (rules.py) reject; a score in quality points (scoring.py) ranks each model at the quantization that
scores best; Pick, Ranking and Recommendation hold the result.

Every rejection and every score component carries a reason a user can check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import overload

from ..catalog.catalog import Catalog
from ..catalog.licenses import EffectiveLicense
from ..catalog.quality import Quality
from ..catalog.records import CardRecord
from .hardware import Hardware
from .measured import MeasuredSpeeds
from .memory import Estimate
from .offload import PLACEMENT, can_offload, check_offload
from .quants import QUANTS
from .requirements import Requirements
from .rules import HARD_RULES, Context, Rejection, active_rules, best_fit, fit_of, judge
from .scoring import Scales, effective_weights, estimated_speed, rate, short_reasons, speed_of


@dataclass(frozen=True)
class Pick:
    model: str
    name: str
    estimate: Estimate
    budget_gib: float
    tokens_per_s: float | None
    license: EffectiveLicense
    score: float
    components: dict[str, float]
    reasons: tuple[str, ...]  # short, for the table
    explanations: dict[str, str] = field(repr=False, compare=False)  # per component: how it was computed
    flags: tuple[str, ...] = ()
    quality: Quality | None = None  # the model's calibrated quality index (all foci), for --explain
    measured: bool = False  # tokens_per_s was measured on this machine (llmpick bench), not estimated


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
    offload: str = ""  # why models may be split between GPU and RAM ("" when they may not)
    measured: MeasuredSpeeds | None = None  # the runs on this machine and their calibration, when given

    @property
    def top(self) -> list[Pick]:
        return self.picks[: self.requirements.top]

    def why_not(self, model: str) -> list[Rejection] | Pick:
        number = self.picks.position(model)
        return self.rejections.get(model, []) if number is None else self.picks[number]


# --- the entry point ---------------------------------------------------------------------------


# Rules that constrain even when the user said nothing (recommend assumes a 4k context and a text generator);
# `screen` applies them only when one of these requirement fields was given.
DEFAULTING_RULES = {"context": {"context", "min_context"}, "task": {"tasks"}}


def screen(req: Requirements, catalog: Catalog, hardware: Hardware | None = None) -> list[CardRecord]:
    """The records of the cards that meet the requirements the user gave (and fit the hardware, if given); by id."""
    req.check()
    ctx = Context(catalog, req, hardware or Hardware())
    rules = active_rules(req, {name: rule for name, rule in HARD_RULES.items()
                               if name not in DEFAULTING_RULES or DEFAULTING_RULES[name] & req.model_fields_set})
    records = (catalog.record(card_id) for card_id in sorted(catalog.cards))
    return [record for record in records if not judge(record, ctx, hardware is not None, rules)[0]]


def recommend(req: Requirements, catalog: Catalog, hardware: Hardware, measured: MeasuredSpeeds | None = None,
              only: set[str] | None = None) -> Recommendation:
    """Every model that passes the hard rules, ranked; every other one with its reasons.

    Models split between the GPU and system RAM (advice/offload.py) are ranked with the others under
    --allow-offload, and on their own when nothing fits the GPU whole and the machine has RAM to split into.
    `measured`: speeds measured on this very hardware (they replace the estimate, and calibrate the others);
    `only`: rank only these card ids (the installed ones), every other is rejected as not installed."""
    req.check()
    if req.allow_offload:
        check_offload(hardware)
        return _recommend(req, catalog, hardware, "--allow-offload: models too large for the GPU may be split "
                                                  f"between GPU and RAM ({PLACEMENT})", measured, only)
    result = _recommend(req, catalog, hardware, "", measured, only)
    if result.picks or not can_offload(hardware):
        return result
    split = _recommend(req, catalog, hardware, f"nothing fits the GPU whole: showing models split between GPU "
                                               f"and RAM ({PLACEMENT}), slower than a GPU alone", measured, only)
    return split if split.picks else result


def _recommend(req: Requirements, catalog: Catalog, hardware: Hardware, offload: str = "",
               measured: MeasuredSpeeds | None = None, only: set[str] | None = None) -> Recommendation:
    ctx = Context(catalog, req, hardware, offload=bool(offload))
    ctx.measured = calibrated(measured, catalog, hardware, req) if measured is not None else None
    weights = effective_weights(req)
    cards = [catalog.record(card_id) for card_id in sorted(catalog.cards)]  # records: no card is unpickled
    scales = Scales.of(catalog.quality, req)
    rejections: dict[str, list[Rejection]] = {}
    ranked: list[tuple[float, str, CardRecord, Estimate]] = []
    rules = active_rules(req)
    for card in cards:
        if only is not None and card.id not in only:
            rejections[card.id] = [Rejection(card.id, "installed", "not installed on this machine")]
            continue
        broken, fit = judge(card, ctx, rules=rules)
        if broken:
            rejections[card.id] = broken
            continue
        assert fit is not None
        # the quantization that scores best: quality kept against speed, among those that fit
        score, chosen = max(((rate(card, option, ctx, scales, weights)[0], option)
                             for option in fit_of(card, ctx).options), key=lambda pair: pair[0])
        ranked.append((-score, card.id, card, chosen))
    ranked.sort(key=lambda entry: entry[:2])

    def pick(card: CardRecord, fit: Estimate) -> Pick:
        score, values, why, flags = rate(card, fit, ctx, scales, weights, explain=True)
        eff = ctx.license(card)
        return Pick(card.id, card.name, fit, (hardware.budget_gib or 0.0) - req.headroom_gib,
                    speed_of(fit, ctx, card.id)[0], eff, score, values, short_reasons(values, why, weights, eff),
                    why, tuple(flags), scales.quality.of(card.id) if scales.quality else None,
                    ctx.measured is not None and ctx.measured.get(card.id, fit.quant) is not None)

    picks = Ranking(ranked, pick)
    result = Recommendation(req, hardware, weights, picks, rejections, offload=offload, measured=ctx.measured)
    if len(picks) < req.top:
        result.advice = advice(result, ctx)
    return result


def calibrated(measured: MeasuredSpeeds, catalog: Catalog, hardware: Hardware,
               req: Requirements | None = None) -> MeasuredSpeeds:
    """`measured` with its calibration against the estimates for `hardware` (at `req`'s context, default 4k)."""
    ctx = Context(catalog, req or Requirements(), hardware)
    return measured.calibrate(lambda model, quant: _estimated(catalog, ctx, model, quant))


def _estimated(catalog: Catalog, ctx: Context, model: str, quant: str) -> float | None:
    """The estimated (uncalibrated) tokens/s of `model` at `quant` on the hardware, for calibration."""
    if model not in catalog.cards or quant not in QUANTS:
        return None
    found = fit_of(catalog.record(model), ctx, [quant])
    return estimated_speed(found.estimate, ctx)[0] if found.estimate.quant == quant else None


def advice(result: Recommendation, ctx: Context) -> list[str]:
    """Which constraint removed the most models, and what relaxing it would bring."""
    counts = Counter(r.rule for rejections in result.rejections.values() for r in rejections
                     if r.rule != "installed")  # --installed chose these; relaxing it is not advice
    if not counts:
        return []
    lines = []
    only = Counter(rs[0].rule for rs in result.rejections.values() if len(rs) == 1)
    rule, count = counts.most_common(1)[0]
    lines.append(f"{count} models fail the {rule} rule" + (f" ({only[rule]} fail only that rule)" if only[rule]
                                                            else ""))
    memory_only = [m for m, rs in result.rejections.items() if [r.rule for r in rs] == ["memory"]]
    if memory_only:
        budget = (ctx.hardware.budget_gib or 0.0) - ctx.req.headroom_gib
        lines.append(f"{len(memory_only)} models need more than {budget:.1f} GiB")
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
