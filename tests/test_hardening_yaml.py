"""Every YAML file llmpick reads refuses duplicate keys and reads scalars as YAML 1.2 does (issue 19, item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmpick.advice.profiles import requirements_from
from llmpick.audit.policy import load_policy
from llmpick.catalog.loading import load_catalog
from llmpick.core.errors import UsageError
from tests.conftest import FIXTURE_CATALOG, run

CARD = (FIXTURE_CATALOG / "models" / "mistral-7b-v0.1.yaml").read_text()
LICENSE = ("- id: my-license\n  name: My license\n  url: https://example.com/license\n  commercial: 'no'\n"
           "  conditions: [non-commercial]\n  summary: Mine.\n")
GPU = ("- id: my-gpu\n  name: My GPU\n  vendor: nvidia\n  kind: discrete\n  memory_gib: 24\n  bandwidth_gbs: 900\n"
       "  source: https://example.com\n")


def line_of(text: str, start: str, nth: int = 1) -> int:
    lines = [number for number, line in enumerate(text.splitlines(), 1)
             if line.lstrip().removeprefix("- ").startswith(start)]
    return lines[nth - 1]


def _card(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "cards" / "mistral-7b-v0.1.yaml"
    path.parent.mkdir()
    path.write_text(CARD + "license: mit\n")  # a trailing licence that would silently replace the card's own
    return path, ["validate", path.parent]


def _licenses(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "cards" / "licenses.yaml"
    path.parent.mkdir()
    path.write_text(LICENSE + "  commercial: 'yes'\n")
    return path, ["validate", path.parent]


def _benchmarks(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "cards" / "benchmarks.yaml"
    path.parent.mkdir()
    text = (FIXTURE_CATALOG / "benchmarks.yaml").read_text()
    path.write_text(text.replace("- id: mmlu\n", "- id: mmlu\n  id: twice\n"))
    return path, ["validate", path.parent]


def _gpus(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "cards" / "gpus.yaml"
    path.parent.mkdir()
    path.write_text(GPU + "  memory_gib: 240\n")
    return path, ["fit", "mistral-7b-v0.1", "--gpu", "My GPU", "--catalog", path.parent]


def _manifest(tmp_path: Path) -> tuple[Path, list[str]]:
    # the second policy block would turn a failing audit (a research-only model) into a pass
    path = tmp_path / "llmpick.yaml"
    path.write_text("models: [llama-7b]\npolicy:\n  require: commercial\npolicy:\n  require: any\n")
    return path, ["audit", "--manifest", path]


def _policy(tmp_path: Path) -> tuple[Path, list[str]]:
    manifest = tmp_path / "llmpick.yaml"
    manifest.write_text("models: [llama-7b]\n")
    path = tmp_path / "policy.yaml"
    path.write_text("require: commercial\ndeny_conditions: [research-only]\nrequire: any\n")
    return path, ["audit", "--manifest", manifest, "--policy", path]


def _profile(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "profile.yaml"
    path.write_text("commercial: true\nlanguages: [en]\ncommercial: false\n")
    return path, ["recommend", "--profile", path, "--vram", "12"]


@pytest.mark.parametrize(("make", "key", "code"), [
    (_card, "license", 1),
    (_licenses, "commercial", 1),
    (_benchmarks, "id", 1),
    (_gpus, "memory_gib", 1),
    (_manifest, "policy", 2),
    (_policy, "require", 2),
    (_profile, "commercial", 2),
], ids=["card", "licenses.yaml", "benchmarks.yaml", "gpus.yaml", "manifest", "policy", "profile"])
def test_a_duplicate_key_is_an_error_at_its_line(fixture_catalog, tmp_path, make, key, code):
    path, args = make(tmp_path)
    text = path.read_text()
    first, second = line_of(text, f"{key}:"), line_of(text, f"{key}:", 2)
    result = run(*args)
    assert result.exit_code == code, result.output
    assert f"{path}:{second}: {key}: duplicate key (first on line {first})" in result.stderr
    assert "Traceback" not in result.output


def test_a_duplicate_key_deep_inside_a_file_is_named_with_its_parents(tmp_path):
    path = tmp_path / "mistral-7b-v0.1.yaml"
    path.write_text(CARD.replace("  layers: 32\n", "  layers: 32\n  hidden_size: 1\n"))
    result = run("validate", tmp_path)
    assert result.exit_code == 1, result.output
    assert f"{path}:12: architecture.hidden_size: duplicate key (first on line 11)" in result.stderr
    policy = tmp_path / "policy.yaml"
    policy.write_text("exceptions:\n  - {model: a, reason: r, approver: me, expires: 2099-01-01, model: b}\n")
    result = run("audit", "--manifest", policy, "--policy", policy)
    assert result.exit_code == 2, result.output
    assert f"{policy}:2: exceptions.0.model: duplicate key (first on line 2)" in result.stderr


def test_a_merge_key_may_be_overridden(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("exceptions:\n  - &first {model: a, reason: tested, approver: me, expires: 2099-01-01}\n"
                    "  - <<: *first\n    model: b\n")
    assert [e.model for e in load_policy(path).policy.exceptions] == ["a", "b"]


def _catalog_with(tmp_path: Path, text: str, name: str = "mistral-7b-v0.1.yaml"):
    (tmp_path / name).write_text(text)
    return run("validate", tmp_path, "--catalog", FIXTURE_CATALOG)


def test_no_is_norwegian_not_false(fixture_catalog, tmp_path):
    (tmp_path / "mistral-7b-v0.1.yaml").write_text(CARD.replace("languages: [en]", "languages: [en, no, nb]"))
    catalog = load_catalog([tmp_path])
    assert catalog.cards["mistral-7b-v0.1"].languages == ["en", "no", "nb"]
    profile = tmp_path / "profile.yaml"
    profile.write_text("languages: [no]\n")
    assert requirements_from(profile, {}).languages == ["no"]


def test_a_license_may_say_commercial_no_unquoted(fixture_catalog, tmp_path):
    (tmp_path / "licenses.yaml").write_text(LICENSE.replace("commercial: 'no'", "commercial: no"))
    assert load_catalog([tmp_path]).licenses["my-license"].commercial == "no"


@pytest.mark.parametrize(("text", "message"), [
    ("context_length: 1:30", "context_length: expected a whole number"),  # YAML 1.1: 90
    ("context_length: on", "context_length: expected a whole number"),  # YAML 1.1: 1
    ("context_length: true", "context_length: expected a number, not true or false"),  # pydantic alone: 1
    ("name: no", None),  # YAML 1.1: false, then "expected text"
])
def test_yaml_11_surprises_in_a_card(fixture_catalog, tmp_path, text, message):
    key = text.split(":")[0]
    card = "\n".join(text if line.startswith(f"{key}:") else line for line in CARD.splitlines()) + "\n"
    result = _catalog_with(tmp_path, card)
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1, result.output
    assert f"{tmp_path / 'mistral-7b-v0.1.yaml'}:{line_of(card, key + ':')}: {message}" in result.stderr


def test_octal_looking_numbers_are_decimal(fixture_catalog, tmp_path):
    card = CARD.replace("context_length: 8192", "context_length: 08192")  # YAML 1.1: a string; 0o8192 is no octal
    (tmp_path / "mistral-7b-v0.1.yaml").write_text(card.replace("layers: 32", "layers: 032"))  # YAML 1.1: 26
    card = load_catalog([tmp_path]).cards["mistral-7b-v0.1"]
    assert card.context_length == 8192 and card.architecture.layers == 32


@pytest.mark.parametrize(("text", "message"), [
    ("context: 1:30\n", "context '1:30' is not a token count"),  # YAML 1.1: 90 tokens
    ("gpus: on\n", "gpus: expected a whole number"),  # YAML 1.1: 1 GPU
    ("top: true\n", "top: expected a number, not true or false"),  # pydantic alone: the top 1
    ("weights: {quality: true}\n", "weights: expected a number, not true or false"),
])
def test_yaml_11_surprises_in_a_profile(tmp_path, text, message):
    profile = tmp_path / "profile.yaml"
    profile.write_text(text)
    with pytest.raises(UsageError) as info:
        requirements_from(profile, {})
    assert message in info.value.message
    result = run("recommend", "--profile", profile, "--vram", "12")
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(("word", "value"), [("yes", True), ("no", False), ("true", True), ("false", False)])
def test_a_yes_no_field_reads_yes_and_no_as_meant(tmp_path, word, value):
    profile = tmp_path / "profile.yaml"
    profile.write_text(f"open_weights: {word}\n")
    assert requirements_from(profile, {}).open_weights is value
