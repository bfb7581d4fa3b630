"""The score, in quality-index points: the model's calibrated quality for the task, less what the chosen
quantization, a slow speed, an unsuited task or language and license conditions cost; docs/scoring.md cites each
number."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from ..catalog.licenses import EffectiveLicense
from ..catalog.quality import QualityModel
from ..catalog.records import CardRecord
from .memory import RAM_BANDWIDTH_GBS, Estimate, decode_tokens_per_s
from .offload import offload_text
from .requirements import Requirements
from .rules import CHAT_TASKS, Context
from .weights import DEFAULT_WEIGHTS, PREFER

SIMILAR_SIZE = 2.0  # "similar size" (audit's alternatives): within 2x the parameters

# Quality lost to a quantization, in index points: llama.cpp's published perplexity increase on Llama-3-8B
# (tools/quantize/quantize.cpp) times POINTS_PER_PPL. Formats llama.cpp does not measure take the nearest one
# it does (GPTQ, AWQ, NF4 and MXFP4 as Q4_0: 4-bit with one scale per group).
PPL_INCREASE = {"fp32": 0.0, "bf16": 0.0, "fp16": 0.0, "q8_0": 0.0026, "int8": 0.0026, "fp8": 0.0026,
                "q6_k": 0.0217, "q5_k_m": 0.0569, "q4_k_m": 0.1754, "q4_0": 0.4685, "gptq-4bit": 0.4685,
                "awq-4bit": 0.4685, "nf4": 0.4685, "mxfp4": 0.4685, "nvfp4": 0.4685, "int4-qat": 0.4685,
                "q3_k_m": 0.6569, "q2_k": 3.5199}
# Index points per unit of perplexity: LLaMA-13B over LLaMA-7B as their figures place them (32.6 - 23.1, the
# evidence before the size prior) over their F16 wikitext-2 perplexities in llama.cpp's README table
# (5.9066 - 5.2543); tests/test_quality.py recomputes it from the catalog.
POINTS_PER_PPL = 14.6
QUANT_LOSS = {quant: round(POINTS_PER_PPL * increase, 2) for quant, increase in PPL_INCREASE.items()}
# A release in its native format (gpt-oss in MXFP4, DeepSeek-V3 in FP8) loses nothing: the publisher trained or
# calibrated those very weights and measured the benchmarks on them, so there is no full-precision model to fall
# short of. The formats above cost points only when they re-quantize weights released at higher precision.
NATIVE_LOSS = 0.0

TARGET_TOKENS_PER_S = 20.0  # "fast enough" for chat: about four times reading speed (docs/scoring.md)
SPEED_PENALTY = 8.0  # points at half the target; the square of the halvings below it (32 at a quarter), none above
SPEED_BONUS = 4.0  # with --prefer speed: points per doubling above the target
CPU_BANDWIDTH_GBS = RAM_BANDWIDTH_GBS  # dual-channel DDR4-3200 (2 x 8 bytes x 3200 MT/s) without --mem-bandwidth
UNCERTAINTY_DISCOUNT = 1.0  # points per point of standard error (weight 0 unless --prefer quality: proven first)
BASE_MODEL_PENALTY = 15.0  # a base (completion) model used for chat needs prompting a chat model does not
GENERAL_FOR_TASK_PENALTY = 3.0  # a general chat model asked for a task its figures do not measure (code, math, ...)
TASK_FOCUS = {"code": "code", "reasoning": "reasoning", "math": "reasoning"}  # the index reading that measures a task
SPECIALIST_PENALTY = 8.0  # a model made for one task (a code model) asked for general chat, or for another task
SECONDARY_LANGUAGE_PENALTY = 2.0  # per requested language the model lists but is not mainly trained in
CONDITIONAL_LICENSE_PENALTY = 2.0  # with --commercial: conditions to meet (user caps, use policies)
CONTEXT_POINTS_PER_DOUBLING = 1.0  # with --prefer context: per doubling of context beyond the need
RECENCY_POINTS_PER_YEAR = 0.5  # a tie-breaker: newer models are trained on newer data
RECENCY_EPOCH = dt.date(2023, 1, 1)


@dataclass(frozen=True)
class Scales:
    """What scoring reads besides the card: the catalog's quality model and the task focus."""

    quality: QualityModel | None
    focus: str | None

    @classmethod
    def of(cls, quality: QualityModel | None, req: Requirements) -> Scales:
        return cls(quality, focus_of(req))


def focus_of(req: Requirements) -> str:
    """Which reading of the quality index fits the request: the task's, else the language's, else chat's."""
    tasks = set(req.tasks)
    if "code" in tasks:
        return "code"
    if tasks & {"reasoning", "math"}:
        return "reasoning"
    if "zh" in req.languages:
        return "chinese"
    if set(req.languages) - {"en"}:
        return "multilingual"
    return "chat"


