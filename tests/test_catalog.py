"""Loading catalogs: overlays, lineage, and every kind of bad input, each located."""

from __future__ import annotations

import json

import pytest
import yaml

from llmpick import load_catalog
from llmpick.core.errors import CatalogError, UsageError
from tests.conftest import FIXTURE_CATALOG, card_data, run, write_card


def problems_of(tmp_path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    return [str(p) for p in info.value.problems]


def test_effective_license_follows_lineage():
    catalog = load_catalog([FIXTURE_CATALOG], builtin=False)
    eff = catalog.effective_license("vicuna-13b-v1.1")
    assert eff.commercial == "no"
    assert eff.license.id == "llama-1-research"
    assert eff.decided_by == "llama-13b"
    assert [step.card_id for step in eff.chain] == ["vicuna-13b-v1.1", "llama-13b"]
    assert ("trained-on-proprietary-model-outputs", "vicuna-13b-v1.1") in eff.provenance
    assert catalog.effective_license("mistral-7b-v0.1").commercial == "yes"


def test_user_catalog_replaces_card_with_same_id(tmp_path):
    path = write_card(tmp_path, name="mine", context_length=32768)
    catalog = load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    assert catalog.get("mistral-7b-v0.1").context_length == 32768
    assert catalog.origin("mistral-7b-v0.1") == path


def test_lookup_by_hf_repo_is_case_insensitive():
    catalog = load_catalog([FIXTURE_CATALOG], builtin=False)
    assert catalog.get("MistralAI/mistral-7b-v0.1").id == "mistral-7b-v0.1"


def test_yaml_syntax_error_is_located(tmp_path):
    (tmp_path / "bad.yaml").write_text("id: x\nname: [unclosed\nfamily: y\n")
    [problem] = problems_of(tmp_path)
    assert problem.startswith(f"{tmp_path / 'bad.yaml'}:")
    assert "YAML syntax" in problem


def test_unknown_key_names_line_and_suggests(tmp_path):
    path = write_card(tmp_path, id="x-1", hf_repos=[], contex_length=4096)
    [problem] = problems_of(tmp_path)
    line = path.read_text().splitlines().index("contex_length: 4096") + 1
    assert problem == f"{path}:{line}: contex_length: unknown key; did you mean 'context_length'?"


def test_wrong_type_names_the_nested_field(tmp_path):
    data = card_data(id="x-1", hf_repos=[])
    data["architecture"]["layers"] = "many"
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    [problem] = problems_of(tmp_path)
    line = path.read_text().splitlines().index("  layers: many") + 1
    assert problem.startswith(f"{path}:{line}: architecture.layers: ")


def test_bad_language_code(tmp_path):
    write_card(tmp_path, id="x-1", hf_repos=[], languages=["en", "chinese"])
    [problem] = problems_of(tmp_path)
    assert "languages.1: 'chinese' is not an ISO 639-1 language code; use 'zh'" in problem


def test_duplicate_id_in_one_catalog(tmp_path):
    write_card(tmp_path, name="a", id="dup", hf_repos=[])
    write_card(tmp_path, name="b", id="dup", hf_repos=[])
    [problem] = problems_of(tmp_path)
    assert "b.yaml:1: id: duplicate id 'dup', also in" in problem


def test_base_model_pointing_nowhere(tmp_path):
    write_card(tmp_path, id="x-1", hf_repos=[], base_model="mistral-7b-v0.2")
    [problem] = problems_of(tmp_path)
    assert "base_model: no card with id 'mistral-7b-v0.2'; did you mean 'mistral-7b-v0.1'?" in problem


def test_lineage_cycle(tmp_path):
    write_card(tmp_path, id="a-1", hf_repos=[], base_model="b-1")
    write_card(tmp_path, id="b-1", hf_repos=[], base_model="a-1")
    problems = problems_of(tmp_path)
    assert any("lineage cycle: a-1 -> b-1 -> a-1" in p for p in problems)


def test_unknown_license_id(tmp_path):
    write_card(tmp_path, id="x-1", hf_repos=[], license="apache2")
    [problem] = problems_of(tmp_path)
    assert "license: unknown license id 'apache2'; did you mean 'apache-2.0'?" in problem


def test_duplicate_hf_repo(tmp_path):
    write_card(tmp_path, id="x-1")
    [problem] = problems_of(tmp_path)
    assert "hf_repos: mistralai/Mistral-7B-v0.1 is already listed by" in problem


def test_empty_file(tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    [problem] = problems_of(tmp_path)
    assert "empty.yaml: empty file" in problem


def test_non_utf8_file(tmp_path):
    (tmp_path / "latin1.yaml").write_bytes("id: x\nname: Caf\xe9\n".encode("latin-1"))
    [problem] = problems_of(tmp_path)
    assert "latin1.yaml:2: not UTF-8" in problem


def test_python_tag_is_rejected_and_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "evil.yaml").write_text(f'!!python/object/apply:os.system ["touch {marker}"]\n')
    [problem] = problems_of(tmp_path)
    assert "evil.yaml:1: YAML syntax" in problem and "not allowed" in problem
    assert not marker.exists()


def test_huge_file_is_rejected_without_parsing(tmp_path):
    with open(tmp_path / "huge.yaml", "w") as f:
        f.write("notes: |\n")
        f.write(("  " + "x" * 1000 + "\n") * 50_000)
    [problem] = problems_of(tmp_path)
    assert "huge.yaml: file is 47.8 MB; the limit is 2 MB" in problem


@pytest.mark.parametrize("depth", [33, 5000, 100_000])
def test_deeply_nested_document_is_rejected_at_its_line(tmp_path, depth):
    # Past some depth the YAML parser gives up in words of its own (PyYAML 6.0.4 does at 1000 levels):
    # llmpick still reports its own limit, with the file and line, as one problem, exit 1, no traceback.
    (tmp_path / "deep.yaml").write_text("id: x\nnotes:\n  a: " + "[" * depth + "]" * depth + "\n")
    [problem] = problems_of(tmp_path)
    assert problem == f"{tmp_path / 'deep.yaml'}:3: nested more than 32 levels deep"
    result = run("validate", tmp_path)
    assert result.exit_code == 1, result.output
    assert "deep.yaml:3: nested more than 32 levels deep" in result.stderr and "Traceback" not in result.output


def test_deep_block_nesting_is_rejected_at_its_line(tmp_path):
    (tmp_path / "deep.yaml").write_text("a:\n" + "".join("  " * i + "- \n" for i in range(1, 40)))
    [problem] = problems_of(tmp_path)
    assert problem == f"{tmp_path / 'deep.yaml'}:33: nested more than 32 levels deep"


def test_all_problems_are_reported_at_once(tmp_path):
    write_card(tmp_path, id="x-1", hf_repos=[], license="nope")
    write_card(tmp_path, id="x-2", hf_repos=[], languages=["english"])
    (tmp_path / "empty.yaml").write_text("")
    assert len(problems_of(tmp_path)) == 3


def test_missing_catalog_directory(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        load_catalog([tmp_path / "nowhere"])


# --- the same through the CLI -------------------------------------------------------------


def test_validate_ok(fixture_catalog):
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert "ok: 6 cards and 5 licenses are valid" in result.stderr


def test_validate_reports_located_problems_and_exits_1(fixture_catalog, tmp_path):
    write_card(tmp_path, id="x-1", hf_repos=[], licence="mit")
    result = run("validate", tmp_path)
    assert result.exit_code == 1, result.output
    assert "licence: unknown key; did you mean 'license'?" in result.stderr
    assert "Traceback" not in result.output


def test_validate_json(fixture_catalog, tmp_path):
    write_card(tmp_path, id="x-1", hf_repos=[], license="nope")
    result = run("validate", tmp_path, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["problems"][0]["field"] == "license"


def test_validate_missing_path_is_a_usage_error(fixture_catalog, tmp_path):
    result = run("validate", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_bad_flag_is_a_usage_error(fixture_catalog):
    result = run("list", "--comercial")
    assert result.exit_code == 2
    assert "--comercial" in result.output


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"context_length": "long"}, "context_length: expected a whole number"),
        ({"languages": "en"}, "languages: expected a list"),
        ({"released": "last year"}, "released: expected a date (YYYY-MM-DD)"),
        ({"openness": "open"}, "openness: expected a mapping of keys to values"),
        ({"licence": "mit"}, "licence: unknown key; did you mean 'license'?"),
    ],
)
def test_wrong_types_are_reported_in_llmpicks_words(tmp_path, fields, expected):
    write_card(tmp_path, id="x-1", hf_repos=[], **fields)
    [problem] = problems_of(tmp_path)
    assert problem.endswith(expected), problem
