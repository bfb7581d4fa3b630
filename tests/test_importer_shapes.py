"""config.json shapes -> card architecture, and Hub license metadata -> registry ids (no network)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmpick import load_catalog
from llmpick.catalog.cards import Architecture
from llmpick.hub.config import config_shape
from llmpick.hub.importer import hub_license
from tests.hubserver import share_catalog_cache


@pytest.fixture(autouse=True)
def shared_cache(monkeypatch, tmp_path_factory):
    share_catalog_cache(monkeypatch, tmp_path_factory)


# config.json files in each publisher's format, with the numbers the catalog cards record (see their notes)
CONFIGS = {
    "gpt-neox-20b": {"model_type": "gpt_neox", "num_hidden_layers": 44, "hidden_size": 6144,
                     "num_attention_heads": 64, "intermediate_size": 24576, "vocab_size": 50432,
                     "max_position_embeddings": 2048, "tie_word_embeddings": False},
    "gpt-j-6b": {"model_type": "gptj", "n_layer": 28, "n_embd": 4096, "n_head": 16, "n_inner": None,
                 "vocab_size": 50400, "n_positions": 2048, "tie_word_embeddings": False},
    "falcon-7b": {"model_type": "falcon", "num_hidden_layers": 32, "hidden_size": 4544, "num_attention_heads": 71,
                  "multi_query": True, "new_decoder_architecture": False, "vocab_size": 65024},
    "falcon-40b": {"model_type": "falcon", "num_hidden_layers": 60, "hidden_size": 8192,
                   "num_attention_heads": 128, "num_kv_heads": 8, "new_decoder_architecture": True,
                   "vocab_size": 65024},
    "falcon-180b": {"model_type": "falcon", "num_hidden_layers": 80, "hidden_size": 14848,
                    "num_attention_heads": 232, "num_kv_heads": 8, "new_decoder_architecture": True,
                    "vocab_size": 65024},
    "bloom-7b1": {"model_type": "bloom", "n_layer": 30, "hidden_size": 4096, "n_head": 32, "vocab_size": 250880},
    "gemma-2-9b-it": {"model_type": "gemma2", "num_hidden_layers": 42, "hidden_size": 3584,
                      "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 256,
                      "intermediate_size": 14336, "vocab_size": 256000, "sliding_window": 4096},
    "gemma-3-12b-it": {"model_type": "gemma3", "text_config": {
        "model_type": "gemma3_text", "num_hidden_layers": 48, "hidden_size": 3840, "num_attention_heads": 16,
        "num_key_value_heads": 8, "head_dim": 256, "intermediate_size": 15360, "vocab_size": 262144,
        "sliding_window": 1024, "sliding_window_pattern": 6}},
    "qwen3-30b-a3b": {"model_type": "qwen3_moe", "num_hidden_layers": 48, "hidden_size": 2048,
                      "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128,
                      "intermediate_size": 6144, "moe_intermediate_size": 768, "num_experts": 128,
                      "num_experts_per_tok": 8, "vocab_size": 151936, "tie_word_embeddings": False,
                      "sliding_window": None, "use_sliding_window": False},
    "deepseek-v3": {"model_type": "deepseek_v3", "num_hidden_layers": 61, "hidden_size": 7168,
                    "num_attention_heads": 128, "num_key_value_heads": 128, "intermediate_size": 18432,
                    "moe_intermediate_size": 2048, "n_routed_experts": 256, "num_experts_per_tok": 8,
                    "n_shared_experts": 1, "first_k_dense_replace": 3, "kv_lora_rank": 512, "vocab_size": 129280,
                    "qk_rope_head_dim": 64, "q_lora_rank": 1536, "qk_nope_head_dim": 128, "v_head_dim": 128,
                    "quantization_config": {"quant_method": "fp8", "fmt": "e4m3", "weight_block_size": [128, 128]},
                    "tie_word_embeddings": False},
}


def comparable(arch: Architecture) -> dict:
    fields = arch.model_dump(exclude={"params_b", "active_params_b", "kv_heads", "head_dim"})
    return {**fields, "kv_heads": arch.kv_heads or arch.attention_heads, "head_size": arch.head_size}


@pytest.mark.parametrize("card_id", sorted(CONFIGS))
def test_config_shape_reproduces_the_catalog_architecture(card_id):
    ours = load_catalog().get(card_id).architecture
    shape = config_shape(CONFIGS[card_id])
    drafted = Architecture(**shape, params_b=ours.params_b,
                           **({"active_params_b": ours.active_params_b} if ours.active_params_b else {}))
    assert comparable(drafted) == comparable(ours)


def test_unknown_config_shape_gives_nothing():
    assert config_shape({"model_type": "rwkv", "num_hidden_layers": 40}) == {}


def test_layer_types_count_the_windowed_layers():
    config = {**CONFIGS["gemma-2-9b-it"], "layer_types": ["sliding_attention", "full_attention"] * 21}
    assert config_shape(config)["full_attention_interval"] == 2  # a regular pattern: every second layer is full
    config["layer_types"] = ["sliding_attention"] * 21 + ["full_attention"] * 21
    assert config_shape(config)["sliding_window_layers"] == 21  # irregular: just the count
    config["layer_types"] = ["full_attention"] * 42
    assert "sliding_window" not in config_shape(config)


@pytest.mark.parametrize("card_data, expected", [
    ({"license": "apache-2.0"}, ("apache-2.0", "apache-2.0", True)),
    ({"license": "Apache-2.0"}, ("apache-2.0", "Apache-2.0", True)),  # case
    ({"license": ["llama3.1"]}, ("llama3.1", "llama3.1", True)),
    ({"license": "other", "license_name": "qwen"}, ("qwen", "qwen", True)),
    # Hub "unknown" is not the registry's "unknown" (no license at all): the link decides
    ({"license": "unknown", "license_link": "https://huggingface.co/tiiuae/falcon-180B/resolve/main/LICENSE.txt"},
     ("falcon-180b-tii", "https://huggingface.co/tiiuae/falcon-180B/resolve/main/LICENSE.txt", False)),
    ({"license": "other", "license_name": "acme", "license_link": "LICENSE"}, (None, "acme", True)),
    ({"license": "other", "license_link": "LICENSE"}, (None, "LICENSE", False)),
    ({"license": ["mit", "apache-2.0"]}, (None, "several licenses: mit, apache-2.0", False)),
    ({"license": "wtfpl"}, (None, "wtfpl", True)),
    ({}, (None, "no license", False)),
])
def test_hub_license_mapping(card_data, expected):
    assert hub_license(card_data, load_catalog()) == expected


def test_registry_hf_names_are_used(tmp_path):
    (tmp_path / "licenses.yaml").write_text(
        "- id: acme-open\n  name: ACME Open Model License\n  url: https://acme.example/license\n"
        "  commercial: 'yes'\n  summary: Permissive.\n  hf_names: [acme-open-model-license-v1]\n")
    catalog = load_catalog([tmp_path])
    assert hub_license({"license": "other", "license_name": "ACME-Open-Model-License-v1"}, catalog)[0] == "acme-open"


@settings(max_examples=60, deadline=None)
@given(layers=st.integers(1, 96), heads=st.sampled_from([8, 16, 32, 64]), head_dim=st.sampled_from([64, 128]),
       groups=st.sampled_from([1, 2, 4, 8]), ratio=st.floats(2.0, 4.0), vocab=st.integers(1000, 260000),
       tied=st.booleans(), experts=st.sampled_from([1, 8, 64]), window=st.sampled_from([None, 4096]))
def test_llama_style_shapes_always_pass_the_schema_check(layers, heads, head_dim, groups, ratio, vocab, tied,
                                                         experts, window):
    hidden = heads * head_dim
    config = {"model_type": "llama", "num_hidden_layers": layers, "hidden_size": hidden,
              "num_attention_heads": heads, "num_key_value_heads": heads // groups,
              "intermediate_size": int(hidden * ratio), "vocab_size": vocab, "tie_word_embeddings": tied,
              "sliding_window": window}
    if experts > 1:
        config.update(num_local_experts=experts, num_experts_per_tok=2)
    shape = config_shape(config)
    computed = Architecture.model_construct(**shape, params_b=1.0).computed_params()
    extra = {"active_params_b": computed / 2} if experts > 1 else {}
    arch = Architecture(**shape, params_b=computed, **extra)  # the importer's shapes satisfy the schema
    assert arch.layers == layers and (arch.kv_heads or heads) == heads // groups
    assert arch.tied_embeddings is tied and arch.sliding_window == window


@pytest.mark.parametrize(("extra", "full", "linear"), [
    # Qwen3-Next: three Gated DeltaNet layers, then one full-attention layer (layer_types in config.json)
    ({"layer_types": ["linear_attention"] * 3 + ["full_attention"]}, 1, None),
    # Granite 4.0-H: Mamba2 layers with a few attention layers
    ({"layer_types": ["mamba"] * 3 + ["attention"]}, 1, None),
    # Nemotron-H: '*' attention, 'M' Mamba2, '-' MLP; the MLP-only layers hold no state
    ({"hybrid_override_pattern": "M-*M"}, 1, 2),
    # newer Nemotron-H configs: the same stack as layer_types, with MoE layers
    ({"layer_types": ["linear_attention", "moe", "full_attention", "mlp"]}, 1, 1),
    # Jamba: attention every attn_layer_period layers from attn_layer_offset (8 and 4 in Jamba itself)
    ({"attn_layer_period": 2, "attn_layer_offset": 1}, 2, None),
])
def test_hybrid_configs_count_their_full_attention_and_state_layers(extra, full, linear):
    config = {"model_type": "llama", "num_hidden_layers": 4, "hidden_size": 1024, "num_attention_heads": 8,
              "num_key_value_heads": 2, "intermediate_size": 2816, "vocab_size": 32000, **extra}
    shape = config_shape(config)
    assert shape["attention"] == "hybrid" and shape["full_attention_layers"] == full
    assert shape.get("linear_layers") == linear


def test_plain_and_sliding_configs_are_not_hybrid():
    config = {"model_type": "gemma3_text", "num_hidden_layers": 6, "hidden_size": 1024, "num_attention_heads": 8,
              "num_key_value_heads": 2, "intermediate_size": 2816, "vocab_size": 32000, "sliding_window": 512,
              "layer_types": ["sliding_attention"] * 5 + ["full_attention"]}
    assert "attention" not in config_shape(config)
