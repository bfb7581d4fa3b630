"""Memory to fine-tune a model: full fine-tuning, LoRA or QLoRA, with gradient checkpointing."""

from __future__ import annotations

from ..catalog.cards import Card
from ..core.errors import UsageError, shown
from .memory import GIB, RUNTIME_OVERHEAD, RUNTIME_OVERHEAD_GIB, Estimate, Term
from .quants import QUANTS

LORA_RANK = 16  # adapters on the attention projections (q, k, v, o) of every layer
TRAINABLE_BYTES = 16  # fp16 weight + fp16 grad + fp32 master copy + two fp32 Adam moments (ZeRO, arXiv 1910.02054)
FROZEN_BYTES = {"full": 0.0, "lora": 2.0, "qlora": QUANTS["nf4"].bits / 8}


def estimate_finetune(card: Card, method: str, seq_len: int = 2048, batch: int = 1) -> Estimate:
    """Memory to fine-tune `card` with full fine-tuning, LoRA or QLoRA (gradient checkpointing assumed)."""
    if method not in FROZEN_BYTES:
        raise UsageError(f"unknown fine-tuning method {shown(method)}", "choose from full, lora, qlora")
    arch = card.architecture
    params = arch.params_b * 1e9
    layers = arch.layers or 32
    hidden = arch.hidden_size or 4096
    if method == "full":
        trainable = params
        frozen_gib = 0.0
        weights_formula = f"{arch.params_b:g}e9 params x {TRAINABLE_BYTES} bytes (weights, grads, Adam, fp32 master)"
    else:
        kv_width = (arch.kv_heads or arch.attention_heads or 1) * (arch.head_size or hidden // 32)
        q_width = (arch.attention_heads or 32) * (arch.head_size or hidden // 32)
        # q, k, v, o each get A (in x r) and B (r x out)
        trainable = layers * LORA_RANK * ((hidden + q_width) * 2 + (hidden + kv_width) * 2)
        frozen_gib = params * FROZEN_BYTES[method] / GIB
        weights_formula = (f"frozen {arch.params_b:g}e9 x {FROZEN_BYTES[method]:.3g} bytes + "
                           f"{trainable / 1e6:.1f}M LoRA params (rank {LORA_RANK}) x {TRAINABLE_BYTES} bytes")
    train_gib = trainable * TRAINABLE_BYTES / GIB
    weights = frozen_gib + train_gib
    # with gradient checkpointing each layer keeps its fp16 input (Korthikanti et al., arXiv 2205.05198)
    activations = 2 * layers * hidden * seq_len * batch / GIB + seq_len * batch * (arch.vocab_size or 32000) * 4 / GIB
    act_formula = (f"2 bytes x {layers} layers x {hidden} hidden x {seq_len} tokens x batch {batch} (checkpointed) "
                   f"+ fp32 logits {seq_len} x {arch.vocab_size or 32000} = {activations:.2f} GiB")
    terms = (
        Term("weights + optimizer", weights, weights_formula + f" = {weights:.2f} GiB"),
        Term("activations", activations, act_formula),
        Term("overhead", RUNTIME_OVERHEAD_GIB, RUNTIME_OVERHEAD),
    )
    return Estimate(f"finetune-{method}", seq_len, batch, "fp16", weights, 0.0, activations,
                    RUNTIME_OVERHEAD_GIB, 0.0, arch.layers is None, lambda: terms,
                    (f"{method}: {_count(trainable)} trainable parameters",))


def _count(n: float) -> str:
    """A parameter count for people: 8.0B, 41.9M."""
    return f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.1f}M"
