"""Quantizations: each format's bits per weight and source, which are GGUF's, and which a card's release offers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..catalog.cards import Architecture
from ..core.errors import UsageError, shown, suggest


@dataclass(frozen=True)
class Quant:
    id: str
    bits: float  # effective bits per weight, scales and mixed tensors included
    source: str
    embeddings_16bit: bool = False  # GPTQ/AWQ/bitsandbytes leave embeddings and lm_head unquantized
    moe_bits: float | None = None  # where a mixture applies differently to MoE expert tensors


_LLAMA_CPP = "llama.cpp tools/quantize/README.md (bits per weight, Llama 2 7B)"
_GGML = "ggml block layout (ggml-common.h)"
QUANTS: dict[str, Quant] = {q.id: q for q in (
    Quant("fp32", 32.0, "IEEE float32"),
    Quant("bf16", 16.0, "bfloat16"),
    Quant("fp16", 16.0, "IEEE float16"),
    Quant("int8", 8.0, "bitsandbytes LLM.int8() (arXiv 2208.07339): int8 weights, 16-bit outliers", True),
    Quant("q8_0", 8.5, f"{_GGML}: 32 int8 + one fp16 scale per block = 34 bytes / 32 weights"),
    Quant("q6_k", 6.56, _LLAMA_CPP),
    Quant("q5_k_m", 5.68, _LLAMA_CPP),
    # llama.cpp's Q4_K_M mix upgrades half the ffn_down tensors to Q6_K by layer index; whether MoE expert tensors get
    # it depends on the llama.cpp version and architecture. Published Q4_K_M files: Mixtral 8x7B 4.53 bits (TheBloke,
    # Dec 2023) and 4.88 (mozilla-ai llamafile 0.7), Qwen3-30B-A3B 4.90, DeepSeek-V3 4.49 (unsloth): the midpoint
    # keeps each within 4.5% (tests/data/memory_accuracy.yaml)
    Quant("q4_k_m", 4.84, _LLAMA_CPP, moe_bits=4.69),
    Quant("q4_0", 4.5, f"{_GGML}: 32 4-bit + one fp16 scale per block = 18 bytes / 32 weights"),
    Quant("q3_k_m", 3.91, _LLAMA_CPP),
    Quant("q2_k", 3.35, _LLAMA_CPP),
    Quant("gptq-4bit", 4.16, "GPTQ (arXiv 2210.17323), group size 128: 4 bits + fp16 scale + 4-bit zero per group",
          True),
    Quant("awq-4bit", 4.16, "AWQ (arXiv 2306.00978), group size 128: 4 bits + fp16 scale + 4-bit zero per group",
          True),
    Quant("nf4", 4.127, "QLoRA (arXiv 2305.14314): NF4 with double quantization, 0.127 bits of constants", True),
    Quant("mxfp4", 4.25, "OCP Microscaling spec v1.0: 4-bit E2M1 + one 8-bit scale per 32 weights"),
    Quant("fp8", 8.0, "FP8 E4M3 (DeepSeek-V3: one fp32 scale per 128x128 block, under 0.01 bits)"),
    Quant("nvfp4", 4.5, "NVIDIA NVFP4: 4-bit E2M1 + one FP8 E4M3 scale per 16 weights"),
    Quant("int4-qat", 4.5, "int4 weights from quantization-aware training, assumed one 16-bit scale per 32 weights"),
)}
# Higher precision first.
PRECISION_ORDER = ("fp32", "bf16", "fp16", "q8_0", "int8", "fp8", "q6_k", "q5_k_m", "q4_k_m", "awq-4bit",
                   "gptq-4bit", "q4_0", "nvfp4", "int4-qat", "mxfp4", "nf4", "q3_k_m", "q2_k")
# llama.cpp's quantizations: a GGUF file of one of these keeps tensors already stored in a format GGUF has
GGUF_QUANTS = frozenset({"q8_0", "q6_k", "q5_k_m", "q4_k_m", "q4_0", "q3_k_m", "q2_k"})
GGUF_NATIVE = frozenset({"mxfp4"})  # gpt-oss: the MXFP4 expert tensors stay MXFP4 in every GGUF (ggml type MXFP4)


def is_native(arch: Architecture, quant_id: str) -> bool:
    """`quant_id` is the format the publisher released the weights in, below 16 bits (MXFP4, FP8, ...)."""
    return quant_id == arch.native_precision and QUANTS[quant_id].bits < 16


def offered_quants(arch: Architecture, quants: Iterable[str], asked: bool = False) -> list[str]:
    """The quantizations worth pricing for `arch`: a release below 16 bits adds its native format and, unless the
    user asked for them (`asked`), drops the 16-bit upcasts, which are larger than what was released."""
    chosen = list(dict.fromkeys(quants))
    native = arch.native_precision
    if not native or QUANTS[native].bits >= 16 or asked:
        return chosen
    kept = [q for q in chosen if QUANTS[q].bits < 16]
    return sorted({*kept, native}, key=PRECISION_ORDER.index)


def quant(quant_id: str) -> Quant:
    key = quant_id.lower()
    found = QUANTS.get(key) or QUANTS.get(key.replace("-", "_"))
    if found is None:
        hint = suggest(quant_id, list(QUANTS))
        raise UsageError(f"unknown quantization {shown(quant_id)}",
                         "choose from " + ", ".join(QUANTS) + (f" (did you mean {hint[0]}?)" if hint else ""))
    return found
