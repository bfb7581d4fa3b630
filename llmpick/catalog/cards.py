"""The model card schema (pydantic), including the parameter count implied by the architecture."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationInfo,
                      field_validator, model_validator)

from ..core import vocab
from ..core.parse import no_bool_for_number, visible, visible_lines
from .artefacts import Runtimes

PARAMS_TOLERANCE = 0.10

SLUG = r"^[a-z0-9][a-z0-9.\-]*$"
URL = r"^https?://\S+$"
HF_REPO = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*/[A-Za-z0-9][A-Za-z0-9_.\-]*$"

Slug = Annotated[str, Field(pattern=SLUG, max_length=120)]
Url = Annotated[str, Field(pattern=URL, max_length=2000)]
HfRepo = Annotated[str, Field(pattern=HF_REPO, max_length=200)]
Task = Literal[vocab.TASKS]  # type: ignore[valid-type]
Modality = Literal[vocab.MODALITIES]  # type: ignore[valid-type]
Openness = Literal[vocab.OPENNESS_LEVELS]  # type: ignore[valid-type]
Provenance = Literal[vocab.PROVENANCE_FLAGS]  # type: ignore[valid-type]
Quantization = Literal[vocab.QUANTIZATIONS]  # type: ignore[valid-type]
# Finite and plausible: an infinite or astronomically large number validates nothing and breaks every formula after
MAX_PARAMS_B = 100_000  # 100 trillion parameters
MAX_GB = 100_000
MAX_COUNT = 2**31 - 1  # layers, heads, widths, vocabulary: config.json's int32
MAX_CONTEXT = 100_000_000  # tokens; the largest published context is 10M
Positive = Annotated[float, Field(gt=0, le=MAX_GB, allow_inf_nan=False)]
Count = Annotated[int, Field(gt=0, le=MAX_COUNT)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(visible)]
Text = Annotated[str, AfterValidator(visible_lines)]


def _language(code: str) -> str:
    if code not in vocab.LANGUAGES:
        known = vocab.language_code(code)
        hint = f"; use {known!r}" if known else ""
        raise ValueError(f"{code!r} is not an ISO 639-1 language code{hint}")
    return code


def _unique(items: list) -> list:
    seen: set = set()
    duplicates = sorted({str(x) for x in items if x in seen or seen.add(x)})  # one pass: count() was quadratic
    if duplicates:
        raise ValueError(f"listed more than once: {', '.join(duplicates)}")
    return items


Language = Annotated[str, AfterValidator(_language)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    _no_bool_for_number = field_validator("*", mode="before")(no_bool_for_number)


class Architecture(Strict):
    type: Literal[vocab.ARCHITECTURES]  # type: ignore[valid-type]
    params_b: Annotated[float, Field(gt=0, le=MAX_PARAMS_B, allow_inf_nan=False)]
    active_params_b: Annotated[float, Field(gt=0, le=MAX_PARAMS_B, allow_inf_nan=False)] | None = None
    layers: Count | None = None
    decoder_layers: Count | None = None
    hidden_size: Count | None = None
    attention_heads: Count | None = None
    kv_heads: Count | None = None
    head_dim: Count | None = None
    intermediate_size: Count | None = None
    ffn: Literal["gated", "plain"] = "gated"
    vocab_size: Count | None = None
    tied_embeddings: bool = False
    experts: Count | None = None
    experts_per_token: Count | None = None
    shared_experts: Annotated[int, Field(ge=0)] | None = None
    sliding_window: Annotated[int, Field(gt=0, le=MAX_CONTEXT)] | None = None
    sliding_window_layers: Count | None = None
    attention: Literal[vocab.ATTENTION_KINDS] | None = None  # type: ignore[valid-type]
    # multi-head latent attention (DeepSeek-V3): the cache holds kv_lora_rank + qk_rope_head_dim per layer and token
    kv_lora_rank: Count | None = None
    qk_rope_head_dim: Count | None = None
    q_lora_rank: Count | None = None
    qk_nope_head_dim: Count | None = None
    v_head_dim: Count | None = None
    # which layers attend over the whole context; the others use sliding_window, or (hybrid) hold a fixed state
    full_attention_layers: Count | None = None
    full_attention_interval: Count | None = None  # every Nth layer is a full-attention layer
    linear_state_bytes: Count | None = None  # hybrid: fixed state of one linear/recurrent layer per sequence
    # hybrid: layers holding that state when it is not every non-attention layer (Nemotron-H's MLP-only layers hold
    # none; Falcon-H1 runs attention and Mamba side by side, so every layer holds both)
    linear_layers: Count | None = None
    dense_layers: Annotated[int, Field(ge=0)] | None = None  # MoE: layers with a dense FFN instead of experts
    dense_intermediate_size: Count | None = None
    native_precision: Literal[vocab.NATIVE_PRECISIONS] | None = None  # type: ignore[valid-type]
    native_precision_scope: Literal["all", "experts"] = "all"  # which weights are stored at native_precision
    checkpoint_gb: Positive | None = None  # the official checkpoint's published size, GB of 10**9 bytes
    vision_params_b: Positive | None = None
    audio_params_b: Positive | None = None

    @property
    def is_moe(self) -> bool:
        return self.type == "moe-decoder"

    @property
    def attention_kind(self) -> str | None:
        """The attention as given, or as the head counts imply it (mha, gqa, mqa)."""
        if self.attention or not self.attention_heads:
            return self.attention
        kv = self.kv_heads or self.attention_heads
        return "mha" if kv == self.attention_heads else "mqa" if kv == 1 else "gqa"

    @property
    def full_layers(self) -> int | None:
        """Layers whose cache grows with the whole context; the rest are windowed or hold a fixed state."""
        if not self.layers:
            return None
        if self.full_attention_layers is not None:
            return self.full_attention_layers
        if self.full_attention_interval:
            return self.layers // self.full_attention_interval
        if self.sliding_window_layers is not None:
            return self.layers - self.sliding_window_layers
        return 0 if self.sliding_window else self.layers

    def expert_params(self) -> float:
        """Parameters in the routed experts' FFN matrices (0 for a dense model or when numbers are missing)."""
        h, inter, layers = self.hidden_size, self.intermediate_size, self.layers
        if not (self.is_moe and self.experts and h and inter and layers):
            return 0.0
        matrices = 3 if self.ffn == "gated" else 2
        return (layers - (self.dense_layers or 0)) * self.experts * matrices * h * inter

    @property
    def head_size(self) -> int | None:
        if self.head_dim:
            return self.head_dim
        if self.hidden_size and self.attention_heads:
            return self.hidden_size // self.attention_heads
        return None

    def computed_params(self) -> float | None:
        """Parameters (billions) implied by the architecture numbers, or None if some are missing.

        Counts the weight matrices (embeddings, attention, feed-forward); norms and biases are
        well under 1% and left out.
        """
        h, layers, inter, vocab_size = self.hidden_size, self.layers, self.intermediate_size, self.vocab_size
        if not (h and layers and inter and vocab_size):
            return None
        embeddings = vocab_size * h * (1 if self.tied_embeddings else 2)
        if self.type == "rnn":  # RWKV: time-mix (4 h x h) + channel-mix (key, value, receptance)
            return (embeddings + layers * (4 * h * h + 2 * h * inter + h * h)) / 1e9
        heads = self.attention_heads
        if heads and self.attention == "mla":
            attention = self._mla_params(h, heads)
            if attention is None:
                return None
        elif heads:
            d = self.head_size or h // heads
            kv = self.kv_heads or heads
            attention = 2 * h * heads * d + 2 * h * kv * d
        else:
            attention = 4 * h * h
        matrices = 3 if self.ffn == "gated" else 2
        ffn = matrices * h * inter * ((self.experts or 1) + (self.shared_experts or 0) if self.is_moe else 1)
        dense = self.dense_layers or 0
        dense_ffn = matrices * h * (self.dense_intermediate_size or inter)
        total = embeddings + layers * attention + (layers - dense) * ffn + dense * dense_ffn
        total += ((self.vision_params_b or 0) + (self.audio_params_b or 0)) * 1e9
        if self.type == "encoder-decoder":
            total += (self.decoder_layers or layers) * (2 * attention + ffn)
        return total / 1e9

    def _mla_params(self, h: int, heads: int) -> int | None:
        """One MLA layer: low-rank query and key/value projections (DeepSeek-V3 config.json names)."""
        nope, rope, v, kv_rank = self.qk_nope_head_dim, self.qk_rope_head_dim, self.v_head_dim, self.kv_lora_rank
        if not (nope and rope and v and kv_rank):
            return None
        q_width = heads * (nope + rope)
        query = h * self.q_lora_rank + self.q_lora_rank * q_width if self.q_lora_rank else h * q_width
        return query + h * (kv_rank + rope) + kv_rank * heads * (nope + v) + heads * v * h

    @model_validator(mode="after")
    def _layer_pattern(self) -> Architecture:
        mla_fields = {"kv_lora_rank": self.kv_lora_rank, "qk_rope_head_dim": self.qk_rope_head_dim,
                      "q_lora_rank": self.q_lora_rank, "qk_nope_head_dim": self.qk_nope_head_dim,
                      "v_head_dim": self.v_head_dim}
        given = [name for name, value in mla_fields.items() if value is not None]
        if self.attention == "mla":
            missing = [name for name in ("kv_lora_rank", "qk_rope_head_dim") if name not in given]
            if missing:
                raise ValueError(f"attention mla needs {' and '.join(missing)} (config.json)")
        elif given:
            verb = "applies" if len(given) == 1 else "apply"
            raise ValueError(f"{', '.join(given)} only {verb} to attention mla (this card: "
                             f"{self.attention or 'no attention given'})")
        heads, kv = self.attention_heads, self.kv_heads
        if heads and kv and self.attention in ("mha", "gqa", "mqa"):
            wanted = {"mha": kv == heads, "mqa": kv == 1, "gqa": 1 < kv < heads}[self.attention]
            if not wanted:
                raise ValueError(f"attention {self.attention} disagrees with kv_heads {kv} of {heads} attention_heads")
        if self.full_attention_layers is not None and self.full_attention_interval is not None:
            raise ValueError("give full_attention_layers or full_attention_interval, not both")
        full_given = self.full_attention_layers is not None or self.full_attention_interval is not None
        if full_given and self.sliding_window_layers is not None:
            raise ValueError("give sliding_window_layers or full_attention_layers/interval, not both")
        if self.attention == "hybrid" and not full_given:
            raise ValueError("attention hybrid needs full_attention_layers or full_attention_interval")
        if full_given and self.attention != "hybrid" and self.sliding_window is None:
            raise ValueError("full_attention_layers/interval need attention hybrid or a sliding_window")
        for name in ("linear_state_bytes", "linear_layers"):
            if getattr(self, name) is not None and self.attention != "hybrid":
                raise ValueError(f"{name} only applies to attention hybrid")
        if self.layers:
            for name in ("full_attention_layers", "full_attention_interval", "linear_layers", "dense_layers"):
                value = getattr(self, name)
                if value is not None and value > self.layers:
                    raise ValueError(f"{name} ({value}) exceeds layers ({self.layers})")
        if (self.dense_layers is not None or self.dense_intermediate_size is not None) and not self.is_moe:
            raise ValueError("dense_layers and dense_intermediate_size only apply to type moe-decoder")
        if self.dense_intermediate_size is not None and not self.dense_layers:
            raise ValueError("dense_intermediate_size needs dense_layers")
        if self.native_precision_scope == "experts" and not (self.is_moe and self.native_precision):
            raise ValueError("native_precision_scope experts needs a moe-decoder with native_precision")
        towers = (self.vision_params_b or 0) + (self.audio_params_b or 0)
        if towers >= self.params_b:
            raise ValueError(f"vision_params_b + audio_params_b ({towers:g}) must be below params_b ({self.params_b})")
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Architecture:
        moe_only = {"active_params_b": self.active_params_b, "experts": self.experts,
                    "experts_per_token": self.experts_per_token, "shared_experts": self.shared_experts}
        if not self.is_moe:
            given = [name for name, value in moe_only.items() if value is not None]
            if given:
                raise ValueError(f"{', '.join(given)} only apply to type moe-decoder (this is {self.type})")
        if self.active_params_b is not None and self.active_params_b >= self.params_b:
            raise ValueError(f"active_params_b ({self.active_params_b}) must be below params_b ({self.params_b})")
        if self.experts and self.experts_per_token and self.experts_per_token > self.experts:
            raise ValueError(f"experts_per_token ({self.experts_per_token}) exceeds experts ({self.experts})")
        if self.kv_heads and self.attention_heads and self.attention_heads % self.kv_heads:
            raise ValueError(f"kv_heads ({self.kv_heads}) must divide attention_heads ({self.attention_heads})")
        if self.decoder_layers is not None and self.type != "encoder-decoder":
            raise ValueError("decoder_layers only applies to type encoder-decoder")
        if self.sliding_window_layers is not None:
            if self.sliding_window is None:
                raise ValueError("sliding_window_layers needs sliding_window")
            if self.layers and self.sliding_window_layers > self.layers:
                raise ValueError(f"sliding_window_layers ({self.sliding_window_layers}) exceeds layers ({self.layers})")
        computed = self.computed_params()
        if computed is not None and abs(computed - self.params_b) > PARAMS_TOLERANCE * self.params_b:
            raise ValueError(
                f"params_b {self.params_b} disagrees with the architecture numbers, which give "
                f"{computed:.2f}B (more than {PARAMS_TOLERANCE:.0%} apart); check layers, hidden_size, "
                "intermediate_size, vocab_size, ffn, tied_embeddings, dense_layers and the MLA ranks against config.json")
        return self


