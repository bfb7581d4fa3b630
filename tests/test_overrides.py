"""A user licenses.yaml, benchmarks.yaml or gpus.yaml that redefines an id needs `override: true`, is then named on
stderr, and fails `audit` unless the policy allows overrides."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run

LLAMA_1_COMMERCIAL = """\
- id: llama-1-research
  name: LLaMA 1 license, said to be commercial
  url: https://example.org/llama
  commercial: 'yes'
  summary: Not what Meta wrote.
"""
BIG_4090 = """\
- id: rtx-4090
  name: NVIDIA GeForce RTX 4090
  vendor: nvidia
  kind: discrete
  memory_gib: 240
  bandwidth_gbs: 1008
  source: https://example.org/4090
"""
HINT = "set override: true to replace the built-in entry"


@pytest.fixture
def user(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    return folder


def test_a_license_redefining_a_builtin_id_is_an_error_at_its_line(user):
    (user / "licenses.yaml").write_text("- id: my-own\n  name: Mine\n  url: https://example.org/m\n  commercial: 'no'\n"
                                        "  summary: Mine.\n" + LLAMA_1_COMMERCIAL)
    result = run("validate", user)
    assert result.exit_code == 1, result.output
    assert (f"{user / 'licenses.yaml'}:6: id: license 'llama-1-research' redefines a built-in entry; {HINT}"
            in result.stderr)
    listed = run("list", "--catalog", user)
    assert listed.exit_code == 1 and HINT in listed.stderr


def test_a_gpu_redefining_a_builtin_id_is_an_error_and_validate_reads_gpus_yaml(user):
    (user / "gpus.yaml").write_text(BIG_4090)
    result = run("recommend", "--gpu", "RTX 4090", "--catalog", user)
    assert result.exit_code == 1, result.output
    assert f"{user / 'gpus.yaml'}:1: id: gpu 'rtx-4090' redefines a built-in entry; {HINT}" in result.stderr
    assert run("validate", user).exit_code == 1


def test_validate_checks_a_gpus_yaml_of_its_own(user):
    (user / "gpus.yaml").write_text("- id: my-gpu\n  name: My GPU\n  vendor: nvidia\n  kind: discrete\n"
                                    "  memory_gib: -4\n  bandwidth_gbs: 100\n  source: https://example.org/g\n"
                                    "- id: my-gpu\n  name: My GPU again\n  vendor: nvidia\n  kind: discrete\n"
                                    "  memory_gib: 4\n  bandwidth_gbs: 100\n  source: https://example.org/g\n")
    result = run("validate", user, "--format", "json")
    assert result.exit_code == 1, result.output
    problems = [(p["path"], p["line"], p["field"]) for p in json.loads(result.stdout)["problems"]]
    assert problems == [(str(user / "gpus.yaml"), 5, "0.memory_gib")]
    (user / "gpus.yaml").write_text((user / "gpus.yaml").read_text().replace("memory_gib: -4", "memory_gib: 4"))
    result = run("validate", user)
    assert result.exit_code == 1
    assert f"{user / 'gpus.yaml'}:8: id: duplicate gpu id 'my-gpu'" in result.stderr


def test_with_override_true_the_entry_is_used_and_named_on_stderr_every_run(user):
    (user / "gpus.yaml").write_text(BIG_4090 + "  override: true\n")
    (user / "licenses.yaml").write_text(LLAMA_1_COMMERCIAL + "  override: true\n")
    for _ in range(2):  # a cold build, then the cache
        result = run("recommend", "--gpu", "RTX 4090", "--catalog", user, "--top", "1")
        assert result.exit_code == 0, result.output
        assert (f"llmpick: warning: {user / 'licenses.yaml'}:6: license llama-1-research replaces the built-in "
                "entry (override: true)") in result.stderr
        assert f"llmpick: warning: {user / 'gpus.yaml'}:8: gpu rtx-4090 replaces the built-in entry" in result.stderr
        assert " / 240.0 GiB" in result.stdout
    shown = run("list", "--catalog", user, "--license", "llama-1-research", "--commercial")
    assert shown.exit_code == 0 and "llama-7b" in shown.stdout  # the override is in effect


def test_a_later_user_catalog_overriding_an_earlier_one_is_named(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
        (folder / "licenses.yaml").write_text("- id: acme\n  name: ACME\n  url: https://example.org/a\n"
                                              "  commercial: 'no'\n  summary: ACME.\n")
    result = run("validate", "--catalog", first, "--catalog", second)
    assert result.exit_code == 1
    assert (f"id: license 'acme' redefines an entry in {first / 'licenses.yaml'}; set override: true to replace it"
            in result.stderr)


def test_audit_refuses_a_license_override_unless_the_policy_allows_it(user, tmp_path, monkeypatch):
    (user / "licenses.yaml").write_text(LLAMA_1_COMMERCIAL + "  override: true\n")
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    (project / "llmpick.yaml").write_text("models: [mistral-7b-v0.1]\n")
    result = run("audit", "--catalog", user, "--format", "json")
    assert result.exit_code == 1, result.output
    [finding] = json.loads(result.stdout)["data"]["findings"]
    assert finding["rule"] == "LLMPICK011" and finding["model"] == "llama-1-research"
    assert "set allow_overrides: true in the policy" in finding["message"]
    text = run("audit", "--catalog", user)
    assert "FAIL  llama-1-research: LLMPICK011 license-override" in text.stdout
    (project / "llmpick.yaml").write_text("models: [mistral-7b-v0.1]\npolicy:\n  allow_overrides: true\n")
    allowed = run("audit", "--catalog", user)
    assert allowed.exit_code == 0, allowed.output
    assert "license llama-1-research replaces the built-in entry" in allowed.stderr  # still said


@pytest.mark.parametrize("kind", ["license", "gpu", "benchmark", "policy"])
def test_the_schemas_document_the_new_fields(kind):
    result = run("schema", kind)
    assert result.exit_code == 0
    assert ('"allow_overrides"' if kind == "policy" else '"override"') in result.stdout
