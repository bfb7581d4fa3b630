"""The advisor: seed-article scenarios, invariants over random requirements, --why-not and bad input."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmpick import load_catalog
from llmpick.advice.advisor import recommend
from llmpick.advice.hardware import Hardware
from llmpick.advice.requirements import Requirements
from tests.conftest import run

RESEARCH_ONLY = {"llama-7b", "llama-13b", "llama-33b", "llama-65b", "alpaca-7b", "vicuna-7b-v1.1",
                 "vicuna-13b-v1.1", "vicuna-7b-v1.3", "vicuna-13b-v1.3", "koala-13b", "gpt4all-lora",
                 "opt-175b", "xgen-7b-8k-inst", "c4ai-command-r-v01", "c4ai-command-r-plus", "mpt-7b-chat"}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def accepted(catalog, hardware=Hardware(vram_gib=1000, gpus=8), **req) -> set[str]:
    return {p.model for p in recommend(Requirements(**req), catalog, hardware).picks}


def test_commercial_never_returns_research_only_models(catalog):
    assert not accepted(catalog, commercial=True) & RESEARCH_ONLY
    # without the flag they can be recommended (at their own 2k context)
    assert RESEARCH_ONLY & set(catalog.cards) - {"opt-175b"} <= accepted(catalog, context=2048)


def test_commercial_keeps_conditional_licenses_and_strict_drops_them(catalog):
    loose = accepted(catalog, commercial=True)
    assert "vicuna-13b-v1.5" in loose and "mistral-7b-instruct-v0.2" in loose
    strict = accepted(catalog, strict_license=True)
    assert "vicuna-13b-v1.5" not in strict and "mistral-7b-instruct-v0.2" in strict


def test_cpu_only_8gb_ram_returns_small_quantized_models(catalog):
    rec = recommend(Requirements(cpu_only=True, ram_gib=8), catalog, Hardware(ram_gib=8, cpu_only=True))
    assert rec.picks
    assert all(p.estimate.total_gib <= 6.0 for p in rec.picks)
    # 9B at most: a hybrid's small cache lets Nemotron Nano 9B v2 (8.9B, 4 attention layers of 56) fit at q4_k_m
    assert all(catalog.get(p.model).params_b <= 9 for p in rec.picks)


def test_lang_zh_returns_only_chinese_capable_models(catalog):
    picks = accepted(catalog, languages=["chinese"], context=2048)
    assert {"chatglm-6b", "qwen2.5-7b-instruct"} <= picks
    assert all("zh" in catalog.get(m).languages for m in picks)
    assert "llama-2-7b-chat" not in picks


def test_task_code_ranks_by_code_evidence(catalog):
    # --task code reads the index for code. In 2026 the best code evidence among models that fit 24 GB belongs to
    # general models: Artificial Analysis coding index (v4.1, 2026-07-10, https://github.com/oolong-tea-2026/
    # artificial-analysis-leaderboards/blob/ed1690f664bd134e6f949b0764e781db0bea7f28/data/2026-07-10/llms.json):
    # Qwen3.6 27B 53.7, Gemma 4 31B 43.4, Qwen3.6 35B A3B 41.9, Devstral Small 2 29.3. So the top picks are the models
    # measured on code, led by the best of them, and a code specialist ranks above a general model of lower code index.
    rec = recommend(Requirements(tasks=["code"], commercial=True), catalog, Hardware(vram_gib=24))
    top = rec.top[:5]
    assert all("code" in catalog.quality.of(p.model).read for p in top), [p.model for p in top]
    best = max(catalog.quality.of(p.model).for_focus("code")[0] for p in rec.picks)
    assert catalog.quality.of(top[0].model).for_focus("code")[0] >= best - 5, [p.model for p in top]
    specialists = [p for p in rec.picks if catalog.get(p.model).specialty == "code"]
    assert specialists
    for s in specialists:  # no general model with a lower code reading and the same quantization ranks above it
        code = catalog.quality.of(s.model).for_focus("code")[0]
        above = [p.model for p in rec.picks[:rec.picks.index(s)]
                 if catalog.get(p.model).specialty is None and p.estimate.quant == s.estimate.quant
                 and catalog.quality.of(p.model).for_focus("code")[0] < code - 3]
        assert not above, (s.model, above)


def test_general_model_measured_on_the_task_is_not_discounted(catalog):
    # The task penalty is for a model whose figures do not measure the task: qwen3.5-27b's card does not list code,
    # but its figures (Artificial Analysis) measure code, so --task code reads its code index without a discount.
    rec = recommend(Requirements(tasks=["code"]), catalog, Hardware(vram_gib=24))
    [pick] = [p for p in rec.picks if p.model == "qwen3.5-27b"]
    assert "code" not in catalog.get("qwen3.5-27b").tasks
    assert pick.components["task"] == 0.0


def test_bert_is_never_a_chat_recommendation(catalog):
    for req in ({}, {"tasks": ["chat"]}, {"commercial": True}):
        assert "bert-base-uncased" not in accepted(catalog, **req)
    assert "bert-base-uncased" in accepted(catalog, tasks=["fill-mask"], context=512)


def test_memory_rejection_reason_has_numbers(catalog):
    rec = recommend(Requirements(), catalog, Hardware(vram_gib=12))
    [reason] = [r.reason for r in rec.rejections["llama-2-70b-chat"] if r.rule == "memory"]
    assert reason.startswith("needs ") and "GiB at q4_k_m with 4k context; 12.0 GiB available" in reason


def test_license_rejection_names_the_lineage(catalog):
    rec = recommend(Requirements(commercial=True), catalog, Hardware(vram_gib=80))
    [reason] = [r.reason for r in rec.rejections["gpt4all-lora"] if r.rule == "license"]
    assert reason.startswith("effective license llama-1-research via base llama-7b: non-commercial")


requirement_strategy = st.fixed_dictionaries({}, optional={
    "commercial": st.booleans(), "strict_license": st.booleans(), "no_provenance_risk": st.booleans(),
    "languages": st.lists(st.sampled_from(["en", "zh", "fr", "de", "ja"]), max_size=2),
    "tasks": st.lists(st.sampled_from(["chat", "code", "completion", "reasoning"]), max_size=1),
    "context": st.sampled_from([2048, 4096, 32768]),
    "max_params": st.floats(1, 500), "open_weights": st.booleans(),
    "quants": st.lists(st.sampled_from(["fp16", "q8_0", "q4_k_m", "q2_k"]), min_size=1, max_size=3),
})
hardware_strategy = st.builds(Hardware, vram_gib=st.floats(2, 200), gpus=st.integers(1, 4))


@settings(max_examples=25, deadline=None)
@given(requirement_strategy, hardware_strategy)
def test_no_recommended_model_breaks_a_hard_rule(catalog, req, hw):
    from llmpick.advice.quants import offered_quants
    from llmpick.advice.rules import HARD_RULES, Context

    requirements = Requirements(**req)
    rec = recommend(requirements, catalog, hw)
    ctx = Context(catalog, requirements, hw)
    for pick in rec.picks:
        card = catalog.get(pick.model)
        assert all(rule(card, ctx) is None for rule in HARD_RULES.values())
        assert pick.estimate.total_gib <= hw.budget_gib
        # a release below 16 bits (gpt-oss MXFP4) is also offered at its native format
        asked = "quants" in requirements.model_fields_set
        assert pick.estimate.quant in offered_quants(card.architecture, requirements.quants, asked)


@settings(max_examples=20, deadline=None)
@given(requirement_strategy, st.floats(2, 100), st.floats(0, 100))
def test_more_vram_never_removes_a_model(catalog, req, vram, extra):
    small = accepted(catalog, Hardware(vram_gib=vram), **req)
    large = accepted(catalog, Hardware(vram_gib=vram + extra), **req)
    assert small <= large


@settings(max_examples=20, deadline=None)
@given(requirement_strategy, st.sampled_from([{"commercial": True}, {"languages": ["zh"]}, {"tasks": ["code"]},
                                              {"fully_open": True}, {"max_params": 10.0}]))
def test_an_added_constraint_never_adds_a_model(catalog, req, extra):
    hw = Hardware(vram_gib=24)
    combined = {**req, **{k: (req.get(k, []) + v if isinstance(v, list) else v) for k, v in extra.items()}}
    if "max_params" in req and "max_params" in extra:
        combined["max_params"] = min(req["max_params"], extra["max_params"])
    assert accepted(catalog, hw, **combined) <= accepted(catalog, hw, **req)


@settings(max_examples=15, deadline=None)
@given(requirement_strategy, hardware_strategy)
def test_ranking_made_on_read_is_ordered_by_score_and_finds_every_pick(catalog, req, hw):
    rec = recommend(Requirements(**req), catalog, hw)
    middle = len(rec.picks) // 2
    assert rec.picks[middle:middle + 2] == list(rec.picks)[middle:middle + 2]  # read out of order: same picks
    picks = list(rec.picks)
    assert len(picks) == len(rec.picks) and rec.picks[-1:] == picks[-1:]
    assert [(p.score, p.model) for p in picks] == sorted(((p.score, p.model) for p in picks),
                                                         key=lambda entry: (-entry[0], entry[1]))
    for number, pick in enumerate(picks):
        assert pick.score == round(sum(rec.weights[k] * v for k, v in pick.components.items()), 6)
        assert rec.picks.position(pick.model) == number and rec.why_not(pick.model) is pick
    assert rec.picks.position("no-such-model") is None
    with pytest.raises(IndexError):
        rec.picks[len(picks)]


def test_same_input_same_output(catalog):
    a = recommend(Requirements(commercial=True), catalog, Hardware(vram_gib=12))
    b = recommend(Requirements(commercial=True), catalog, Hardware(vram_gib=12))
    assert [(p.model, p.score) for p in a.picks] == [(p.model, p.score) for p in b.picks]


# --- through the CLI ------------------------------------------------------------------------


def test_recommend_commercial_vram_12_json():
    result = run("recommend", "--commercial", "--vram", "12", "--lang", "zh", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    assert data["recommendations"] and len(data["recommendations"]) <= 10
    first = data["recommendations"][0]
    assert set(first["components"]) == {"quality", "uncertainty", "quantization", "speed", "task", "language",
                                        "license", "context", "recency"}
    assert first["memory"]["total_gib"] <= 12
    assert any(r["rule"] == "license" for r in data["rejections"])


def test_recommend_table_and_explain():
    result = run("recommend", "--commercial", "--vram", "12", "--explain", "--top", "3")
    assert result.exit_code == 0, result.output
    assert "score = weighted sum of components" in result.stdout
    assert "2 (K,V) x" in result.stdout


def test_why_not_rejected_and_accepted():
    rejected = run("recommend", "--commercial", "--vram", "12", "--why-not", "vicuna-13b-v1.1", "-f", "json")
    data = json.loads(rejected.stdout)["data"]
    assert data["accepted"] is False and {r["rule"] for r in data["rejections"]} >= {"license"}
    ok = run("recommend", "--vram", "24", "--why-not", "mistral-7b-instruct-v0.2", "-f", "json")
    assert json.loads(ok.stdout)["data"]["accepted"] is True


def test_empty_result_says_what_to_relax():
    result = run("recommend", "--vram", "2", "--min-params", "30")
    assert result.exit_code == 0, result.output
    assert "no model meets every requirement" in result.stdout
    assert "hint:" in result.stdout


def test_profile_file_and_flags_win(tmp_path):
    profile = tmp_path / "profile.yaml"
    profile.write_text("commercial: true\nvram_gib: 80\nlanguages: [zh]\ncontext: 8k\ntop: 3\n")
    result = run("recommend", "--profile", profile, "--vram", "12", "-f", "json")
    data = json.loads(result.stdout)["data"]
    assert data["requirements"]["vram_gib"] == 12 and data["requirements"]["context"] == 8192
    assert len(data["recommendations"]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cpu-only", "--gpu", "RTX 4090"], "--cpu-only contradicts"),
        (["--lang", "klingon"], "unknown language 'klingon'"),
        (["--task", "cod"], "did you mean 'code'?"),
        (["--license", "apache"], "did you mean apache-2.0?"),
        (["--gpu", "RTX 4900"], "unknown GPU 'RTX 4900'"),
        (["--vram", "-3"], "--vram must be a positive amount of memory, not '-3'"),
        (["--context", "10x"], "--context '10x' is not a token count"),
        (["--quant", "q4"], "unknown quantization 'q4'"),
        (["--released-after", "yesterday"], "released_after"),
        (["--why-not", "mixtral"], "unknown model 'mixtral'"),
    ],
)
def test_recommend_bad_input(args, message):
    result = run("recommend", "--vram", "12", *args) if "--vram" not in args and "--gpu" not in args \
        and "--cpu-only" not in args else run("recommend", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_profile_with_unknown_key(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("comercial: true\n")
    result = run("recommend", "--profile", profile, "--vram", "12")
    assert result.exit_code == 2
    assert f"{profile}:1: comercial: unknown key; did you mean 'commercial'?" in result.stderr
