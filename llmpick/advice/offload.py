"""Partial offload: a model too large for the GPU split by layers between the GPU and system RAM (llama.cpp -ngl N,
what Ollama does by itself), with the most layers on the GPU that fit. docs/memory.md states the assumptions."""

from __future__ import annotations

import math
from dataclasses import replace

from ..catalog.cards import Architecture
from ..core.errors import UsageError
from .hardware import OS_RESERVE_GIB, Hardware
from .memory import RAM_BANDWIDTH_GBS, Estimate, Offload

PLACEMENT = "GPU+RAM"  # how a split is marked in tables and JSON


def can_offload(hardware: Hardware | None) -> bool:
    """The machine has a discrete GPU (or several) and a known amount of system RAM to hold the rest."""
    return hardware is not None and hardware.device == "gpu" and bool(hardware.ram_gib)


def check_offload(hardware: Hardware) -> None:
    """--allow-offload on hardware that cannot split a model; raises UsageError."""
    if hardware.device == "cpu":
        raise UsageError("--allow-offload splits a model between a GPU and system RAM, and no GPU was given",
                         "give --vram or --gpu with --ram, or drop --allow-offload")
    if hardware.device == "apple":
        raise UsageError(f"--allow-offload: {hardware.describe()} has unified memory, so the GPU and the CPU share "
                         "one memory and there is nothing to offload", "drop --allow-offload")
    if not hardware.ram_gib:
        raise UsageError("--allow-offload needs --ram: the system RAM that holds the layers the GPU cannot",
                         "add e.g. --ram 32")


def split(est: Estimate, arch: Architecture, hardware: Hardware, headroom_gib: float = 0.0,
          ram_bandwidth_gbs: float | None = None) -> Estimate | None:
    """`est` split between the GPU and RAM with the most layers on the GPU that fit, or None when no split has at
    least one layer on each side (the model fits the GPU whole, or not even one layer does, or RAM is too small).

    Weights and KV cache are spread evenly over the layers, and each layer's KV cache stays with its layer (llama.cpp's
    default; --no-kv-offload would move all of it to RAM). Activations and the CUDA overhead stay on the GPU. The GPU
    side must fit the GPU budget less `headroom_gib`; the RAM side must fit RAM less what the OS keeps."""
    layers = arch.layers
    if not can_offload(hardware) or not layers or layers < 2 or est.offload is not None:
        return None
    per_layer = (est.weights_gib + est.kv_cache_gib) / layers
    fixed = est.activations_gib + est.overhead_gib
    gpu_budget = (hardware.budget_gib or 0.0) - headroom_gib
    gpu_layers = min(math.floor((gpu_budget - fixed) / per_layer), layers) if per_layer > 0 else layers
    if not 1 <= gpu_layers < layers:
        return None
    ram_gib = (layers - gpu_layers) * per_layer
    if ram_gib > max((hardware.ram_gib or 0.0) - OS_RESERVE_GIB, 0.0):
        return None
    offload = Offload(gpu_layers, layers, fixed + gpu_layers * per_layer, ram_gib,
                      ram_bandwidth_gbs or RAM_BANDWIDTH_GBS)
    return replace(est, offload=offload)


def offload_text(est: Estimate, long: bool = False) -> str:
    """'GPU+RAM 30/40 layers' for a split estimate (`long`: with the memory on each side), '' otherwise."""
    off = est.offload
    if off is None:
        return ""
    if not long:
        return f"{PLACEMENT} {off.gpu_layers}/{off.layers} layers"
    return (f"{PLACEMENT}: {off.gpu_layers} of {off.layers} layers on the GPU ({off.gpu_gib:.1f} GiB with the "
            f"activations and overhead), {off.layers - off.gpu_layers} in system RAM ({off.ram_gib:.1f} GiB at "
            f"{off.ram_bandwidth_gbs:g} GB/s); llama.cpp -ngl {off.gpu_layers}")


def offload_data(est: Estimate) -> dict[str, object] | None:
    """The split as plain data for JSON, units in the keys; None when the model is in one memory."""
    off = est.offload
    if off is None:
        return None
    return {"placement": PLACEMENT, "gpu_layers": off.gpu_layers, "layers": off.layers,
            "cpu_layers": off.layers - off.gpu_layers,
            "gpu_gib": round(off.gpu_gib, 3), "offload_ram_gib": round(off.ram_gib, 3),
            "gpu_bytes": round(off.gpu_gib * 2**30), "offload_ram_bytes": round(off.ram_gib * 2**30),
            "ram_bandwidth_gbs": off.ram_bandwidth_gbs}
