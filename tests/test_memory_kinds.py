"""KV caches per attention kind (MLA, sliding window, hybrid), native-precision releases, --kv-type and --parallel,
and the card fields behind them, through the public API and the CLI."""

from __future__ import annotations

import json

import pytest

from llmpick import load_catalog
from llmpick.advice.memory import GIB, estimate, kv_cache_gib, weights_gib
from llmpick.advice.quants import QUANTS
from llmpick.catalog.cards import Architecture
from tests.conftest import card_data, run, write_card

ARCH = card_data()["architecture"]  # Mistral 7B v0.1: 32 layers, 8 KV heads of 128, window 4096


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_deepseek_v3_mla_cache_at_32k_is_about_2_gib(catalog):
    size, formula, approximate = kv_cache_gib(catalog.get("deepseek-v3").architecture, 32768)
    assert size == 61 * (512 + 64) * 32768 * 2 / GIB  # one 576-value latent per layer and token, fp16
    assert round(size, 2) == 2.14 and not approximate
    assert "MLA: 61 layers x (512 latent + 64 rope)" in formula


def test_fit_deepseek_v3_shows_the_mla_cache_and_its_fp8_release():
    result = run("fit", "deepseek-v3", "--context", "32k", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["data"]["rows"]
    assert {round(r["kv_cache_gib"], 1) for r in rows} == {2.1}
    assert "fp8 (native)" in [r["setting"] for r in rows] and "fp16" not in [r["setting"] for r in rows]


def test_gpt_oss_20b_fits_16_gb_at_native_mxfp4():
    result = run("recommend", "--vram", "16", "--format", "json", "--top", "50")
    assert result.exit_code == 0, result.output
    picks = {p["model"]: p for p in json.loads(result.stdout)["data"]["recommendations"]}
    assert picks["gpt-oss-20b"]["quant"] == "mxfp4"
    assert picks["gpt-oss-20b"]["memory"]["weights_gib"] == round(13.76e9 / GIB, 3)


def test_native_mxfp4_is_the_published_checkpoint_and_loses_nothing(catalog):
    card = catalog.get("gpt-oss-20b")
    est = estimate(card, "mxfp4", 4096)
    assert est.native and est.weights_gib == 13.76e9 / GIB
    assert "mxfp4 as released by the publisher" in est.notes
    result = run("recommend", "--vram", "16", "--why-not", "gpt-oss-20b", "--explain")
    assert "mxfp4: the weights as released, nothing lost" in result.stdout


def test_gguf_of_gpt_oss_keeps_the_mxfp4_experts(catalog):
    arch = catalog.get("gpt-oss-20b").architecture
    experts = 24 * 32 * 3 * 2880 * 2880
    size, formula = weights_gib(arch, QUANTS["q8_0"])
    assert size == (experts * 4.25 + (20.9e9 - experts) * 8.5) / 8 / GIB
    assert "expert params x 4.25 bits (mxfp4 kept)" in formula
    # unsloth/gpt-oss-20b-GGUF Q4_K_M is 11.6 GB: within 5%
    assert weights_gib(arch, QUANTS["q4_k_m"])[0] * GIB / 1e9 == pytest.approx(11.6, rel=0.05)


def test_fp16_of_a_native_release_only_when_asked():
    default = run("fit", "gpt-oss-20b", "--format", "json")
    assert "fp16" not in [r["setting"] for r in json.loads(default.stdout)["data"]["rows"]]
    asked = run("fit", "gpt-oss-20b", "--quant", "fp16", "--format", "json")
    rows = json.loads(asked.stdout)["data"]["rows"]
    assert [r["setting"] for r in rows] == ["fp16"] and rows[0]["weights_gib"] == 20.9e9 * 2 / GIB


def test_gpt_oss_sliding_layers_cap_at_128_tokens_plus_a_micro_batch(catalog):
    """llama.cpp keeps the 128-token window plus a 512-token micro-batch, padded to 256: 768 cells."""
    size, formula, _ = kv_cache_gib(catalog.get("gpt-oss-20b").architecture, 32768)
    assert size == 2 * 8 * 64 * (12 * 32768 + 12 * 768) * 2 / GIB
    assert "(12 layers x 32768 + 12 sliding layers x 768 (window 128 + 512 micro-batch, padded)) tokens" in formula


def test_gemma_3_interval_gives_one_global_layer_in_six(catalog):
    arch = catalog.get("gemma-3-27b-it").architecture
    assert arch.full_layers == 10  # 62 // 6; the other 52 are local
    assert kv_cache_gib(arch, 32768)[0] == 2 * 16 * 128 * (10 * 32768 + 52 * 1536) * 2 / GIB  # 1024 window + 512


def test_hybrid_cache_counts_full_layers_and_a_fixed_state():
    arch = Architecture.model_validate({**ARCH, "sliding_window": None, "attention": "hybrid",
                                        "full_attention_interval": 4, "linear_state_bytes": 1_000_000})
    at_4k, formula, _ = kv_cache_gib(arch, 4096)
    at_8k = kv_cache_gib(arch, 8192)[0]
    assert at_4k == (2 * 8 * 128 * 8 * 4096 * 2 + 24 * 1_000_000) / GIB
    assert at_8k - at_4k == 2 * 8 * 128 * 8 * 4096 * 2 / GIB  # only the 8 full-attention layers grow
    assert "24 linear layers x 1,000,000 bytes (fixed state per linear layer, constant in context)" in formula


def test_hybrid_linear_layers_say_which_layers_hold_the_state():
    # Nemotron-H: of 32 layers 4 attend, 14 are Mamba and the rest MLP-only; Falcon-H1: every layer does both
    mixed = Architecture.model_validate({**ARCH, "sliding_window": None, "attention": "hybrid",
                                         "full_attention_layers": 4, "linear_layers": 14, "linear_state_bytes": 1000})
    parallel = Architecture.model_validate({**ARCH, "sliding_window": None, "attention": "hybrid",
                                            "full_attention_layers": 32, "linear_layers": 32,
                                            "linear_state_bytes": 1000})
    size, formula, _ = kv_cache_gib(mixed, 4096)
    assert size == (2 * 8 * 128 * 4 * 4096 * 2 + 14 * 1000) / GIB and "+ 14 linear layers x 1,000 bytes" in formula
    assert kv_cache_gib(parallel, 4096)[0] == (2 * 8 * 128 * 32 * 4096 * 2 + 32 * 1000) / GIB


def test_kv_type_and_parallel_scale_the_cache():
    base = json.loads(run("fit", "llama-2-7b", "--format", "json").stdout)["data"]["rows"][0]
    q8 = json.loads(run("fit", "llama-2-7b", "--kv-type", "q8_0", "--parallel", "4", "--format", "json").stdout)
    row = q8["data"]["rows"][0]
    assert base["kv_cache_gib"] == 2.0
    assert row["kv_cache_gib"] == 2.0 * 4 * (34 / 32) / 2 and row["kv_dtype"] == "q8_0" and row["batch"] == 4


def test_recommend_takes_kv_type_and_parallel():
    result = run("recommend", "--vram", "16", "--kv-type", "q4_0", "--parallel", "2", "--format", "json")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("args", "message"), [
    (["fit", "llama-2-7b", "--kv-type", "q3"], "--kv-type 'q3' is not a KV cache type"),
    (["recommend", "--vram", "16", "--kv-type", "q3"], "--kv-type 'q3' is not a KV cache type"),
    (["fit", "llama-2-7b", "--parallel", "0"], "--parallel must be 1 or more sequences, not 0"),
    (["recommend", "--vram", "16", "--parallel", "0"], "--parallel must be 1 or more sequences, not 0"),
])
def test_bad_kv_flags_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(("changes", "message"), [
    ({"attention": "linear"}, "architecture.attention: 'linear' is not allowed; expected 'mha', 'gqa', 'mqa', 'mla'"),
    ({"kv_lora_rank": 512}, "architecture: kv_lora_rank only applies to attention mla (this card: no attention given)"),
    ({"attention": "hybrid", "full_attention_layers": 40},
     "architecture: full_attention_layers (40) exceeds layers (32)"),
    ({"attention": "mha"}, "architecture: attention mha disagrees with kv_heads 8 of 32 attention_heads"),
    ({"attention": "mla"}, "architecture: attention mla needs kv_lora_rank and qk_rope_head_dim (config.json)"),
    ({"attention": "hybrid"}, "attention hybrid needs full_attention_layers or full_attention_interval"),
    ({"linear_layers": 8}, "architecture: linear_layers only applies to attention hybrid"),
    ({"attention": "hybrid", "full_attention_layers": 4, "linear_layers": 33},
     "architecture: linear_layers (33) exceeds layers (32)"),
])
def test_bad_architecture_fields_exit_1_with_path_and_line(fixture_catalog, tmp_path, changes, message):
    path = write_card(tmp_path, id="x-1", hf_repos=[], architecture={**ARCH, **changes})
    result = run("validate", tmp_path)
    assert result.exit_code == 1, result.output
    assert f"{path}:" in result.stderr and message in result.stderr


def test_mla_fields_count_in_the_params_check(catalog):
    arch = catalog.get("deepseek-v3").architecture
    assert arch.computed_params() == pytest.approx(671, rel=0.001)
    bad = arch.model_dump() | {"dense_layers": None, "dense_intermediate_size": None, "params_b": 500}
    with pytest.raises(ValueError, match="params_b 500.0 disagrees with the architecture numbers"):
        Architecture.model_validate(bad)
