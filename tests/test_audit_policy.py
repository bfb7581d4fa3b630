"""Policy and manifest files: llmpick.yaml, [tool.llmpick], --policy; located errors with suggestions."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from llmpick.audit.policy import STARTER, Policy, check_licenses, find_manifest, load_manifest, load_policy, toml_line
from llmpick.core.errors import ConfigError, UsageError
from tests.audit_helpers import catalog, shared_cache, warm_cache

__all__ = ["catalog", "shared_cache", "warm_cache"]  # fixtures


def problems_of(call, *args) -> list[str]:
    with pytest.raises(ConfigError) as info:
        call(*args)
    assert info.value.exit_code == 2
    return [str(p) for p in info.value.problems]


def test_the_starter_is_a_valid_manifest_with_a_policy(tmp_path):
    path = tmp_path / "llmpick.yaml"
    path.write_text(STARTER)
    manifest = load_manifest(path)
    assert manifest.models == []
    assert manifest.policy == Policy(deny_conditions=["research-only", "non-commercial"])


def test_manifest_models_by_catalog_id_and_hub_repo_with_lines(tmp_path):
    path = tmp_path / "llmpick.yaml"
    path.write_text("models:\n  - mistral-7b-v0.1\n  - huggyllama/llama-7b\npolicy:\n  require: any\n")
    manifest = load_manifest(path)
    assert [(m.name, m.kind, m.line) for m in manifest.models] == [
        ("mistral-7b-v0.1", "id", 2), ("huggyllama/llama-7b", "hf", 3)]
    assert manifest.policy.require == "any"
    assert manifest.policy_source.line(("require",)) == 5


def test_unknown_key_names_file_line_and_suggests(tmp_path):
    path = tmp_path / "llmpick.yaml"
    path.write_text("policy:\n  require: commercial\n  deny_licence: [llama2]\n")
    assert problems_of(load_manifest, path) == [
        f"{path}:3: policy.deny_licence: unknown key; did you mean 'deny_licenses'?"]


def test_top_level_typo_in_the_manifest(tmp_path):
    path = tmp_path / "llmpick.yaml"
    path.write_text("modles: [llama-7b]\n")
    assert problems_of(load_manifest, path) == [f"{path}:1: modles: unknown key; did you mean 'models'?"]


def test_misspelled_condition_and_bad_values_are_located(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("require: comercial\ndeny_conditions:\n  - attribution\n  - reserch-only\n"
                    "unknown_models: fial\n")
    found = problems_of(load_policy, path)
    assert f"{path}:1: require: 'comercial' is not allowed; expected 'commercial' or 'any'" in found
    assert (f"{path}:4: deny_conditions.1: unknown condition 'reserch-only'; did you mean 'research-only'?"
            in found)
    assert any(p.startswith(f"{path}:5: unknown_models:") for p in found)


def test_misspelled_license_id_is_located_with_did_you_mean(tmp_path, catalog):
    path = tmp_path / "policy.yaml"
    path.write_text("require: commercial\ndeny_licenses:\n  - llama2\n  - lama-1-research\n")
    loaded = load_policy(path)
    assert problems_of(check_licenses, loaded.policy, loaded.policy_source, catalog) == [
        f"{path}:4: deny_licenses.1: unknown license id 'lama-1-research'; did you mean 'llama-1-research'?"]


def test_exceptions_need_every_field_and_a_date(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("exceptions:\n  - model: llama-7b\n    reason: pilot\n    expires: someday\n")
    found = problems_of(load_policy, path)
    assert f"{path}:2: exceptions.0.approver: required field is missing" in found
    assert any(p.startswith(f"{path}:4: exceptions.0.expires:") for p in found)


def test_exception_dates_parse_from_yaml(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("exceptions:\n  - {model: llama-7b, reason: pilot, approver: cto, expires: 2027-01-31}\n")
    assert load_policy(path).policy.exceptions[0].expires == dt.date(2027, 1, 31)


def test_policy_file_may_be_a_whole_manifest(tmp_path):
    path = tmp_path / "shared.yaml"
    path.write_text("models: [llama-7b]\npolicy:\n  require: any\n")
    assert load_policy(path).policy.require == "any"
    path.write_text("models: [llama-7b]\n")
    with pytest.raises(UsageError, match="has no policy"):
        load_policy(path)


@pytest.mark.parametrize(("text", "message"), [
    ("- require\n", "a policy must be a mapping"),
    ("require: [commercial\n", "YAML syntax"),
])
def test_policy_that_is_not_a_mapping_or_not_yaml(tmp_path, text, message):
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    assert message in problems_of(load_policy, path)[0]


def test_missing_policy_or_manifest_file(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        load_policy(tmp_path / "nope.yaml")
    with pytest.raises(UsageError, match="does not exist"):
        load_manifest(tmp_path / "llmpick.yaml")


PYPROJECT = """\
[project]
name = "demo"

