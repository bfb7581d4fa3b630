"""show, list, licenses, schema and --version through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

from llmpick import __version__
from tests.conftest import FIXTURE_CATALOG, run, write_card


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"llmpick {__version__}\n"


def test_show_inherited_research_license(fixture_catalog):
    result = run("show", "vicuna-13b-v1.1")
    assert result.exit_code == 0, result.output
    assert "llama-1-research: no commercial use (inherited from llama-13b)" in result.stdout
    assert "vicuna-13b-v1.1 (apache-2.0) → llama-13b (llama-1-research)" in result.stdout
    assert str(FIXTURE_CATALOG / "models" / "vicuna-13b-v1.1.yaml") in result.stdout


def test_show_json_has_every_field_and_the_file(fixture_catalog):
    result = run("show", "mistral-7b-v0.1", "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["schema_version"] == 3 and payload["kind"] == "model"
    data = payload["data"]
    assert data["effective_license"]["id"] == "apache-2.0"
    assert data["effective_license"]["commercial"] == "yes"
    assert data["architecture"]["kv_heads"] == 8
    assert data["file"].endswith("mistral-7b-v0.1.yaml")


def test_show_unknown_id_suggests(fixture_catalog):
    result = run("show", "mistral-7b")
    assert result.exit_code == 2
    assert "unknown model 'mistral-7b'" in result.stderr
    assert "did you mean mistral-7b-v0.1 or mixtral-8x7b-v0.1?" in result.stderr
    assert result.stdout == ""


def test_show_reports_the_overlay_file(fixture_catalog, tmp_path):
    path = write_card(tmp_path, name="override", notes="mine")
    result = run("show", "mistral-7b-v0.1", "--catalog", tmp_path, "-f", "json")
    assert json.loads(result.stdout)["data"]["file"] == str(path)


def test_list_filters(fixture_catalog):
    result = run("list", "--commercial", "--format", "json")
    ids = [m["id"] for m in json.loads(result.stdout)["data"]]
    assert ids == ["bert-base-uncased", "mistral-7b-v0.1", "mixtral-8x7b-v0.1"]
    result = run("list", "--license", "llama-1-research", "--format", "csv")
    assert result.stdout.splitlines()[1:] == [
        line for line in result.stdout.splitlines()[1:] if line.split(",")[0] in {"llama-13b", "llama-7b",
                                                                                    "vicuna-13b-v1.1"}]
    assert len(result.stdout.splitlines()) == 4
    result = run("list", "--family", "mixtral", "--format", "markdown")
    assert "| mixtral-8x7b-v0.1 | 46.7B (12.9B active) | 32k | apache-2.0 | yes |" in result.stdout


def test_list_unknown_license(fixture_catalog):
    result = run("list", "--license", "apache")
    assert result.exit_code == 2
    assert "did you mean apache-2.0?" in result.stderr


def test_licenses_shows_users(fixture_catalog):
    result = run("licenses", "llama-1-research", "--format", "json")
    [entry] = json.loads(result.stdout)["data"]
    assert entry["commercial"] == "no"
    assert entry["models"] == ["llama-13b", "llama-7b"]
    table = run("licenses")
    assert table.exit_code == 0 and "apache-2.0" in table.stdout


def test_schema_validates_a_real_card(fixture_catalog):
    result = run("schema")
    schema = json.loads(result.stdout)
    card = json.loads(json.dumps(yaml.safe_load((FIXTURE_CATALOG / "models" / "mixtral-8x7b-v0.1.yaml")
                                                .read_text()), default=str))
    jsonschema.validate(card, schema)
    card["unknown_key"] = 1
    try:
        jsonschema.validate(card, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("the schema accepted an unknown key")


def schema_of(kind: str) -> dict:
    result = run("schema", kind)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def accepts(schema: dict, document) -> bool:
    try:
        jsonschema.validate(json.loads(json.dumps(document, default=str)), schema)
    except jsonschema.ValidationError:
        return False
    return True


def test_schemas_accept_the_built_in_files_and_reject_unknown_keys():
    root = Path(__file__).resolve().parent.parent
    for kind, filename in (("license", "licenses.yaml"), ("benchmark", "benchmarks.yaml"), ("gpu", "gpus.yaml")):
        schema = schema_of(kind)
        entries = yaml.safe_load((root / "catalog" / filename).read_text(encoding="utf-8"))
        assert entries and accepts(schema, entries), kind
        assert not accepts(schema, [*entries, {**entries[0], "unknown_key": 1}])


def test_manifest_and_policy_schemas_match_what_audit_accepts():
    from llmpick.audit.policy import STARTER

    manifest, policy = schema_of("manifest"), schema_of("policy")
    starter = yaml.safe_load(STARTER)
    exception = {"model": "llama-7b", "reason": "legacy eval", "approver": "legal", "expires": "2027-01-31"}
    starter["policy"]["exceptions"] = [exception]
    assert accepts(manifest, starter) and accepts(policy, starter["policy"])
    assert not accepts(manifest, {**starter, "polcy": {}})
    assert not accepts(policy, {**starter["policy"], "require": "sometimes"})
    assert not accepts(policy, {"exceptions": [{**exception, "approver": ""}]})


def test_schema_written_to_a_file_and_unknown_kind_is_a_usage_error(tmp_path):
    target = tmp_path / "llmpick.schema.json"
    result = run("schema", "manifest", "--output", target)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text())["title"] == "ManifestFile"
    result = run("schema", "polcy")
    assert result.exit_code == 2 and "'polcy'" in result.stderr and "Traceback" not in result.output


def test_python_dash_m_runs():
    result = subprocess.run([sys.executable, "-m", "llmpick", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip() == f"llmpick {__version__}"


def test_catalog_env_path_list(monkeypatch, tmp_path):
    other = tmp_path / "more"
    write_card(other, id="extra-1", hf_repos=[])
    import os

    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    monkeypatch.setenv("LLMPICK_CATALOG", os.pathsep.join([str(FIXTURE_CATALOG), str(other)]))
    result = run("show", "extra-1", "-f", "json")
    assert result.exit_code == 0, result.output
