"""Bytes read per generated token (what decode speed divides the bandwidth by): a mixture of experts reads its active
experts at the experts' width and its attention, router, shared experts and output head at theirs, not the embedding
table; a dense model reads all its weights. Through the public API and the CLI."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmpick import load_catalog
from llmpick.advice.memory import GIB, estimate
from llmpick.advice.quants import QUANTS
from llmpick.catalog.cards import Architecture
from tests.conftest import run

CONTEXT = 128  # llama-bench tg128, as in docs/speed-accuracy.yaml


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def gpt_oss(layers: int, experts: int) -> dict[str, int]:
    """Parameters one token of gpt-oss reads, from config.json (huggingface.co/openai/gpt-oss-20b and -120b):
    hidden_size 2880, intermediate_size 2880 per expert (gate, up, down), experts_per_token 4, 64 query heads and 8
    KV heads of head_dim 64, vocab_size 201088, tie_word_embeddings false. Biases, norms and sinks are left out."""
    hidden, vocab = 2880, 201088
    return {
        "active experts": layers * 4 * 3 * hidden * 2880,
        "attention and router": layers * (2 * hidden * 64 * 64 + 2 * hidden * 8 * 64 + hidden * experts),
        "output head": vocab * hidden,  # the untied embedding table is not read: one row per token
    }


@pytest.mark.parametrize(("model", "layers", "experts"), [("gpt-oss-20b", 24, 32), ("gpt-oss-120b", 36, 128)])
@pytest.mark.parametrize(("quant", "other_bits"), [("mxfp4", 16), ("q8_0", 8.5)])
def test_gpt_oss_reads_its_mxfp4_experts_and_its_wider_other_tensors(catalog, model, layers, experts, quant,
                                                                       other_bits):
    # as released the other tensors are bf16 (quantization_config modules_to_not_convert); the GGUF llama.cpp runs
    # keeps the MXFP4 experts and stores the rest at 8 bits, which is llmpick's q8_0 of gpt-oss
    parts = gpt_oss(layers, experts)
    by_hand = (parts["active experts"] * 4.25 + (parts["attention and router"] + parts["output head"]) * other_bits)
    est = estimate(catalog.get(model), quant, CONTEXT)
    assert est.read_per_token_gib - est.kv_cache_gib == pytest.approx(by_hand / 8 / GIB, rel=0.01)
    # the old rule, the active share of the weights at their average width, read 36-43% fewer bytes as released
    arch = catalog.get(model).architecture
    average = est.weights_gib * arch.active_params_b / arch.params_b
    assert est.read_per_token_gib > average * (1.5 if quant == "mxfp4" else 1.0)


def test_a_dense_model_reads_all_its_weights(catalog):
    est = estimate(catalog.get("llama-2-7b"), "q4_0", CONTEXT)
    assert est.read_per_token_gib == pytest.approx(6.74e9 * 4.5 / 8 / GIB + est.kv_cache_gib, rel=1e-9)


def test_a_moe_card_without_the_numbers_falls_back_to_its_active_parameters(catalog):
    card = catalog.get("qwen3-coder-next")  # hybrid attention: computed_params cannot account for its 80B
    est = estimate(card, "q4_k_m", CONTEXT)
    assert est.read_per_token_gib - est.kv_cache_gib == pytest.approx(3.0e9 * 4.84 / 8 / GIB)
    assert "3e9 active params x 4.84 bits" in est.terms[-1].formula


def test_fit_explain_shows_every_part_of_the_bytes_read(tmp_path):
    result = run("fit", "gpt-oss-20b", "--gpu", "RTX 4090", "--quant", "mxfp4", "--context", "128", "--explain")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert ("read per token: weights (2.389e9 params of 4/32 routed experts x 4.25 bits (mxfp4 as released) + "
            "0.631e9 attention/router/shared x 16 bits + 0.579e9 output head x 16 bits) / 8 = 3.44 GiB, not the "
            "0.579e9 embedding table/towers; + kv cache 0.01 GiB = 3.44 GiB") in text
    data = run("fit", "gpt-oss-20b", "--gpu", "RTX 4090", "--quant", "mxfp4", "--context", "128", "--format", "json")
    speed = json.loads(data.stdout)["data"]["rows"][0]["tokens_per_s"]
    assert speed == pytest.approx(0.71 * 1008e9 / (3.44 * GIB), rel=0.01)


ROUTED_QUANTS = [q for q in QUANTS if q not in ("fp32",)]


@st.composite
def moe_architectures(draw) -> tuple[Architecture, str]:
    heads = draw(st.sampled_from([8, 16, 32, 64]))
    experts = draw(st.integers(2, 256))
    shape = {
        "type": "moe-decoder", "layers": draw(st.integers(1, 96)),
        "hidden_size": heads * draw(st.sampled_from([64, 128])),
        "attention_heads": heads, "kv_heads": draw(st.sampled_from([h for h in (1, 2, 4, 8) if heads % h == 0])),
        "intermediate_size": draw(st.integers(64, 20000)), "vocab_size": draw(st.integers(1000, 300000)),
        "tied_embeddings": draw(st.booleans()), "experts": experts,
        "experts_per_token": draw(st.integers(1, experts)), "shared_experts": draw(st.sampled_from([None, 0, 1, 2])),
        "dense_layers": draw(st.sampled_from([None, 0, 1, 3])), "ffn": draw(st.sampled_from(["gated", "plain"])),
    }
    if shape["dense_layers"] and shape["dense_layers"] >= shape["layers"]:
        shape["dense_layers"] = None
    if draw(st.booleans()):
        shape |= {"native_precision": "mxfp4", "native_precision_scope": draw(st.sampled_from(["experts", "all"]))}
    computed = Architecture.model_construct(**shape, params_b=1.0).computed_params()
    arch = Architecture.model_validate(shape | {"params_b": computed * draw(st.floats(1.0, 1.04))})
    return arch, draw(st.sampled_from(ROUTED_QUANTS))


@settings(max_examples=150, deadline=None)
@given(case=moe_architectures())
def test_bytes_read_lie_between_the_active_experts_and_everything(case):
    arch, quant = case
    est = estimate(SimpleNamespace(architecture=arch, context_length=CONTEXT), quant, CONTEXT)
    layers = arch.layers - (arch.dense_layers or 0)
    active = layers * arch.experts_per_token * (3 if arch.ffn == "gated" else 2) * arch.hidden_size * \
        arch.intermediate_size
    q = QUANTS[quant]
    narrowest = min(q.bits, q.moe_bits or q.bits, QUANTS["mxfp4"].bits)  # GGUFs keep MXFP4 experts
    assert est.read_per_token_gib <= est.weights_gib + est.kv_cache_gib + 1e-9
    assert est.read_per_token_gib >= active * narrowest / 8 / GIB + est.kv_cache_gib - 1e-9


@pytest.mark.parametrize("model", ["kimi-k2-instruct", "kimi-k2-thinking"])
def test_a_size_rounded_below_the_numbers_still_splits_experts_from_the_rest(catalog, model):
    """Kimi K2's cards say 1000B ("1T", Moonshot's rounding) while their numbers count 1,026B, so the routed experts
    alone (1,014.7B) exceed the card's size. The rest is then counted from the numbers as the experts are, and a token
    reads 8 of 384 experts plus attention, the shared expert, the dense layer and the head: about the 32B Moonshot
    calls activated (README table), not "32/1000 of the weights at their average width"."""
    arch = catalog.get(model).architecture
    experts = 60 * 384 * 3 * 7168 * 2048  # 60 MoE layers (61 less 1 dense) of 384 routed experts, gated, width 2048
    assert arch.expert_params() == experts
    est = estimate(catalog.get(model), "q8_0", CONTEXT)
    read = (est.read_per_token_gib - est.kv_cache_gib) * GIB * 8 / 8.5  # parameters read, all at q8_0's 8.5 bits
    assert read == pytest.approx(arch.active_params_b * 1e9, rel=0.03)
    assert read > experts * 8 / 384
    assert "routed experts" in "\n".join(t.formula for t in est.terms)