[tool.llmpick]
models = ["mistral-7b-v0.1", "lmsys/vicuna-13b-v1.5"]

[tool.llmpick.policy]
require = "commercial"
deny_provenance = ["trained-on-proprietary-model-outputs"]

[[tool.llmpick.policy.exceptions]]
model = "vicuna-13b-v1.5"
reason = "evaluation"
approver = "legal"
expires = 2027-01-01
"""


def test_pyproject_tool_table(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT)
    assert find_manifest(tmp_path) == path
    manifest = load_manifest(path)
    assert [(m.name, m.line) for m in manifest.models] == [("mistral-7b-v0.1", 5), ("lmsys/vicuna-13b-v1.5", 5)]
    assert manifest.policy.deny_provenance == ["trained-on-proprietary-model-outputs"]
    assert manifest.policy.exceptions[0].expires == dt.date(2027, 1, 1)
    assert manifest.policy_source.line(("exceptions", 0)) == 11


def test_pyproject_errors_point_at_toml_lines(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT.replace('require = "commercial"', 'requires = "commercial"')
                    .replace('approver = "legal"\n', ""))
    found = problems_of(load_manifest, path)
    assert f"{path}:8: policy.requires: unknown key; did you mean 'require'?" in found
    assert f"{path}:11: policy.exceptions.0.approver: required field is missing" in found


def test_pyproject_without_tool_table_is_not_a_manifest(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    assert find_manifest(tmp_path) is None
    with pytest.raises(UsageError, match=r"no \[tool.llmpick\] table"):
        load_manifest(tmp_path / "pyproject.toml")


def test_toml_syntax_error_has_its_line(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.llmpick]\nmodels = ["a"\n')
    found = problems_of(load_manifest, path)
    assert found[0].startswith(f"{path}:") and "TOML syntax" in found[0]


def test_llmpick_yaml_wins_over_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "llmpick.yaml").write_text("models: []\n")
    assert find_manifest(tmp_path) == tmp_path / "llmpick.yaml"


def test_toml_line_finds_dotted_keys_and_array_tables():
    text = "[tool.llmpick]\npolicy.require = 'any'\n[[tool.llmpick.x]]\na = 1\n[[tool.llmpick.x]]\na = 2\n"
    assert toml_line(text, ("tool", "llmpick", "policy", "require")) == 2
    assert toml_line(text, ("tool", "llmpick", "x", 1, "a")) == 6
    assert toml_line(text, ("tool", "llmpick", "nothing")) == 1
    assert toml_line("", ("a",)) is None


def test_starter_documents_every_policy_field():
    policy = yaml.safe_load(STARTER)["policy"]
    commented = STARTER.replace("# allow_", "allow_")
    for name in Policy.model_fields:
        assert name in policy or f"  {name}:" in commented, name


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc:-_ \n[]{}'\"!&*#0129.requiredny")), max_size=80))
def test_any_policy_text_loads_or_fails_with_a_located_message(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("policy") / "policy.yaml"
    path.write_text(text)
    try:
        load_policy(path)
    except ConfigError as exc:
        assert exc.exit_code == 2 and all(str(p).startswith(str(path)) for p in exc.problems)
    except UsageError as exc:
        assert exc.exit_code == 2
