"""A model's shape from its Hugging Face config.json and Hub metadata: layers, widths, heads, context, parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import HubModel


# config shapes whose feed-forward is one up- and one down-projection (no gate)
PLAIN_FFN = ("gpt_neox", "gptj", "falcon", "bloom", "gpt2", "gpt_bigcode", "opt", "starcoder2", "phi", "mpt")


# transformers' default for tie_word_embeddings when config.json leaves it out
FALCON_TYPES = ("falcon", "RefinedWeb", "RefinedWebModel")  # the last two: Falcon's original remote-code configs


TIED_BY_DEFAULT = ("gemma", "gemma2", "gemma3_text", "bloom", "gpt2", "gpt_bigcode", "opt", "t5", *FALCON_TYPES)


SIGNIFICANT_DIGITS = 3


MLA_KEYS = ("kv_lora_rank", "qk_rope_head_dim", "q_lora_rank", "qk_nope_head_dim", "v_head_dim")


CONTEXT_KEYS = ("max_position_embeddings", "n_positions", "seq_length", "max_sequence_length", "n_ctx")


def context_length(config: dict[str, Any]) -> tuple[str, int] | None:
    """The config.json key that gives the maximum positions, and its value."""
    for key in CONTEXT_KEYS:
        value = config.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return key, value
    return None


def params_b(model: HubModel) -> float | None:
    """Parameters in billions from the Hub's safetensors metadata, to three significant digits."""
    return significant(model.params_total / 1e9) if model.params_total else None


def significant(value: float) -> float:
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def config_shape(config: dict[str, Any]) -> dict[str, Any]:
    """Card architecture fields from a config.json, for the shapes the importer knows; {} otherwise."""
    if isinstance(config.get("text_config"), dict):  # multimodal wrappers (Gemma 3, Llava, ...) nest the LLM
        config = {**config, **config["text_config"]}
    model_type = str(config.get("model_type", ""))
    get = config.get
    if model_type == "t5" or "d_model" in config and "num_heads" in config:
        heads, hidden = get("num_heads"), get("d_model")
        shape = {"type": "encoder-decoder", "layers": get("num_layers"), "decoder_layers": get("num_decoder_layers"),
                 "hidden_size": hidden, "attention_heads": heads, "head_dim": get("d_kv"),
                 "intermediate_size": get("d_ff"),
                 "ffn": "gated" if str(get("feed_forward_proj", "")).startswith("gated") else "plain",
                 "vocab_size": get("vocab_size")}
    elif model_type == "gptj" or "n_embd" in config:
        hidden = get("n_embd")
        shape = {"type": "decoder", "layers": get("n_layer"), "hidden_size": hidden,
                 "attention_heads": get("n_head"), "intermediate_size": get("n_inner") or (hidden and 4 * hidden),
                 "ffn": "plain", "vocab_size": get("vocab_size")}
    elif model_type in FALCON_TYPES + ("bloom",):
        hidden = get("hidden_size") or get("n_embed")
        heads = get("num_attention_heads") or get("n_head")
        if get("new_decoder_architecture"):
            kv = get("num_kv_heads")
        else:
            kv = 1 if get("multi_query") else heads
        shape = {"type": "decoder", "layers": get("num_hidden_layers") or get("n_layer"), "hidden_size": hidden,
                 "attention_heads": heads, "kv_heads": kv,
                 "intermediate_size": get("ffn_hidden_size") or (hidden and 4 * hidden), "ffn": "plain",
                 "vocab_size": get("vocab_size")}
    elif "num_hidden_layers" in config and "hidden_size" in config:
        shape = _decoder_shape(config, model_type)
    else:
        return {}
    shape["tied_embeddings"] = bool(get("tie_word_embeddings", model_type in TIED_BY_DEFAULT))
    heads, hidden = shape.get("attention_heads"), shape.get("hidden_size")
    if shape.get("head_dim") and heads and hidden and shape["head_dim"] == hidden // heads:
        del shape["head_dim"]  # implied by hidden_size / attention_heads; cards leave it out
    if shape.get("kv_heads") == heads and shape.get("type") != "encoder-decoder":
        shape.pop("kv_heads", None)
    if shape.get("ffn") == "gated":
        shape.pop("ffn")  # the card default
    if not shape["tied_embeddings"]:
        shape.pop("tied_embeddings")  # the card default
    return {key: value for key, value in shape.items() if value is not None}