def speed_of(est: Estimate, ctx: Context, model: str | None = None) -> tuple[float | None, str]:
    """Tokens/s and where the figure came from: measured on this machine for `model` at this quantization (llmpick
    bench), else the estimate, calibrated by the measured runs when there are some (advice/measured.py)."""
    measured = ctx.measured
    if measured is None:
        return estimated_speed(est, ctx)
    run = measured.get(model, est.quant)
    if run is not None:
        return run.tokens_per_s, f"measured on this machine {run.date} ({run.tag})"
    tps, bandwidth = estimated_speed(est, ctx)
    if tps is None or measured.ratio is None:
        return tps, bandwidth
    return tps * measured.ratio, f"{bandwidth}, x {measured.ratio:.2f} calibrated by {measured.calibrated_by} run(s)"


def estimated_speed(est: Estimate, ctx: Context) -> tuple[float | None, str]:
    """Estimated tokens/s and where the bandwidth came from."""
    hw = ctx.hardware
    if est.offload is not None:  # split between GPU and RAM: each side's share at its own bandwidth
        gpu, ram = hw.bandwidth_gbs or ctx.req.mem_bandwidth_gbs, f"{est.offload.ram_bandwidth_gbs:g} GB/s RAM"
        return decode_tokens_per_s(est, gpu, hw.device), (f"{gpu:g} GB/s GPU + {ram}" if gpu
                                                          else f"{ram}, GPU bandwidth unknown (an upper bound)")
    if hw.bandwidth_gbs:
        return decode_tokens_per_s(est, hw.bandwidth_gbs, hw.device), f"{hw.bandwidth_gbs:g} GB/s"
    given = ctx.req.mem_bandwidth_gbs
    if given:
        return decode_tokens_per_s(est, given, hw.device), f"{given:g} GB/s (--mem-bandwidth)"
    if hw.device == "cpu":
        return (decode_tokens_per_s(est, CPU_BANDWIDTH_GBS, "cpu"),
                f"{CPU_BANDWIDTH_GBS:g} GB/s assumed (dual-channel DDR4-3200; give --mem-bandwidth)")
    return None, ""


def speed_points(tps: float, target: float, bonus: bool = False) -> float:
    """Speed in halvings and doublings of the target, as people feel it: a penalty of the squared halvings below
    the target (none near it, steep toward reading speed), and with `bonus` a reward per doubling above it."""
    doublings = math.log2(max(tps, 1e-3) / target)
    if doublings < 0:
        return -SPEED_PENALTY * doublings * doublings
    return SPEED_BONUS * doublings if bonus else 0.0


def components(card: CardRecord, est: Estimate, ctx: Context, scales: Scales,
               explain: bool = False) -> tuple[dict[str, float], dict[str, str], list[str]]:
    """Each component's points and, with `explain`, how they were found."""
    req = ctx.req
    flags: list[str] = []
    values: dict[str, float] = {}
    why: dict[str, str] = {}

    quality = scales.quality.of(card.id) if scales.quality else None
    if quality is None:
        values["quality"], values["uncertainty"] = 0.0, 0.0
        flags.append("no quality evidence")
        if explain:
            why["quality"] = why["uncertainty"] = "no benchmark figures and nothing to estimate from"
    else:
        values["quality"], error = quality.for_focus(scales.focus)
        values["uncertainty"] = -UNCERTAINTY_DISCOUNT * error
        if quality.imputed:
            flags.append("quality estimated")
        if explain:
            read = scales.focus in quality.read
            if quality.imputed:
                how = f"estimated from {quality.imputed}"
            else:
                lean = f"read for {scales.focus}" if read else f"no {scales.focus} figures"
                how = (f"benchmarks say {quality.evidence:.1f} overall, {lean}; weighed with what size and date "
                       "predict")
            why["quality"] = f"index {'~' if quality.imputed else ''}{values['quality']:.1f} ({how})"
            why["uncertainty"] = f"-{UNCERTAINTY_DISCOUNT:g} x standard error {error:.1f}"

    values["quantization"] = -NATIVE_LOSS if est.native else -QUANT_LOSS.get(est.quant, QUANT_LOSS["q4_0"])
    if explain and est.native:
        why["quantization"] = f"{est.quant}: the weights as released, nothing lost"
    elif explain:
        why["quantization"] = (f"{est.quant}: +{PPL_INCREASE.get(est.quant, PPL_INCREASE['q4_0']):g} perplexity "
                               f"(llama.cpp, Llama-3-8B) x {POINTS_PER_PPL:g} points")

    tps, bandwidth = speed_of(est, ctx, card.id)
    target = req.min_speed or TARGET_TOKENS_PER_S
    if tps is None:
        values["speed"] = 0.0
        if explain:
            why["speed"] = "GPU bandwidth unknown (name the GPU with --gpu): assumed fast enough"
    else:
        values["speed"] = speed_points(tps, target, bonus="speed" in req.prefer)
        if tps < target:
            flags.append(f"~{tps:.0f} tokens/s")
        if explain:
            said = (f"{tps:.1f} tokens/s {bandwidth}" if bandwidth.startswith("measured")
                    else f"~{tps:.0f} tokens/s at {bandwidth}")
            why["speed"] = f"{said}; target {target:g}"

    values["task"], why["task"] = _task_points(card, req.tasks, quality.read if quality else ())

    secondary = [lang for lang in req.languages if card.languages[0] != lang]
    values["language"] = -SECONDARY_LANGUAGE_PENALTY * len(secondary)
    if explain:
        why["language"] = (f"{', '.join(secondary)} listed, not the primary language ({card.languages[0]})"
                           if secondary else f"primary language {card.languages[0]}")

    eff = ctx.license(card)
    conditional = eff.commercial == "conditional" and (req.commercial or "license" in req.prefer)
    values["license"] = -CONDITIONAL_LICENSE_PENALTY if conditional else 0.0
    if explain:
        why["license"] = f"{eff.license.id}: commercial {eff.commercial}"

    needed = max(req.context, req.min_context or 0)
    values["context"] = CONTEXT_POINTS_PER_DOUBLING * math.log2(max(card.context_length / needed, 1.0))
    if explain:
        why["context"] = f"{card.context_length} tokens offered, {needed} needed"

    values["recency"] = RECENCY_POINTS_PER_YEAR * max(0.0, (card.released - RECENCY_EPOCH).days / 365.25)
    if explain:
        why["recency"] = f"released {card.released.isoformat()}"
    if est.approximate:
        flags.append("approximate memory")
    if est.offload:
        flags.append(offload_text(est))
    return {name: value + 0.0 for name, value in values.items()}, why, flags  # + 0.0: no "-0.00" shown


