"""The card schema: cross-field checks and the parameter count implied by the architecture."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from llmpick.catalog.cards import Architecture, Card
from tests.conftest import card_data


def test_fixture_card_is_valid():
    card = Card.model_validate(card_data())
    assert card.id == "mistral-7b-v0.1"
    assert card.architecture.computed_params() == pytest.approx(7.24, rel=0.02)


@pytest.mark.parametrize(
    ("arch", "expected_b"),
    [
        # Llama-2-7B config.json: 32 layers, 4096 hidden, 11008 intermediate, 32000 vocab -> 6.74B
        ({"type": "decoder", "layers": 32, "hidden_size": 4096, "attention_heads": 32,
          "intermediate_size": 11008, "vocab_size": 32000}, 6.74),
        # GPT-J-6B: plain MLP, untied -> 6.05B
        ({"type": "decoder", "layers": 28, "hidden_size": 4096, "attention_heads": 16,
          "intermediate_size": 16384, "vocab_size": 50400, "ffn": "plain"}, 6.05),
        # Mixtral 8x7B: eight experts per layer -> 46.7B
        ({"type": "moe-decoder", "layers": 32, "hidden_size": 4096, "attention_heads": 32, "kv_heads": 8,
          "intermediate_size": 14336, "vocab_size": 32000, "experts": 8, "experts_per_token": 2}, 46.7),
        # Gemma 2 9B: head_dim 256 differs from hidden/heads, tied embeddings -> 9.24B
        ({"type": "decoder", "layers": 42, "hidden_size": 3584, "attention_heads": 16, "kv_heads": 8,
          "head_dim": 256, "intermediate_size": 14336, "vocab_size": 256000, "tied_embeddings": True}, 9.24),
    ],
)
def test_computed_params_match_published_counts(arch, expected_b):
    computed = Architecture.model_validate({**arch, "params_b": expected_b}).computed_params()
    assert computed == pytest.approx(expected_b, rel=0.03)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"params_b": 13.0}, "disagrees with the architecture numbers"),
        ({"kv_heads": 7}, "must divide attention_heads"),
        ({"active_params_b": 2.0}, "only apply to type moe-decoder"),
        ({"decoder_layers": 4}, "only applies to type encoder-decoder"),
        ({"sliding_window_layers": 99}, "exceeds layers"),
    ],
)
def test_architecture_cross_field_checks(change, message):
    arch = {**card_data()["architecture"], **change}
    with pytest.raises(ValidationError, match=message):
        Architecture.model_validate(arch)


def test_moe_active_params_must_be_below_total():
    arch = {"type": "moe-decoder", "params_b": 46.7, "active_params_b": 50.0}
    with pytest.raises(ValidationError, match="must be below params_b"):
        Architecture.model_validate(arch)


def test_missing_numbers_skip_the_params_check():
    assert Architecture.model_validate({"type": "decoder", "params_b": 7.0}).computed_params() is None


@given(
    layers=st.integers(1, 128), hidden=st.integers(1, 64).map(lambda x: x * 128),
    inter_factor=st.floats(1.0, 6.0), vocab=st.integers(1000, 300_000), tied=st.booleans(),
    ffn=st.sampled_from(["gated", "plain"]),
)
def test_computed_params_are_accepted_as_declared(layers, hidden, inter_factor, vocab, tied, ffn):
    arch = {"type": "decoder", "layers": layers, "hidden_size": hidden, "attention_heads": hidden // 128,
            "intermediate_size": int(hidden * inter_factor), "vocab_size": vocab, "tied_embeddings": tied,
            "ffn": ffn, "params_b": 1.0}
    computed = Architecture.model_construct(**arch).computed_params()
    assert computed > 0
    card = Architecture.model_validate({**arch, "params_b": computed})
    assert card.computed_params() == pytest.approx(computed)


@given(st.sampled_from(["english", "EN", "xx", "zh-cn", "chinese"]))
def test_language_codes_are_iso_639_1(code):
    with pytest.raises(ValidationError, match="not an ISO 639-1 language code"):
        Card.model_validate(card_data(languages=[code]))


def test_card_round_trips_through_json():
    card = Card.model_validate(card_data())
    assert Card.model_validate_json(card.model_dump_json()) == card