class HardwareClaim(Strict):
    quantization: Quantization | None = None
    device: Literal[vocab.DEVICES]  # type: ignore[valid-type]
    vram_gb: Positive | None = None
    ram_gb: Positive | None = None
    source: Url
    note: Text | None = None

    @model_validator(mode="after")
    def _has_amount(self) -> HardwareClaim:
        if self.vram_gb is None and self.ram_gb is None:
            raise ValueError("give vram_gb or ram_gb")
        return self


class Figure(Strict):
    """One benchmark result: which run (variant), who ran it, when, and where it is printed."""

    score: Annotated[float, Field(allow_inf_nan=False)]
    evaluator: Literal[vocab.EVALUATORS]  # type: ignore[valid-type]
    source: Url
    variant: Annotated[str, Field(max_length=200), AfterValidator(visible)] = ""  # tokens: "5-shot, cot", "thinking", "v4.1" (the registry's)
    date: dt.date | None = None  # of the source, or of a leaderboard's snapshot
    note: Annotated[str, Field(max_length=1000), AfterValidator(visible_lines)] | None = None


def _as_list(value: Figure | list[Figure]) -> list[Figure]:
    return value if isinstance(value, list) else [value]


# One figure, or a list of them (publisher and independent runs, thinking on and off); always a list once read.
# The tags pick the branch up front, so a bad figure gets one error, not one per branch; located() drops them.
FIGURE_TAGS = ("one figure", "list of figures")
Figures = Annotated[
    Annotated[Figure, Tag(FIGURE_TAGS[0])] | Annotated[list[Figure], Field(min_length=1), Tag(FIGURE_TAGS[1])],
    Discriminator(lambda value: FIGURE_TAGS[isinstance(value, list)]),
    AfterValidator(_as_list),
]


