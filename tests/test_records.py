"""Card records and the lazy card store: the advisor's fast path gives the answers the cards give."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmpick import load_catalog
from llmpick.advice.hardware import Hardware
from llmpick.advice.memory import estimate
from llmpick.advice.requirements import Requirements
from llmpick.advice.rules import HARD_RULES, Context, active_rules, best_fit, judge
from llmpick.catalog.records import headline_score
from tests.conftest import FIXTURE_CATALOG


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


requirements = st.builds(
    Requirements,
    commercial=st.booleans(), strict_license=st.booleans(), no_provenance_risk=st.booleans(),
    languages=st.lists(st.sampled_from(["en", "zh", "de", "fr", "ja"]), max_size=2),
    tasks=st.lists(st.sampled_from(["chat", "code", "embedding", "math"]), max_size=2),
    modalities=st.lists(st.sampled_from(["text", "image"]), max_size=1),
    context=st.sampled_from([512, 4096, 32768, 200_000]),
    min_params=st.sampled_from([None, 3.0]), max_params=st.sampled_from([None, 14.0]),
    open_weights=st.booleans(), fully_open=st.booleans(),
    quants=st.sampled_from([["fp16"], ["q4_k_m", "q8_0"], ["q2_k", "awq-4bit", "bf16"]]),
)
hardware = st.builds(Hardware, vram_gib=st.sampled_from([4.0, 12.0, 80.0]), gpus=st.integers(1, 2))


@settings(max_examples=25, deadline=None)
@given(req=requirements, hw=hardware)
def test_every_rule_and_fit_agree_on_card_and_record(catalog, req, hw):
    ctx = Context(catalog, req, hw)
    skipped = [HARD_RULES[name] for name in set(HARD_RULES) - set(active_rules(req))]
    for card in catalog:
        record = catalog.record(card.id)
        assert [rule(card, ctx) for rule in HARD_RULES.values()] == [rule(record, ctx) for rule in HARD_RULES.values()]
        assert best_fit(card, ctx) == best_fit(record, ctx)
        assert judge(card, ctx) == judge(record, ctx) == judge(record, ctx, rules=active_rules(req))
        assert all(rule(card, ctx) is None for rule in skipped)


def test_estimate_of_a_record_explains_like_the_card(catalog):
    for card in list(catalog)[::7]:
        from_card, from_record = estimate(card, "q4_k_m", 8192), estimate(catalog.record(card.id), "q4_k_m", 8192)
        assert from_card == from_record
        assert from_card.terms == from_record.terms
        assert all(term.formula.endswith("device(s)") or " GiB" in term.formula or "no KV cache" in term.formula
                   for term in from_card.terms)


def test_record_mirrors_its_card(catalog):
    for card in catalog:
        record = catalog.record(card.id)
        assert (record.id, record.name, record.released, record.architecture) == \
            (card.id, card.name, card.released, card.architecture)
        assert record.languages == tuple(card.languages) and record.tasks == tuple(card.tasks)
        assert record.mmlu == (headline_score(card, "mmlu") if "mmlu" in card.benchmarks else None)
        assert record.effective == catalog.effective_license(card.id)


def test_warm_catalog_reads_only_the_cards_asked_for_and_pickles_again_unchanged():
    cold = load_catalog([FIXTURE_CATALOG], builtin=False)
    warm = load_catalog([FIXTURE_CATALOG], builtin=False)
    assert warm.by_hf_repo("HuggyLlama/llama-7b") == cold.get("llama-7b")
    again = pickle.loads(pickle.dumps(warm.cards))  # one card read, the others still pickled
    assert dict(again) == dict(cold.cards) and len(again) == 6


def test_card_store_replaced_and_deleted_cards_before_and_after_every_card_is_read():
    cold = load_catalog([FIXTURE_CATALOG], builtin=False)
    store = pickle.loads(pickle.dumps(cold.cards))
    ids = list(store)
    store[ids[0]] = cold.get(ids[1])  # replaced and deleted before being read
    del store[ids[2]]
    assert [store[i] for i in ids[3:]] == [cold.get(i) for i in ids[3:]]
    assert store[ids[1]] == store[ids[0]] == cold.get(ids[1])  # the last unread card: pickled copies dropped
    assert dict(pickle.loads(pickle.dumps(store))) == {i: cold.get(i) for i in ids if i != ids[2]} | {
        ids[0]: cold.get(ids[1])}