def _decoder_shape(config: dict[str, Any], model_type: str) -> dict[str, Any]:
    get = config.get
    experts = get("num_local_experts") or get("num_experts") or get("n_routed_experts")
    moe = bool(experts and experts > 1)
    shape: dict[str, Any] = {
        "type": "moe-decoder" if moe else "decoder", "layers": get("num_hidden_layers"),
        "hidden_size": get("hidden_size"), "attention_heads": get("num_attention_heads"),
        "kv_heads": get("num_key_value_heads"), "head_dim": get("head_dim"),
        "intermediate_size": get("moe_intermediate_size") if moe and get("moe_intermediate_size")
        else get("intermediate_size"),
        "ffn": "plain" if model_type in PLAIN_FFN else "gated", "vocab_size": get("vocab_size"),
    }
    if moe:
        shape.update(experts=experts, experts_per_token=get("num_experts_per_tok") or get("experts_per_token"),
                     shared_experts=get("n_shared_experts"))
        if get("first_k_dense_replace"):  # DeepSeek: the first layers have a dense FFN of intermediate_size
            shape.update(dense_layers=get("first_k_dense_replace"), dense_intermediate_size=get("intermediate_size"))
        if get("shared_expert_intermediate_size"):
            # Qwen-MoE's wider shared expert is not what the card's parameter formula counts: keep the counts,
            # leave the matrix sizes to the reviewer
            for key in ("attention_heads", "kv_heads", "head_dim", "intermediate_size"):
                shape.pop(key)
    quantized = get("quantization_config")
    method = quantized.get("quant_method") if isinstance(quantized, dict) else None
    if method in ("fp8", "mxfp4"):  # released in a low-bit format: the card's native_precision
        shape["native_precision"] = method
        if method == "mxfp4" and moe:  # gpt-oss: only the experts; attention and router stay BF16
            shape["native_precision_scope"] = "experts"
    if get("kv_lora_rank"):  # multi-head latent attention: num_key_value_heads counts decompressed heads
        shape.update(attention="mla", kv_heads=None, head_dim=None,
                     **{key: get(key) for key in MLA_KEYS})
    window = get("sliding_window")
    if window and get("use_sliding_window", True) is not False:
        layer_types = get("layer_types")
        shape["sliding_window"] = window
        layers = shape["layers"] or 0
        interval = None
        if isinstance(layer_types, list) and layer_types:
            windowed = sum(1 for kind in layer_types if kind == "sliding_attention")
            interval = _interval(layer_types)
        elif isinstance(get("sliding_window_pattern"), int) and get("sliding_window_pattern") > 0:
            interval = get("sliding_window_pattern")  # every n-th layer is global
            windowed = layers - layers // interval
        elif model_type == "gemma2":
            interval, windowed = 2, layers - layers // 2  # Gemma 2 alternates local and global layers
        else:
            windowed = layers
        if windowed == 0:
            shape.pop("sliding_window")
        elif windowed < layers and interval:
            shape["full_attention_interval"] = interval
        elif windowed < layers:
            shape["sliding_window_layers"] = windowed
    counts = _hybrid_layers(config, shape["layers"])
    if counts is not None and shape["layers"] and counts[0] < shape["layers"]:
        # linear-attention / state-space layers keep a fixed state: only these layers grow a KV cache. The state's
        # size (linear_state_bytes) depends on each design's kernels and is left to the reviewer.
        full, linear = counts
        shape.update(attention="hybrid", full_attention_layers=full)
        if linear != shape["layers"] - full:
            shape["linear_layers"] = linear
    return shape


LINEAR_LAYER_KINDS = frozenset({"linear_attention", "mamba", "mamba2", "conv", "short_conv", "ssm", "deltanet",
                                "gated_deltanet", "lightning_attention", "recurrent"})
FFN_LAYER_KINDS = frozenset({"mlp", "moe"})  # Nemotron-H: a layer that is only a feed-forward block holds no cache


def _hybrid_layers(config: dict[str, Any], layers: int | None) -> tuple[int, int] | None:
    """How many layers of a hybrid attend over the context and how many hold a fixed state, from the config's layer
    pattern; None if not hybrid.

    Qwen3-Next/3.5, Granite 4.0-H, LFM2, Kimi Linear and newer Nemotron-H configs list `layer_types`; older
    Nemotron-H configs spell the stack as `hybrid_override_pattern` (`*` attention, `M` Mamba, `-` MLP, `E` MoE);
    Jamba puts attention every `attn_layer_period` layers from `attn_layer_offset`."""
    kinds = config.get("layer_types")
    if isinstance(kinds, list) and any(str(kind).lower() in LINEAR_LAYER_KINDS for kind in kinds):
        kinds = [str(kind).lower() for kind in kinds]
        linear = sum(1 for kind in kinds if kind in LINEAR_LAYER_KINDS)
        other = LINEAR_LAYER_KINDS | FFN_LAYER_KINDS | {"sliding_attention"}
        return sum(1 for kind in kinds if kind not in other), linear
    pattern = config.get("hybrid_override_pattern")
    if isinstance(pattern, str) and "M" in pattern:
        return pattern.count("*"), pattern.count("M")
    period, offset = config.get("attn_layer_period"), config.get("attn_layer_offset")
    if isinstance(period, int) and isinstance(offset, int) and period > 0 and layers:
        full = sum(1 for i in range(layers) if i % period == offset)
        return full, layers - full
    return None


def _interval(layer_types: list) -> int | None:
    """N when every N-th layer (and only it) is full attention, as in gpt-oss (2) or Gemma 3 (6); else None."""
    full = [i for i, kind in enumerate(layer_types) if kind != "sliding_attention"]
    if not full:
        return None
    n = full[0] + 1
    return n if full == list(range(n - 1, len(layer_types), n)) else None
