"""Memory estimates: weights per quantization, KV cache per context, overhead, decode speed (fine-tuning: finetune.py).

Every function is pure: a card and a setting in, an Estimate with a traceable breakdown out.
Sizes are in GB of 2**30 bytes, the unit GPU memory is sold and reported in (nvidia-smi MiB / 1024).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial

from ..catalog.cards import Architecture, Card
from ..core.errors import UsageError, shown, suggest
from .quants import GGUF_NATIVE, GGUF_QUANTS, QUANTS, Quant, is_native, quant

GIB = 2**30

KV_BYTES = {"fp16": 2.0, "bf16": 2.0, "fp32": 4.0,
            "q8_0": 34 / 32,  # llama.cpp --cache-type-k q8_0: ggml q8_0 block
            "q4_0": 18 / 32}  # llama.cpp --cache-type-k q4_0: ggml q4_0 block
KV_TYPES = ("f16", "q8_0", "q4_0")  # --kv-type: llama.cpp's --cache-type-k/-v names
KV_ALIASES = {"f16": "fp16", "bf16": "bf16", "fp16": "fp16", "f32": "fp32", "fp32": "fp32", "q8_0": "q8_0",
              "q4_0": "q4_0"}
LINEAR_STATE_NOTE = "fixed state per linear layer, constant in context"
READ_PER_TOKEN = "read per token"  # the Term that is speed's divisor, not part of the memory total

# Named assumptions, shown in every breakdown.
# the runtime's own memory per device: on NVIDIA the CUDA context, cuBLAS workspace and allocator slack (typically
# 0.3-0.5 GiB); Metal and CPU back ends get the same allowance for their buffers
RUNTIME_OVERHEAD_GIB = 0.5
RUNTIME_OVERHEAD = f"{RUNTIME_OVERHEAD_GIB} GiB runtime context and workspace (on NVIDIA the CUDA context)"
COMPUTE_UBATCH = 512  # tokens per compute micro-batch (llama.cpp default -ub 512)
SWA_PAD = 256  # llama.cpp pads a sliding-window cache to a multiple of 256 cells (src/llama-kv-cache-iswa.cpp)
RWKV_STATE_VECTORS = 5  # RWKV-4 keeps 5 vectors of hidden_size per layer (ChatRWKV), in fp32
# Share of peak memory bandwidth decoding reaches, per Hardware.device ("apple": any unified memory): the median of
# measured / bandwidth-bound speed over docs/speed-accuracy.yaml (tests/test_speed_accuracy.py refits it)
BANDWIDTH_EFFICIENCY = {"gpu": 0.71, "apple": 0.78, "cpu": 0.60}
RAM_BANDWIDTH_GBS = 51.2  # dual-channel DDR4-3200 (2 x 8 bytes x 3200 MT/s) when no RAM bandwidth is given
KV_BYTES_PER_TOKEN_PER_B = 2 * 32 * 4096 * 2 / 6.74  # Llama-2-7B's fp16 KV per token per billion params


def kv_type(name: str) -> str:
    """The KV cache element type for a --kv-type value (f16, q8_0, q4_0; fp16/bf16/fp32 also accepted)."""
    found = KV_ALIASES.get(name.lower())
    if found is None:
        hint = suggest(name, list(KV_TYPES))
        raise UsageError(f"--kv-type {shown(name)} is not a KV cache type",
                         "choose from " + ", ".join(KV_TYPES) + (f" (did you mean {hint[0]}?)" if hint else ""))
    return found


@dataclass(frozen=True)
class Term:
    name: str
    gb: float
    formula: str  # the computation with the card's values filled in


@dataclass(frozen=True)
class Offload:
    """A model split between the GPU and system RAM (llama.cpp -ngl N): `gpu_layers` of `layers` on the GPU with
    their KV cache, the activations and the overhead; the other layers and their KV cache in RAM. advice/offload.py
    finds the split."""

    gpu_layers: int
    layers: int
    gpu_gib: float
    ram_gib: float
    ram_bandwidth_gbs: float

    @property
    def gpu_share(self) -> float:
        return self.gpu_layers / self.layers


@dataclass(frozen=True)
class Estimate:
    """Memory at one setting. It depends only on the architecture and the setting, so cards that share an
    architecture share their estimates (it names no model)."""

    quant: str
    context: int
    batch: int
    kv_dtype: str
    weights_gib: float
    kv_cache_gib: float
    activations_gib: float
    overhead_gib: float
    read_per_token_gib: float  # bytes read from memory per generated token (active weights + KV; see _read)
    approximate: bool = False
    # builds the breakdown on demand: formula text costs more than the numbers and is rarely shown
    explain: Callable[[], tuple[Term, ...]] = field(default=tuple, repr=False, compare=False)
    notes: tuple[str, ...] = field(default_factory=tuple)
    native: bool = False  # the weights as the publisher released them (MXFP4, FP8, ...), not re-quantized
    offload: Offload | None = None  # split between GPU and system RAM; None: all in one memory

    @property
    def total_gib(self) -> float:
        return self.weights_gib + self.kv_cache_gib + self.activations_gib + self.overhead_gib

    @property
    def terms(self) -> tuple[Term, ...]:
        return self.explain()


def weights_gib(arch: Architecture, q: Quant) -> tuple[float, str]:
    size, text = _weights(arch, q)
    return size, text()


@dataclass(frozen=True)
class Widths:
    """Bits per weight of each kind of tensor as stored at one quantization: the routed experts, the embedding table
    and output head, and everything else (attention, norms, router, shared experts, dense layers)."""

    experts: float
    head: float
    other: float
    label: str = ""  # where the widths come from ("mxfp4 kept", "mxfp4 as released", "MoE mix")
    by_kind: bool = False  # the experts are stored in their own format (not one mixture over every tensor)


def widths(arch: Architecture, q: Quant) -> Widths:
    """How `q` stores each kind of tensor of `arch`: the one rule that weights and bytes read per token share."""
    native = arch.native_precision
    head = 16.0 if q.embeddings_16bit else q.bits
    if native and arch.native_precision_scope == "experts" and arch.expert_params():
        if is_native(arch, q.id):  # the release: MXFP4 experts, the rest 16-bit (gpt-oss modules_to_not_convert)
            return Widths(q.bits, 16.0, 16.0, f"{q.id} as released", True)
        if native in GGUF_NATIVE and q.id in GGUF_QUANTS:  # GGUF keeps MXFP4 experts unless asked for fewer bits
            kept = min(QUANTS[native].bits, q.bits)
            return Widths(kept, q.bits, q.bits, f"{native} kept", True)
    if arch.is_moe and q.moe_bits:
        return Widths(q.moe_bits, q.moe_bits, q.moe_bits, "MoE mix")
    return Widths(q.bits, head, q.bits)


def _weights(arch: Architecture, q: Quant) -> tuple[float, Callable[[], str]]:
    params = arch.params_b * 1e9
    if arch.checkpoint_gb and is_native(arch, q.id):
        size = arch.checkpoint_gb * 1e9 / GIB
        return size, lambda: (f"published checkpoint {arch.checkpoint_gb:g} GB (10^9 bytes, {q.id} as released)"
                              f" = {size:.2f} GiB")
    bits = widths(arch, q)
    if bits.by_kind:
        experts = arch.expert_params()
        size = (experts * bits.experts + (params - experts) * bits.other) / 8 / GIB
        return size, lambda: (f"{experts / 1e9:.2f}e9 expert params x {bits.experts:g} bits ({bits.label}) + "
                              f"{(params - experts) / 1e9:.2f}e9 other params x {bits.other:g} bits / 8 = "
                              f"{size:.2f} GiB")
    if bits.label:  # one mixture width for every tensor of a mixture of experts
        size = params * bits.other / 8 / GIB
        return size, lambda: f"{arch.params_b:g}e9 params x {bits.other:g} bits (MoE mix) / 8 = {size:.2f} GiB"
    if bits.head != bits.other and arch.vocab_size and arch.hidden_size:
        embed = arch.vocab_size * arch.hidden_size * (1 if arch.tied_embeddings else 2)
        size = ((params - embed) * q.bits / 8 + embed * 2) / GIB
        return size, lambda: (f"({arch.params_b:g}e9 - {embed:,} embedding) x {q.bits:g} bits / 8 + {embed:,} x 2 bytes"
                              f" = {size:.2f} GiB")
    as_released = f" ({q.id} as released)" if is_native(arch, q.id) else ""
    size = params * q.bits / 8 / GIB
    return size, lambda: f"{arch.params_b:g}e9 params x {q.bits:g} bits{as_released} / 8 = {size:.2f} GiB"


@dataclass(frozen=True)
class TokenReads:
    """A mixture of experts' parameters by what one generated token reads: the experts it is routed to, and every
    other weight except the input embedding table (one row of it) and vision/audio towers (not used to generate)."""

    experts: float  # routed experts, all of them
    active_experts: float  # the experts_per_token of them one token uses
    head: float  # output head (the embedding table too when tied), read whole every token
    unread: float  # input embedding table (untied) and vision/audio towers
    other: float  # attention, norms, router, shared experts, dense layers: read whole every token


def token_reads(arch: Architecture) -> TokenReads | None:
    """What a token of a mixture of experts reads, from the card's architecture numbers; None for a dense model or
    when numbers are missing (hidden size, layers, expert intermediate size, experts and experts per token, and what
    computed_params needs)."""
    experts = arch.expert_params()
    if not (experts and arch.experts and arch.experts_per_token):
        return None
    computed = arch.computed_params()
    if computed is None:
        return None  # computed_params: the numbers account for the card's size (checked when the card loads)
    head = arch.vocab_size * arch.hidden_size if arch.vocab_size and arch.hidden_size else 0
    embedding = 0 if arch.tied_embeddings else head
    unread = embedding + ((arch.vision_params_b or 0) + (arch.audio_params_b or 0)) * 1e9
    counted = experts + head + unread
    # the rest of the card's size; of the numbers' own count when the size is rounded below it (Kimi K2's "1T" for
    # 1,026B), as the experts are counted from the numbers too
    other = (arch.params_b if arch.params_b * 1e9 > counted else computed) * 1e9 - counted
    if other <= 0:  # the numbers do not add up: no split to trust
        return None
    return TokenReads(experts, experts * min(arch.experts_per_token, arch.experts) / arch.experts, head, unread, other)


def _read(arch: Architecture, q: Quant, w: float) -> tuple[float, Callable[[], str]]:
    """Weights one generated token reads (GiB) and how: each kind of tensor at its stored width where the card's
    numbers give the split (a mixture of experts), else the active share of the weights."""
    split = token_reads(arch)
    if split is not None:
        bits = widths(arch, q)
        parts = ((split.active_experts, bits.experts), (split.other, bits.other), (split.head, bits.head))
        size = sum(params * b for params, b in parts) / 8 / GIB

        def text() -> str:
            routed = f"{arch.experts_per_token}/{arch.experts}"
            label = f" ({bits.label})" if bits.label else ""
            head = "tied embedding/head" if arch.tied_embeddings else "output head"
            unread = f", not the {split.unread / 1e9:.3f}e9 embedding table/towers" if split.unread else ""
            return (f"({split.active_experts / 1e9:.3f}e9 params of {routed} routed experts x {bits.experts:g} bits"
                    f"{label} + {split.other / 1e9:.3f}e9 attention/router/shared x {bits.other:g} bits + "
                    f"{split.head / 1e9:.3f}e9 {head} x {bits.head:g} bits) / 8 = {size:.2f} GiB{unread}")
        return size, text
    active_b = arch.active_params_b or arch.params_b
    if arch.native_precision:  # mixed formats, split unknown: the active share of the weights as stored
        size = w * active_b / arch.params_b
        why = " (average width: the card lacks the numbers to split experts from the rest)" if arch.is_moe else ""
        return size, lambda: f"{active_b:g}B active / {arch.params_b:g}B x {w:.2f} GiB weights = {size:.2f} GiB{why}"
    size = active_b * 1e9 * q.bits / 8 / GIB
    active = "active " if arch.is_moe else ""
    return size, lambda: f"{active_b:g}e9 {active}params x {q.bits:g} bits / 8 = {size:.2f} GiB"


def kv_cache_gib(arch: Architecture, context: int, batch: int = 1, kv_dtype: str = "fp16") -> tuple[float, str, bool]:
    """KV cache size, its formula, and whether it had to be approximated from the parameter count."""
    size, text, approximate = _kv_cache(arch, context, batch, kv_dtype)
    return size, text(), approximate


def _kv_cache(arch: Architecture, context: int, batch: int, kv_dtype: str) -> tuple[float, Callable[[], str], bool]:
    if kv_dtype not in KV_BYTES:
        raise UsageError(f"unknown KV cache type {shown(kv_dtype)}", "choose from " + ", ".join(KV_BYTES))
    nbytes = KV_BYTES[kv_dtype]
    if arch.type == "encoder":
        return 0.0, lambda: "encoder: no generation, no KV cache", False
    if arch.type == "rnn":
        if arch.layers and arch.hidden_size:
            size = RWKV_STATE_VECTORS * arch.layers * arch.hidden_size * 4 * batch / GIB
            return size, lambda: (f"RNN state, constant in context: {RWKV_STATE_VECTORS} x {arch.layers} layers x "
                                  f"{arch.hidden_size} x 4 bytes x batch {batch} = {size:.3f} GiB"), False
        return 0.0, lambda: "RNN state, constant in context (size unknown, negligible)", True
    if arch.attention == "mla" and arch.layers and arch.kv_lora_rank and arch.qk_rope_head_dim:
        return _mla_cache(arch, context, batch, kv_dtype)
    layers, kv_heads, head = arch.layers, arch.kv_heads or arch.attention_heads, arch.head_size
    if not (layers and kv_heads and head):
        # attention is part of what every token uses: a mixture of experts scales with its active parameters,
        # not with experts that only widen the feed-forward layers
        scaled_b, scaled = ((arch.active_params_b, "active ") if arch.is_moe and arch.active_params_b
                            else (arch.params_b, ""))
        size = KV_BYTES_PER_TOKEN_PER_B * scaled_b * context * batch * nbytes / 2 / GIB
        return size, lambda: (f"approximate (no layer/head numbers in the card): {scaled_b:g}B {scaled}x "
                              f"{KV_BYTES_PER_TOKEN_PER_B:,.0f} bytes/token/B x {context} tokens = "
                              f"{size:.2f} GiB"), True
    full = arch.full_layers if arch.full_layers is not None else layers
    hybrid = arch.attention == "hybrid"
    window = swa_cells(arch.sliding_window, context) if not hybrid else None
    windowed = layers - full if window and window < context else 0
    full = layers - windowed if not hybrid else full
    token_slots = full * context + windowed * (window or 0)
    if arch.type == "encoder-decoder":
        token_slots = (arch.decoder_layers or layers) * context * 2
    linear = (arch.linear_layers if arch.linear_layers is not None else layers - full) if hybrid else 0
    state = linear * (arch.linear_state_bytes or 0) * batch
    size = (2 * kv_heads * head * token_slots * batch * nbytes + state) / GIB

    def text() -> str:
        if arch.type == "encoder-decoder":
            layers_text = f"{arch.decoder_layers or layers} decoder layers x 2 (self + cross attention)"
        elif windowed:
            layers_text = (f"({full} layers x {context} + {windowed} sliding layers x {window} (window "
                           f"{arch.sliding_window} + {COMPUTE_UBATCH} micro-batch, padded)) tokens")
        elif hybrid:
            layers_text = f"{full} full-attention layers x {context} tokens"
        else:
            layers_text = f"{layers} layers x {context} tokens"
        state_text = ""
        if hybrid:
            known = f"{arch.linear_state_bytes:,} bytes" if arch.linear_state_bytes else "size not in the card"
            state_text = f" + {linear} linear layers x {known} ({LINEAR_STATE_NOTE}) x batch {batch}"
        return (f"2 (K,V) x {layers_text} x {kv_heads} KV heads x {head} head dim x batch {batch} x "
                f"{nbytes:g} bytes ({kv_dtype}){state_text} = {size:.2f} GiB")
    return size, text, False


def swa_cells(window: int | None, context: int) -> int | None:
    """Tokens a sliding-window layer holds: llama.cpp keeps the window plus one micro-batch, padded to 256 cells, never
    more than the context (src/llama-kv-cache-iswa.cpp: GGML_PAD(min(n_ctx, n_swa + n_ubatch), 256))."""
    if not window:
        return None
    return min(context, -(-(window + COMPUTE_UBATCH) // SWA_PAD) * SWA_PAD)


def _mla_cache(arch: Architecture, context: int, batch: int, kv_dtype: str) -> tuple[float, Callable[[], str], bool]:
    """Multi-head latent attention caches one compressed latent plus the rope key per layer and token, shared by
    all heads (DeepSeek-V3 report, arXiv 2412.19437, section 2.1.1)."""
    width = (arch.kv_lora_rank or 0) + (arch.qk_rope_head_dim or 0)
    layers, nbytes = arch.layers or 0, KV_BYTES[kv_dtype]
    size = layers * width * context * batch * nbytes / GIB
    return size, lambda: (f"MLA: {layers} layers x ({arch.kv_lora_rank} latent + {arch.qk_rope_head_dim} rope) x "
                          f"{context} tokens x batch {batch} x {nbytes:g} bytes ({kv_dtype}) = {size:.2f} GiB"), False


def estimate(card: Card, quant_id: str = "q4_k_m", context: int = 4096, batch: int = 1,
             kv_dtype: str = "fp16", gpus: int = 1) -> Estimate:
    """Memory to run `card` (a Card or anything with its architecture and context_length) at one setting."""
    if context <= 0 or batch <= 0:
        raise UsageError("context and batch must be positive")
    arch = card.architecture
    q = quant(quant_id)
    parts = _inference(arch, q.id, context, batch, kv_dtype)
    w, _, kv, _, kv_approx, activations, _, active, _ = parts
    overhead = RUNTIME_OVERHEAD_GIB * max(gpus, 1)
    notes = []
    if arch.is_moe:
        notes.append(f"MoE: all {arch.params_b:g}B parameters are resident; "
                     f"{arch.active_params_b or arch.params_b:g}B are read per token")
    if context > card.context_length:
        notes.append(f"{context} tokens exceeds the model's context length ({card.context_length})")
    if kv_approx:
        notes.append("approximate: the card lacks layer/head numbers, KV cache scaled from the parameter count")
    native = is_native(arch, q.id)
    if native:
        notes.append(f"{q.id} as released by the publisher")
    return Estimate(q.id, context, batch, kv_dtype, w, kv, activations, overhead, active + kv,
                    kv_approx, partial(_terms, parts, q, overhead, gpus), tuple(notes), native)


@lru_cache(maxsize=8192)  # many cards share an architecture (fine-tunes of one base): compute it once
def _inference(arch: Architecture, quant_id: str, context: int, batch: int, kv_dtype: str) -> tuple:
    q = QUANTS[quant_id]
    w, w_text = _weights(arch, q)
    kv, kv_text, kv_approx = _kv_cache(arch, context, batch, kv_dtype)
    width = (arch.hidden_size or 4096) * 4 + (arch.vocab_size or 32000)
    activations = min(context, COMPUTE_UBATCH) * batch * width * 4 / GIB

    def act_text() -> str:
        return (f"{min(context, COMPUTE_UBATCH)} tokens per micro-batch x batch {batch} x (4 x hidden "
                f"{arch.hidden_size or '4096 (assumed)'} + vocab {arch.vocab_size or '32000 (assumed)'}) x 4 bytes"
                f" = {activations:.2f} GiB")
    active, read_text = _read(arch, q, w)
    return w, w_text, kv, kv_text, kv_approx, activations, act_text, active, read_text


def _terms(parts: tuple, q: Quant, overhead: float, gpus: int) -> tuple[Term, ...]:
    w, w_text, kv, kv_text, _, activations, act_text, active, read_text = parts
    return (
        Term("weights", w, w_text() + f"  [{q.id}: {q.source}]"),
        Term("kv cache", kv, kv_text()),
        Term("activations", activations, act_text()),
        Term("overhead", overhead, f"{RUNTIME_OVERHEAD} x {max(gpus, 1)} device(s)"),
        Term(READ_PER_TOKEN, active + kv, f"weights {read_text()}; + kv cache {kv:.2f} GiB = {active + kv:.2f} GiB"),
    )


def decode_tokens_per_s(est: Estimate, bandwidth_gbs: float | None, device: str = "gpu") -> float | None:
    """Estimated generation speed: usable bandwidth / bytes read per token, where usable is the share of peak that
    `device` (Hardware.device: gpu, apple, cpu) reaches, BANDWIDTH_EFFICIENCY. An estimate, not a promise.

    Split between GPU and RAM, each side reads its layers' share at its own usable bandwidth, one after the other:
    seconds per token = GPU bytes / GPU bandwidth + RAM bytes / RAM bandwidth. An unknown GPU bandwidth counts as
    no time, so the figure is then an upper bound set by the RAM side."""
    if est.read_per_token_gib <= 0:
        return None
    read = est.read_per_token_gib * GIB / 1e9  # decimal GB, as bandwidths are stated
    usable = BANDWIDTH_EFFICIENCY[device] * (bandwidth_gbs or 0.0)
    if est.offload is not None:
        gpu_read, ram_read = est.offload.gpu_share * read, (1 - est.offload.gpu_share) * read
        ram = BANDWIDTH_EFFICIENCY["cpu"] * est.offload.ram_bandwidth_gbs
        return 1 / ((gpu_read / usable if usable else 0.0) + ram_read / ram)
    return usable / read if usable else None
