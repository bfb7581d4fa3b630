"""`llmpick audit` from the command line: exit codes, report on stdout, summary on stderr, bad input."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest

from llmpick.audit.policy import STARTER
from tests.audit_helpers import PROJECT, line_containing, project, replace, shared_cache, warm_cache
from tests.conftest import run

__all__ = ["project", "shared_cache", "warm_cache"]  # fixtures

APP = '''from transformers import AutoModelForCausalLM

# a LLaMA 1 fine-tune whose own repository says GPL-3.0
model = AutoModelForCausalLM.from_pretrained("JosephusCheung/Guanaco")
'''


@pytest.fixture
def sample(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_done_when_a_llama_1_based_model_fails_with_file_and_line_and_passes_once_swapped(sample):
    result = run("audit", "--scan", ".")
    assert result.exit_code == 1, result.output
    assert "FAIL  guanaco-7b: LLMPICK001 research-only" in result.stdout
    assert "at app.py:4 (from_pretrained: JosephusCheung/Guanaco)" in result.stdout
    assert "lineage: guanaco-7b (gpl-3.0) <- llama-7b (llama-1-research)" in result.stdout
    assert "allowed alternative of similar size and task:" in result.stdout
    assert result.stderr.startswith("llmpick audit FAILED: 1 model in 1 place (1 file scanned): 1 violation")

    replace(sample / "app.py", "JosephusCheung/Guanaco", "mistralai/Mistral-7B-v0.1")
    result = run("audit", "--scan", ".")
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK    mistral-7b-v0.1 (apache-2.0): app.py:4\n"
    assert result.stderr.startswith("llmpick audit passed: 1 model in 1 place")


def test_fixture_project_fails_on_the_research_only_models_with_their_lines(monkeypatch):
    monkeypatch.chdir(PROJECT)
    result = run("audit", "--scan", ".")
    assert result.exit_code == 1, result.output
    llama_line = line_containing(PROJECT / "app/train.py", "huggyllama/llama-7b")
    opt_line = line_containing(PROJECT / "config/eval.toml", "facebook/opt-66b")
    assert f"at app/train.py:{llama_line} " in result.stdout
    assert f"at config/eval.toml:{opt_line} " in result.stdout
    assert "note: app/broken.py: syntax error" in result.stdout  # reported, and still scanned
    assert "skipped: data/blob.yaml: binary" in result.stdout
    assert "1 skipped, 1 by fallback" in result.stderr
    assert "Traceback" not in result.output


def test_warn_only_reports_but_exits_0(monkeypatch):
    monkeypatch.chdir(PROJECT)
    result = run("audit", "--scan", ".", "--warn-only")
    assert result.exit_code == 0
    assert "LLMPICK001" in result.stdout and "(--warn-only: exit 0)" in result.stderr


def test_output_file_holds_the_report_and_stdout_stays_empty(sample):
    result = run("audit", "--scan", ".", "--format", "junit", "--output", "report.xml")
    assert result.exit_code == 1
    assert result.stdout == ""
    case = ET.parse(sample / "report.xml").getroot().find("./testsuite/testcase")
    assert case.get("file") == "app.py" and case.find("failure").get("type") == "LLMPICK001"
    assert sorted(os.listdir(sample)) == ["app.py", "report.xml"]  # no temporary file left behind


def test_output_into_a_missing_directory_is_a_usage_error(sample):
    result = run("audit", "--scan", ".", "--output", "nowhere/report.sarif")
    assert result.exit_code == 2
    assert "directory nowhere does not exist" in result.stderr
    assert sorted(os.listdir(sample)) == ["app.py"]


def test_sbom_replaces_the_report_and_the_exit_code_still_follows_the_policy(sample):
    result = run("audit", "--scan", ".", "--sbom", "cyclonedx")
    assert result.exit_code == 1
    bom = json.loads(result.stdout)
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.6"
    assert [c["purl"] for c in bom["components"]] == ["pkg:huggingface/JosephusCheung/Guanaco"]


def test_init_writes_a_starter_and_never_overwrites(sample):
    result = run("audit", "--init")
    assert result.exit_code == 0, result.output
    assert (sample / "llmpick.yaml").read_text() == STARTER
    (sample / "llmpick.yaml").write_text("models: [llama-7b]\n")
    result = run("audit", "--init")
    assert result.exit_code == 2
    assert "llmpick.yaml already exists; not overwriting it" in result.stderr
    assert (sample / "llmpick.yaml").read_text() == "models: [llama-7b]\n"


def test_the_starter_policy_fails_the_sample_and_names_its_rule(sample):
    run("audit", "--init")
    result = run("audit", "--scan", ".", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)["data"]
    assert data["policy"]["origin"] == "llmpick.yaml"
    assert [f["rule"] for f in data["findings"]] == ["LLMPICK001"]


def test_policy_with_an_unknown_key_exits_2_with_its_line(sample):
    (sample / "policy.yaml").write_text("require: commercial\nallow_licences: [mit]\n")
    result = run("audit", "--scan", ".", "--policy", "policy.yaml")
    assert result.exit_code == 2
    assert "policy.yaml:2: allow_licences: unknown key; did you mean 'allow_licenses'?" in result.stderr
    assert "llmpick: error: 1 problem in the policy" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.output


def test_policy_with_a_misspelled_license_id_exits_2_with_its_line(sample):
    (sample / "policy.yaml").write_text("allow_licenses:\n  - apache-2.0\n  - apache2\n")
    result = run("audit", "--scan", ".", "--policy", "policy.yaml")
    assert result.exit_code == 2
    assert "policy.yaml:3: allow_licenses.1: unknown license id 'apache2'; did you mean 'apache-2.0'?" in result.stderr


def test_missing_scan_path_exits_2(sample):
    result = run("audit", "--scan", "src")
    assert result.exit_code == 2
    assert "scan path src does not exist" in result.stderr


def test_missing_policy_or_manifest_exits_2(sample):
    assert "policy.yaml does not exist" in run("audit", "--scan", ".", "--policy", "policy.yaml").stderr
    result = run("audit", "--manifest", "llmpick.yaml")
    assert result.exit_code == 2 and "llmpick.yaml does not exist" in result.stderr


def test_nothing_to_audit_exits_2(sample):
    result = run("audit")
    assert result.exit_code == 2
    assert "nothing to audit" in result.stderr and "--scan" in result.stderr


@pytest.mark.parametrize(("setting", "code"), [("fail", 1), ("warn", 0), ("ignore", 0)])
def test_manifest_naming_an_unknown_model_follows_unknown_models(sample, setting, code):
    (sample / "llmpick.yaml").write_text(f"models:\n  - mistral-7b-v0.1\n  - acme/secret-llm\n"
                                         f"policy:\n  unknown_models: {setting}\n")
    result = run("audit")
    assert result.exit_code == code, result.output
    assert ("llmpick.yaml:3 (manifest: acme/secret-llm)" in result.stdout) is (setting != "ignore")
    assert "OK    mistral-7b-v0.1 (apache-2.0): llmpick.yaml:2" in result.stdout


def test_expired_exception_in_the_policy_file_fails_at_its_line(sample):
    (sample / "llmpick.yaml").write_text(
        "policy:\n  exceptions:\n    - model: JosephusCheung/Guanaco\n      reason: pilot\n"
        "      approver: cto\n      expires: 2020-01-31\n")
    result = run("audit", "--scan", ".")
    assert result.exit_code == 1
    assert "FAIL  JosephusCheung/Guanaco: LLMPICK009 expired-exception" in result.stdout
    assert "expired on 2020-01-31" in result.stdout
    assert "at llmpick.yaml:3 (policy exception: JosephusCheung/Guanaco)" in result.stdout


def test_valid_exception_passes(sample):
    (sample / "llmpick.yaml").write_text(
        "policy:\n  exceptions:\n    - {model: guanaco-7b, reason: pilot, approver: cto, expires: 2999-01-31}\n")
    result = run("audit", "--scan", ".")
    assert result.exit_code == 0, result.output
    assert "EXCEPTED guanaco-7b: LLMPICK001" in result.stdout
    assert "excepted until 2999-01-31 by cto: pilot" in result.stdout


def test_pyproject_tool_table_is_found_without_flags(sample):
    (sample / "pyproject.toml").write_text('[tool.llmpick]\nmodels = ["huggyllama/llama-7b"]\n'
                                           '[tool.llmpick.policy]\nrequire = "any"\n')
    result = run("audit")
    assert result.exit_code == 0, result.output
    assert "policy: pyproject.toml" in result.stderr
    assert "llama-7b (llama-1-research): pyproject.toml:2" in result.stdout


def test_hf_cache_directory(sample):
    cache = sample / "hub"
    (cache / "models--huggyllama--llama-7b" / "snapshots" / "0123abcd").mkdir(parents=True)
    (cache / "models--mistralai--Mistral-7B-v0.1" / "snapshots" / "4567ef01").mkdir(parents=True)
    result = run("audit", "--hf-cache-dir", str(cache), "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)["data"]
    assert {m["model"] for m in data["models"]} == {"llama-7b", "mistral-7b-v0.1"}
    assert data["findings"][0]["locations"][0]["via"] == "hf-cache"


def test_hf_cache_flag_reads_hf_hub_cache(sample, monkeypatch):
    (sample / "hub" / "models--facebook--opt-66b" / "snapshots" / "x").mkdir(parents=True)
    monkeypatch.setenv("HF_HUB_CACHE", str(sample / "hub"))
    result = run("audit", "--hf-cache", "--format", "sarif")
    assert result.exit_code == 1
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]) for r in results] == [
        ("LLMPICK001", "opt-66b")]


def test_bad_format_is_a_usage_error(sample):
    result = run("audit", "--scan", ".", "--format", "html")
    assert result.exit_code == 2


def test_project_copy_passes_after_the_research_only_models_are_swapped(project, monkeypatch):
    for path in ("app/train.py", "config/train.yaml"):
        replace(project / path, "huggyllama/llama-7b", "mistralai/Mistral-7B-v0.1")
    for path in ("app/train.py", "config/eval.toml"):
        replace(project / path, "facebook/opt-66b", "databricks/dolly-v2-12b")
    monkeypatch.chdir(project)
    result = run("audit", "--scan", ".", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("### llmpick audit passed")


@pytest.mark.parametrize("args", [("--init", "--scan", "."), ("--scan", ".", "--sbom", "cyclonedx", "-f", "json")])
def test_contradicting_flags_are_usage_errors(sample, args):
    result = run("audit", *args)
    assert result.exit_code == 2
    assert "llmpick: error:" in result.stderr and not (sample / "llmpick.yaml").exists()


def test_unreadable_entries_are_skipped_and_counted_not_fatal(sample):
    (sample / "dangling.py").symlink_to(sample / "gone.py")
    os.mkfifo(sample / "pipe.yaml")
    (sample / "weights.json").write_bytes(b"{\"model\": \"huggyllama/llama-7b\"}\0\x01")
    result = run("audit", "--scan", ".", "--format", "json")
    assert result.exit_code == 1, result.output  # the Guanaco violation, not an error
    data = json.loads(result.stdout)["data"]
    assert {item["path"] for item in data["skipped"]} == {"dangling.py", "pipe.yaml", "weights.json"}
    assert "3 skipped" in result.stderr
    assert [m["model"] for m in data["models"]] == ["guanaco-7b"]


def test_missing_hf_cache_exits_2(sample):
    result = run("audit", "--hf-cache-dir", "no-cache")
    assert result.exit_code == 2
    assert "no Hugging Face cache at no-cache" in result.stderr


def test_manifest_with_a_bad_models_entry_exits_2_at_its_line(sample):
    (sample / "llmpick.yaml").write_text("models:\n  - mistral-7b-v0.1\n  - {repo: x}\n")
    result = run("audit")
    assert result.exit_code == 2
    assert "llmpick.yaml:3: models.1: expected text" in result.stderr
    assert "1 problem in the manifest" in result.stderr
