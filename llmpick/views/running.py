"""The Run section of recommend, fit and show: the commands that run a pick (advice/launch.py), as lines under a
table and as JSON."""

from __future__ import annotations

from typing import Any

from ..advice.hardware import Hardware
from ..advice.launch import RunPlan, plan
from ..advice.memory import Estimate, estimate
from ..advice.scoring import QUANT_LOSS
from ..catalog.artefacts import file_tag
from ..catalog.cards import Card

TOP_RUN = 3  # picks whose one-line command the recommend table is followed by
SHOW_QUANT = "q4_k_m"  # show has no hardware: the commands at the most common download
MOSTLY_ON_GPU = 0.5  # fit's Run section prefers a split with at least this share of the layers on the GPU


def top_lines(plans: list[RunPlan]) -> list[str]:
    """One line per pick to copy, for the first TOP_RUN picks: 'run #1 qwen3-14b: ollama run qwen3:14b'."""
    if not plans:
        return []
    lines = [f"run the top {min(len(plans), TOP_RUN)} (every runtime: llmpick fit MODEL with the same "
             "hardware flags, or --format json):"]
    for rank, one in enumerate(plans[:TOP_RUN], 1):
        best = one.best
        if best and best.command:
            # the note qualifies the command (another quantization, or one the card does not record)
            lines.append(f"  #{rank} {one.model}: {best.command}" + (f"  [{best.note}]" if best.note else ""))
        else:
            lines.append(f"  #{rank} {one.model}: no Ollama tag, GGUF, vLLM or MLX repo recorded at {one.quant}")
    return lines


def section(one: RunPlan, why: str) -> list[str]:
    """The Run section of fit: a heading and every runtime's command (or why it has none)."""
    return [f"run ({one.quant}, {one.context} tokens of context; {why}):", *one.lines()]


def fit_plan(card: Card, rows: list[tuple[str, Estimate, dict[str, Any]]], hardware: Hardware | None,
             context: int) -> tuple[RunPlan, str] | None:
    """The setting fit's Run section is for, and why: at `context`, the highest precision that fits the machine
    whole, else the highest that fits split between GPU and RAM; with no machine given, q4_k_m (or the first
    setting). None for fine-tuning, or when nothing fits."""
    settings = [(est, data) for _, est, data in rows if est.context == context and not est.quant.startswith("finetune")]
    if not settings:
        return None
    if hardware is None:
        est = next((est for est, _ in settings if est.quant == SHOW_QUANT), settings[0][0])
        return plan(card, est, None), "no machine given"
    fits = [est for est, data in settings if data["fits"]]
    splits = [est for est, _ in settings if est.offload is not None]

    def good_split(est: Estimate) -> bool:
        return est.offload.gpu_share >= MOSTLY_ON_GPU and loses_little(est)  # type: ignore[union-attr]

    # q4_k_m and above cost little (docs/scoring.md, the loss table); below, a split that keeps most layers on the GPU
    # at q4_k_m or above beats a 2- or 3-bit model whole (qwen3-14b on 8 GB: q4_k_m with 31 of 40 layers, not q2_k);
    # among such splits the one with the most layers on the GPU, the fastest
    groups = (
        ([est for est in fits if loses_little(est)], "the highest precision that fits"),
        (sorted(filter(good_split, splits), key=lambda est: -est.offload.gpu_share),  # type: ignore[union-attr]
         "q4_k_m or above split between GPU and RAM, the most layers on the GPU"),
        ([est for est in fits if not loses_little(est)], "the highest precision that fits, below q4_k_m"),
        ([est for est in splits if not good_split(est)], "the highest precision split between GPU and RAM"),
    )
    first = None  # plans are built one at a time: each prices the GPU servers' own repo
    for candidates, why in groups:
        for est in candidates:
            one = plan(card, est, hardware)
            if one.best is not None:
                return one, why
            first = first or one
    return (first, "the highest precision that fits; nothing recorded to download") if first else None


def loses_little(est: Estimate) -> bool:
    """A setting that loses little to quantization: as released, or no more than q4_k_m loses."""
    return est.native or QUANT_LOSS.get(est.quant, QUANT_LOSS["q2_k"]) <= QUANT_LOSS["q4_k_m"]


def show_plan(card: Card) -> RunPlan:
    """The commands `show` lists: at the card's native quantization below 16 bits if it has one (gpt-oss: mxfp4),
    else at q4_k_m, with a 4096-token context and no machine in mind."""
    arch = card.architecture
    native = arch.native_precision if arch.native_precision not in (None, "bf16", "fp16", "fp32") else None
    return plan(card, estimate(card, native or SHOW_QUANT, 4096), None)


def show_rows(card: Card, one: RunPlan) -> list[dict[str, Any]]:
    """Rows of show's field/value table: what the card records, then one command per runtime."""
    rows = []
    runtimes = card.runtimes
    if runtimes is not None:
        if runtimes.ollama is not None:
            tags = ", ".join(f"{q} {t}" for q, t in runtimes.ollama.quants.items()) or runtimes.ollama.tag
            rows.append({"field": "ollama tags", "value": tags})
        for repo in runtimes.gguf:
            files = ", ".join(f"{file_tag(q)}" + ("" if f.size_gb is None else f" {f.size_gb:.2f} GB")
                              for q, f in repo.files.items())
            rows.append({"field": "gguf", "value": f"{repo.repo}: {files}"})
        for mlx in runtimes.mlx:
            rows.append({"field": "mlx", "value": f"{mlx.repo} ({mlx.bits}-bit)"})
    for run in one.runs:
        value = run.command or run.note
        if run.command and run.setup:
            value = f"{run.setup}, then {value}"
        if run.command and run.artefact is not None and run.artefact.file:
            value += f"  [{run.artefact.text()}]"
        elif run.command and run.note:
            value += f"  [{run.note}]"
        rows.append({"field": f"run {run.runtime} ({one.quant})", "value": value})
    return rows
