"""The audit engine through its Python API: findings, locations, lineage, exceptions, alternatives."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmpick.audit.findings import RULES, audit, gather, violations
from llmpick.audit.policy import Policy, PolicyException
from llmpick.audit.scan import Reference
from llmpick.core import vocab
from tests.audit_helpers import PROJECT, TODAY, catalog, line_containing, project, replace, shared_cache, warm_cache

__all__ = ["catalog", "project", "shared_cache", "warm_cache"]  # fixtures


def run_audit(catalog, root, policy=Policy(), **kwargs):
    found = gather([root], root=root)
    return audit(catalog, found.references, policy, scan=found, root=root, today=TODAY, **kwargs)


def places(result, model):
    return {(ref.path, ref.line) for use in result.uses if use.model == model for ref in use.references}


def test_finds_each_model_of_the_fixture_project_at_its_file_and_line(catalog):
    result = run_audit(catalog, PROJECT)
    expected = {
        "llama-7b": {("app/train.py", line_containing(PROJECT / "app/train.py", "huggyllama/llama-7b")),
                     ("config/train.yaml", line_containing(PROJECT / "config/train.yaml", "huggyllama/llama-7b"))},
        "vicuna-13b-v1.5": {("config/serve.json", line_containing(PROJECT / "config/serve.json", '"model_id"'))},
        "mistral-7b-v0.1": {("Dockerfile", line_containing(PROJECT / "Dockerfile", "mistralai/Mistral-7B-v0.1"))},
        "dolly-v2-12b": {("app/serve.py", line_containing(PROJECT / "app/serve.py", "databricks/dolly-v2-12b"))},
        "opt-66b": {("config/eval.toml", line_containing(PROJECT / "config/eval.toml", "facebook/opt-66b"))},
        "llama-2-7b": {("scripts/fetch.sh", line_containing(PROJECT / "scripts/fetch.sh", "TheBloke/Llama-2-7B-GGUF"))},
        "acme-corp/internal-llm-7b": {("app/serve.py", line_containing(PROJECT / "app/serve.py", "acme-corp"))},
    }
    for model, wanted in expected.items():
        assert wanted <= places(result, model), (model, places(result, model))


def test_require_commercial_fails_exactly_the_research_only_models(catalog):
    result = run_audit(catalog, PROJECT)
    assert not result.passed
    assert {(f.model, f.rule.id) for f in result.errors} == {("llama-7b", "LLMPICK001"), ("opt-66b", "LLMPICK001")}
    llama = next(f for f in result.errors if f.model == "llama-7b")
    assert llama.lineage == "llama-7b (llama-1-research)"
    assert llama.license.license.id == "llama-1-research"
    assert ("app/train.py", line_containing(PROJECT / "app/train.py", "huggyllama/llama-7b")) in {
        (ref.path, ref.line) for ref in llama.locations}


def test_unknown_models_warn_by_default_and_the_fallback_file_is_still_read(catalog):
    result = run_audit(catalog, PROJECT)
    unknown = {f.model for f in result.warnings if f.rule.id == "LLMPICK008"}
    assert "acme-corp/internal-llm-7b" in unknown
    assert any(path == "app/broken.py" for path, _ in result.scan.fallbacks)
    assert ("app/broken.py", line_containing(PROJECT / "app/broken.py", "tiiuae/falcon-7b")) in places(
        result, "falcon-7b")
    assert any(path == "data/blob.yaml" for path, _ in result.scan.skipped)


def test_passes_once_the_research_only_models_are_removed(catalog, project):
    replace(project / "app/train.py", "huggyllama/llama-7b", "mistralai/Mistral-7B-v0.1")
    replace(project / "config/train.yaml", "huggyllama/llama-7b", "mistralai/Mistral-7B-v0.1")
    replace(project / "app/train.py", "facebook/opt-66b", "databricks/dolly-v2-12b")
    replace(project / "config/eval.toml", "facebook/opt-66b", "databricks/dolly-v2-12b")
    result = run_audit(catalog, project)
    assert result.passed, [f.message for f in result.errors]
    assert "llama-7b" not in {use.model for use in result.uses}


def test_passes_when_the_research_only_models_are_excepted(catalog):
    exceptions = [PolicyException(model=m, reason="evaluation only", approver="legal@example.com",
                                  expires=TODAY + dt.timedelta(days=30)) for m in ("huggyllama/llama-7b", "opt-66b")]
    result = run_audit(catalog, PROJECT, Policy(exceptions=exceptions))
    assert result.passed
    excepted = {f.model for f in result.findings if f.excepted_by}
    assert excepted == {"llama-7b", "opt-66b"}
    assert all(f.level == "note" for f in result.findings if f.excepted_by)


def test_an_expired_exception_fails_loudly_and_does_not_hide_the_violation(catalog):
    policy = Policy(exceptions=[PolicyException(model="llama-7b", reason="pilot", approver="cto",
                                                expires=TODAY - dt.timedelta(days=1))])
    result = run_audit(catalog, PROJECT, policy)
    rules = {(f.model, f.rule.id) for f in result.errors}
    assert ("llama-7b", "LLMPICK009") in rules and ("llama-7b", "LLMPICK001") in rules
    expired = next(f for f in result.errors if f.rule.id == "LLMPICK009")
    assert "expired on 2026-11-21" in expired.message and "cto" in expired.message


def test_an_exception_expiring_today_still_holds(catalog):
    policy = Policy(exceptions=[PolicyException(model="llama-7b", reason="pilot", approver="cto", expires=TODAY),
                                PolicyException(model="opt-66b", reason="pilot", approver="cto", expires=TODAY)])
    assert run_audit(catalog, PROJECT, policy).passed


def test_an_unused_exception_is_a_warning(catalog):
    policy = Policy(exceptions=[PolicyException(model="yi-34b", reason="x", approver="y", expires=TODAY)])
    result = run_audit(catalog, PROJECT, policy)
    assert [f.model for f in result.warnings if f.rule.id == "LLMPICK010"] == ["yi-34b"]


@pytest.mark.parametrize(("setting", "level"), [("fail", "error"), ("warn", "warning"), ("ignore", None)])
def test_unknown_models_follow_the_policy(catalog, setting, level):
    refs = [Reference("acme/secret-model", "id", "llmpick.yaml", 3, "manifest")]
    result = audit(catalog, refs, Policy(unknown_models=setting), today=TODAY)
    assert [f.level for f in result.findings] == ([level] if level else [])
    assert result.passed is (setting != "fail")
    assert result.uses[0].card_id is None


def test_fine_tune_of_llama_1_inherits_research_only_through_the_lineage(catalog):
    found = violations(catalog, "guanaco-7b", Policy())  # its own license is gpl-3.0
    assert [rule for rule, _ in found] == ["LLMPICK001"]
    assert "llama-1-research via base llama-7b" in found[0][1]


def test_each_policy_rule(catalog):
    assert [r for r, _ in violations(catalog, "llama-2-7b", Policy(deny_licenses=["llama2"]))] == ["LLMPICK003"]
    assert [r for r, _ in violations(catalog, "llama-2-7b", Policy(allow_licenses=["apache-2.0"]))] == ["LLMPICK004"]
    assert [r for r, _ in violations(catalog, "llama-2-7b", Policy(deny_conditions=["user-cap"]))] == ["LLMPICK005"]
    only_notice = Policy(allow_conditions=["notice", "attribution"])
    assert [r for r, _ in violations(catalog, "llama-2-7b", only_notice)] == ["LLMPICK006"]
    assert violations(catalog, "mistral-7b-v0.1", only_notice) == []
    no_distill = Policy(deny_provenance=["trained-on-proprietary-model-outputs"])
    assert [r for r, _ in violations(catalog, "vicuna-13b-v1.5", no_distill)] == ["LLMPICK007"]
    assert violations(catalog, "llama-7b", Policy(require="any")) == []


def test_research_only_is_reported_once_even_when_its_condition_is_also_denied(catalog):
    found = violations(catalog, "llama-7b", Policy(deny_conditions=["research-only", "non-commercial"]))
    assert [rule for rule, _ in found] == ["LLMPICK001"]


def test_the_alternative_passes_the_policy_and_has_a_similar_size_and_task(catalog):
    policy = Policy(deny_conditions=["user-cap"])
    result = audit(catalog, [Reference("huggyllama/llama-7b", "hf", "app.py", 1, "from_pretrained")], policy,
                   today=TODAY)
    alternative = result.errors[0].alternative
    assert alternative is not None
    card, original = catalog.get(alternative), catalog.get("llama-7b")
    assert violations(catalog, alternative, policy) == []
    assert original.params_b / 2 <= card.params_b <= original.params_b * 2
    assert original.tasks[0] in card.tasks or {"chat", "instruct"} & set(card.tasks)


@pytest.mark.parametrize(("model", "kind"), [("codellama-13b-instruct", "code"), ("codellama-7b", "code"),
                                             ("vicuna-13b-v1.1", None), ("llama-2-7b-chat", None)])
def test_the_alternative_keeps_the_models_purpose(catalog, model, kind):
    # a code model is replaced by a code model, a chat model by a general one (never an agentic coder for chat)
    policy = Policy(require="commercial", deny_licenses=["llama2"])
    result = audit(catalog, [Reference(model, "id", "m.yaml", 1, "manifest")], policy,
                   today=TODAY)
    alternative = result.errors[0].alternative
    assert alternative is not None
    assert catalog.get(alternative).specialty == kind, alternative


def test_no_alternative_when_nothing_passes(catalog):
    policy = Policy(allow_licenses=["unknown"])
    result = audit(catalog, [Reference("llama-7b", "id", "m.yaml", 1, "manifest")], policy, today=TODAY)
    assert result.errors and result.errors[0].alternative is None


@settings(max_examples=25, deadline=None)
@given(require=st.sampled_from(["commercial", "any"]),
       deny=st.lists(st.sampled_from(vocab.LICENSE_CONDITIONS), max_size=4, unique=True),
       model=st.sampled_from(["llama-7b", "vicuna-13b-v1.5", "mistral-7b-v0.1", "opt-66b", "llama-2-7b",
                              "dolly-v2-12b", "qwen2.5-7b-instruct"]))
def test_a_stricter_policy_never_passes_more(catalog, require, deny, model):
    loose = Policy(require=require, deny_conditions=deny[:-1] if deny else [])
    strict = Policy(require=require, deny_conditions=deny)
    assert not violations(catalog, model, loose) or violations(catalog, model, strict)
    assert all(rule in RULES for rule, _ in violations(catalog, model, strict))
