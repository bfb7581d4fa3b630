"""Memory estimates against published GGUF sizes and hand-computed KV caches, plus invariants."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from llmpick import load_catalog
from llmpick.advice.finetune import estimate_finetune
from llmpick.advice.hardware import Hardware
from llmpick.advice.memory import GIB, estimate, kv_cache_gib, weights_gib
from llmpick.advice.quants import PRECISION_ORDER, QUANTS
from llmpick.catalog.cards import Card
from tests.conftest import card_data, run

GGUF_SIZES = yaml.safe_load((Path(__file__).parent / "data" / "gguf_sizes.yaml").read_text())
TOLERANCE = 0.05


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize("entry", GGUF_SIZES, ids=[e["model"] for e in GGUF_SIZES])
def test_weights_match_published_gguf_sizes(catalog, entry):
    """Sources: each entry's `source` (TheBloke / bartowski / publisher GGUF repositories)."""
    arch = catalog.get(entry["model"]).architecture
    for quant in ("q4_k_m", "q8_0"):
        published = entry.get(f"{quant}_gb")
        if published is None:
            continue
        estimated = weights_gib(arch, QUANTS[quant])[0] * GIB / 1e9
        assert estimated == pytest.approx(published, rel=TOLERANCE), f"{quant}: {estimated:.2f} vs {published}"


def test_accuracy_data_covers_twelve_models_including_mixtral():
    both = [e["model"] for e in GGUF_SIZES if "q4_k_m_gb" in e and "q8_0_gb" in e]
    assert len(both) >= 12
    assert "mixtral-8x7b-v0.1" in both


def test_kv_cache_llama_2_7b_4k_fp16_is_2_gib(catalog):
    size, _, approximate = kv_cache_gib(catalog.get("llama-2-7b").architecture, 4096)
    assert size == 2.0 and not approximate  # 2 x 32 layers x 32 heads x 128 x 4096 x 2 bytes


def test_kv_cache_mistral_sliding_window_caps_tokens(catalog):
    arch = catalog.get("mistral-7b-v0.1").architecture
    at_32k, _, _ = kv_cache_gib(arch, 32768)
    # every layer capped at the 4096 window plus one 512-token micro-batch (llama.cpp's SWA cache)
    assert at_32k == 2 * 32 * 8 * 128 * 4608 * 2 / GIB == 0.5625
    assert kv_cache_gib(arch, 4608)[0] == at_32k


def test_kv_cache_llama_3_8b_uses_grouped_query_attention(catalog):
    size, formula, _ = kv_cache_gib(catalog.get("llama-3.1-8b-instruct").architecture, 8192)
    assert size == 2 * 32 * 8 * 128 * 8192 * 2 / GIB == 1.0
    assert "8 KV heads" in formula


def test_kv_cache_quantization_and_rnn_state(catalog):
    arch = catalog.get("llama-2-7b").architecture
    assert kv_cache_gib(arch, 4096, kv_dtype="q8_0")[0] == pytest.approx(2.0 * 34 / 64)
    rwkv = catalog.get("rwkv-4-raven-7b").architecture
    assert kv_cache_gib(rwkv, 4096)[0] == kv_cache_gib(rwkv, 131072)[0] < 0.01


def test_moe_memory_uses_total_and_speed_uses_active(catalog):
    est = estimate(catalog.get("mixtral-8x7b-v0.1"), "q8_0", 4096)
    assert est.weights_gib == pytest.approx(46.7e9 * 8.5 / 8 / GIB)
    assert est.read_per_token_gib < est.weights_gib / 3


def test_card_without_architecture_numbers_is_approximate_not_a_crash():
    data = card_data()
    data["architecture"] = {"type": "decoder", "params_b": 7.0}
    est = estimate(Card.model_validate(data), "q4_k_m", 8192)
    assert est.approximate and est.kv_cache_gib > 0
    assert "approximate" in est.terms[1].formula


def test_moe_without_attention_numbers_scales_its_kv_cache_with_the_active_parameters():
    # Attention belongs to what every token uses; experts widen only the feed-forward layers. Scaling by all 284B
    # of DeepSeek-V4-Flash (13B active) gave an 84 GiB KV cache at 4k tokens, more than Llama-2-7B's MHA needs x 40.
    data = card_data()
    data["architecture"] = {"type": "moe-decoder", "params_b": 284.0, "active_params_b": 13.0}
    moe = estimate(Card.model_validate(data), "q4_k_m", 4096)
    data["architecture"] = {"type": "decoder", "params_b": 13.0}
    dense = estimate(Card.model_validate(data), "q4_k_m", 4096)
    assert moe.approximate and moe.kv_cache_gib == pytest.approx(dense.kv_cache_gib)
    assert "13B active" in moe.terms[1].formula


def test_finetune_methods_order(catalog):
    card = catalog.get("llama-2-7b")
    full, lora, qlora = (estimate_finetune(card, m).total_gib for m in ("full", "lora", "qlora"))
    assert full > lora > qlora
    assert full > 6.74e9 * 16 / GIB  # 16 bytes per parameter for mixed-precision Adam


arch_strategy = st.fixed_dictionaries({
    "layers": st.integers(1, 96), "hidden": st.sampled_from([1024, 2048, 4096, 8192]),
    "kv": st.sampled_from([1, 2, 4, 8]), "window": st.none() | st.sampled_from([512, 4096]),
})