class OpennessLevels(Strict):
    weights: Openness
    code: Openness
    data: Openness


class Card(Strict):
    id: Slug
    name: Name
    family: Slug
    publisher: Name
    released: dt.date
    base_model: Slug | None = None
    license: Slug
    architecture: Architecture
    context_length: Annotated[int, Field(gt=0, le=MAX_CONTEXT)]
    languages: Annotated[list[Language], Field(min_length=1), AfterValidator(_unique)]
    modalities: Annotated[list[Modality], Field(min_length=1), AfterValidator(_unique)] = ["text"]
    tasks: Annotated[list[Task], Field(min_length=1), AfterValidator(_unique)]
    specialty: Task | None = None  # the one task the publisher made it for (a code model); None: general
    openness: OpennessLevels
    provenance: Annotated[list[Provenance], AfterValidator(_unique)] = []
    hf_repos: Annotated[list[HfRepo], AfterValidator(_unique)] = []
    aliases: Annotated[list[Name], AfterValidator(_unique)] = []
    runtimes: Runtimes | None = None  # published artefacts that run it (catalog/artefacts.py)
    hardware_claims: list[HardwareClaim] = []
    benchmarks: dict[Annotated[str, Field(pattern=SLUG)], Figures] = {}
    links: dict[str, Url] = {}
    sources: Annotated[list[Url], Field(min_length=1)]
    verified: dt.date
    notes: Text | None = None

    @model_validator(mode="after")
    def _lineage_not_self(self) -> Card:
        if self.base_model == self.id:
            raise ValueError("base_model cannot be the card itself")
        if self.specialty and self.specialty not in self.tasks:
            raise ValueError(f"specialty {self.specialty} is not one of the card's tasks")
        return self

    @field_validator("context_length")
    @classmethod
    def _window_fits(cls, value: int, info: ValidationInfo) -> int:
        architecture = info.data.get("architecture")
        window = architecture.sliding_window if architecture is not None else None
        if window is not None and window > value:
            raise ValueError(f"is {value}, smaller than architecture.sliding_window ({window})")
        return value

    @field_validator("verified")
    @classmethod
    def _after_release(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        released = info.data.get("released")
        if released is not None and value < released:
            raise ValueError(f"{value} is before released ({released}); a card is verified against a released model")
        return value

    @property
    def params_b(self) -> float:
        return self.architecture.params_b

    def speaks(self, language: str) -> bool:
        return language in self.languages


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")
