"""One model against one machine: memory for each quantization (and context), and whether it fits."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from ..catalog.cards import Card
from .finetune import estimate_finetune
from .hardware import Hardware
from .measured import MeasuredSpeeds
from .memory import Estimate, decode_tokens_per_s, estimate
from .offload import PLACEMENT, offload_data, split
from .quants import PRECISION_ORDER, is_native, offered_quants

FIT_QUANTS = ("fp16", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q3_k_m", "q2_k")
SWEEP = (2048, 8192, 32768, 131072)


def sweep_contexts(card: Card) -> list[int]:
    contexts = [c for c in SWEEP if c < card.context_length]
    return contexts + [card.context_length]


def fit(card: Card, hardware: Hardware | None, quants: list[str] | None = None, contexts: list[int] | None = None,
        finetune: str | None = None, headroom_gib: float = 0.0, kv_dtype: str = "fp16",
        batch: int = 1, ram_bandwidth_gbs: float | None = None,
        measured: MeasuredSpeeds | None = None) -> list[tuple[str, Estimate, dict[str, Any]]]:
    """(label, estimate, row data) for every setting asked for, highest precision first; a model released below
    16 bits is priced at its native format and not upcast to fp16 unless `quants` asks for it. A setting too large
    for the GPU is split between the GPU and system RAM where the hardware has both (advice/offload.py)."""
    budget = None if hardware is None or hardware.budget_gib is None else hardware.budget_gib - headroom_gib
    gpus = hardware.gpus if hardware is not None and hardware.device == "gpu" else 0
    settings: list[tuple[str, Estimate]] = []
    for context in contexts or [4096]:
        if finetune:
            settings.append((f"finetune {finetune}", estimate_finetune(card, finetune, seq_len=context)))
            continue
        offered = offered_quants(card.architecture, quants or FIT_QUANTS, asked=bool(quants))
        for quant_id in sorted(offered, key=PRECISION_ORDER.index):
            label = f"{quant_id} (native)" if is_native(card.architecture, quant_id) else quant_id
            settings.append((label, estimate(card, quant_id, context, batch, kv_dtype, gpus=gpus or 1)))
    rows = []
    for label, est in settings:
        fits = None if budget is None else est.total_gib <= budget
        if fits is False and not finetune and hardware is not None:
            est = split(est, card.architecture, hardware, headroom_gib, ram_bandwidth_gbs) or est
        bandwidth = hardware.bandwidth_gbs if hardware is not None else None
        device = hardware.device if hardware is not None else "gpu"
        tps = decode_tokens_per_s(est, bandwidth, device) if not finetune else None
        run = measured.get(card.id, est.quant) if measured is not None and not finetune else None
        if run is not None:
            tps = run.tokens_per_s
        elif tps is not None and measured is not None and measured.ratio is not None:
            tps *= measured.ratio
        data = {"model": card.id} | {f.name: getattr(est, f.name) for f in fields(est)
                                     if f.name not in ("explain", "offload")}
        notes = list(est.notes)
        if est.offload and not bandwidth:
            notes.append(f"GPU bandwidth unknown: {PLACEMENT} speeds count the RAM side only, an upper bound "
                         "(name the GPU with --gpu)")
        data.update(setting=label, total_gib=est.total_gib, fits=fits, offload=offload_data(est),
                    tokens_per_s=tps, tokens_per_s_measured=run is not None, notes=notes)
        rows.append((label, est, data))
    return rows