def _card(layers, hidden, kv, window, moe=False):
    arch = {"type": "moe-decoder" if moe else "decoder", "params_b": 7.0, "layers": layers,
            "hidden_size": hidden, "attention_heads": 8, "kv_heads": kv, "vocab_size": 32000}
    if window:
        arch["sliding_window"] = window
    if moe:
        arch["active_params_b"] = 2.0
    data = card_data()
    data["architecture"] = arch
    data["context_length"] = 1_000_000
    return Card.model_validate(data)


@settings(max_examples=60, deadline=None)
@given(arch_strategy, st.integers(1, 200_000), st.integers(1, 200_000))
def test_memory_grows_with_context(arch, a, b):
    card = _card(arch["layers"], arch["hidden"], arch["kv"], arch["window"])
    low, high = sorted((a, b))
    assert estimate(card, "q4_k_m", low).total_gib <= estimate(card, "q4_k_m", high).total_gib


@settings(max_examples=40, deadline=None)
@given(arch_strategy, st.integers(1, 100_000))
def test_memory_grows_with_precision(arch, context):
    card = _card(arch["layers"], arch["hidden"], arch["kv"], arch["window"])
    uniform = [q for q in QUANTS if not QUANTS[q].embeddings_16bit]  # int8/GPTQ/AWQ/NF4 keep 16-bit embeddings
    ordered = sorted(uniform, key=lambda q: QUANTS[q].bits)
    totals = [estimate(card, q, context).weights_gib for q in ordered]
    assert totals == sorted(totals)


@settings(max_examples=40, deadline=None)
@given(arch_strategy, st.integers(1, 100_000), st.sampled_from(PRECISION_ORDER))
def test_moe_never_needs_less_than_its_active_parameters(arch, context, quant):
    card = _card(arch["layers"], arch["hidden"], arch["kv"], arch["window"], moe=True)
    est = estimate(card, quant, context)
    assert est.total_gib >= 2.0e9 * QUANTS[quant].bits / 8 / GIB


@settings(max_examples=60, deadline=None)
@given(st.floats(1, 200), st.floats(0, 200), st.sampled_from(["llama-2-7b", "mixtral-8x7b-v0.1", "qwen3-8b"]))
def test_more_vram_never_turns_a_fit_into_a_non_fit(catalog, vram, extra, model):
    from llmpick.advice.fit import fit

    small = fit(catalog.get(model), Hardware(vram_gib=vram))
    large = fit(catalog.get(model), Hardware(vram_gib=vram + extra))
    for (_, _, a), (_, _, b) in zip(small, large, strict=True):
        assert not (a["fits"] and not b["fits"])


# --- fit through the CLI --------------------------------------------------------------------


def test_fit_mixtral_on_4090_at_32k():
    result = run("fit", "mixtral-8x7b-v0.1", "--gpu", "RTX 4090", "--context", "32k", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["setting"]: r for r in __import__("json").loads(result.stdout)["data"]["rows"]}
    assert rows["q4_k_m"]["fits"] is False
    assert rows["q2_k"]["fits"] is True
    assert rows["q4_k_m"]["kv_cache_gib"] == 4.0  # 2 x 32 x 8 x 128 x 32768 x 2 bytes
    assert {row["model"] for row in rows.values()} == {"mixtral-8x7b-v0.1"}


def test_fit_explain_shows_formulas():
    result = run("fit", "llama-2-7b", "--vram", "12", "--quant", "q4_k_m", "--explain")
    assert result.exit_code == 0, result.output
    assert "2 (K,V) x 32 layers x 4096 tokens x 32 KV heads x 128 head dim" in result.stdout


def test_fit_context_sweep_goes_up_to_the_model_maximum():
    result = run("fit", "mistral-7b-instruct-v0.2", "--context-sweep", "--quant", "q4_k_m", "-f", "json")
    contexts = [r["context"] for r in __import__("json").loads(result.stdout)["data"]["rows"]]
    assert contexts == [2048, 8192, 32768]


def test_fit_finetune():
    result = run("fit", "llama-2-7b", "--vram", "24", "--finetune", "qlora", "-f", "json")
    [row] = __import__("json").loads(result.stdout)["data"]["rows"]
    assert row["setting"] == "finetune qlora" and row["fits"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fit", "mixtral-8x7", "--vram", "24"], "did you mean mixtral-8x7b-v0.1"),
        (["fit", "llama-2-7b", "--gpu", "RTX 4900"], "unknown GPU 'RTX 4900'"),
        (["fit", "llama-2-7b", "--vram", "-3"], "--vram must be a positive amount of memory, not '-3'"),
        (["fit", "llama-2-7b", "--vram", "1e9"], "--vram '1e9' is not a plausible amount of memory"),
        (["fit", "llama-2-7b", "--context", "10x"], "--context '10x' is not a token count"),
        (["fit", "llama-2-7b", "--context", "0"], "--context must be positive"),
        (["fit", "llama-2-7b", "--quant", "q4km"], "unknown quantization 'q4km'"),
        (["fit", "llama-2-7b", "--finetune", "dpo"], "--finetune 'dpo' is not one of"),
        (["fit", "llama-2-7b", "--cpu-only", "--gpu", "RTX 4090"], "--cpu-only contradicts"),
    ],
)
def test_fit_bad_input(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