def _task_points(card: CardRecord, tasks: list[str], read: tuple[str, ...]) -> tuple[float, str]:
    """How well the model's purpose matches the asked-for tasks (none asked: general chat). A general model whose
    figures measure the task (`read`: the index's task readings) is not discounted for it: the index already says how
    good it is at that task, and a card's task list would count it twice."""
    specialty = card.specialty
    if tasks:
        off = [t for t in tasks if specialty and t != specialty]
        general = [t for t in tasks if t not in card.tasks and TASK_FOCUS.get(t) not in read]
        points = -SPECIALIST_PENALTY * len(off) - GENERAL_FOR_TASK_PENALTY * len(general)
        words = [f"{t}: " + ("made for " + specialty if t in off else "general chat model" if t in general
                             else "made for it" if t in card.tasks else "general model, figures measure it")
                 for t in tasks]
        return points, ", ".join(words)
    if specialty:
        return -SPECIALIST_PENALTY, f"made for {specialty}, not general chat"
    if CHAT_TASKS.isdisjoint(card.tasks):
        return -BASE_MODEL_PENALTY, "base model: needs prompting for chat"
    return 0.0, "chat/instruct model"


def rate(card: CardRecord, est: Estimate, ctx: Context, scales: Scales, weights: dict[str, float],
         explain: bool = False) -> tuple[float, dict[str, float], dict[str, str], list[str]]:
    """The score (the weighted sum of the components' points, rounded), and the components as `components`
    gives them."""
    values, why, flags = components(card, est, ctx, scales, explain)
    return round(sum(weights[k] * values[k] for k in weights), 6), values, why, flags


def effective_weights(req: Requirements) -> dict[str, float]:
    """The defaults, then --prefer's, then a profile's own weights."""
    weights = dict(DEFAULT_WEIGHTS)
    for preference in dict.fromkeys(req.prefer):
        weights.update(PREFER[preference])
    weights.update(req.weights)
    return weights


def short_reasons(values: dict[str, float], why: dict[str, str], weights: dict[str, float],
                  eff: EffectiveLicense) -> tuple[str, ...]:
    """Quality, then the component that costs most (its full explanation is in --explain), then license
    conditions: "quality 72.3", "quantization -2.6 (q4_k_m)"."""
    reasons = [f"quality {values['quality']:.1f}"]
    cost, costliest = min((weights[k] * v, k) for k, v in values.items() if k not in ("quality", "recency"))
    if cost < -0.5:
        detail = f" ({why[costliest].split(':')[0]})" if costliest == "quantization" else ""  # the quant's name
        reasons.append(f"{costliest} {cost:+.1f}{detail}")
    if eff.commercial == "conditional":
        reasons.append("⚠ " + ", ".join(eff.conditions[:3]))
    return tuple(reasons)
