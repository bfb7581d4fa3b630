"""Flags and environment variables: each means what it says, or is one clear error."""

from __future__ import annotations

import json

import pytest

from tests.audit_helpers import shared_cache, warm_cache
from tests.conftest import run

__all__ = ["shared_cache", "warm_cache"]  # fixtures: the built-in catalog is built once for this file


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "False"])
def test_no_builtin_false_keeps_the_builtin_catalog(monkeypatch, value):
    monkeypatch.setenv("LLMPICK_NO_BUILTIN", value)
    result = run("show", "mistral-7b-v0.1")
    assert result.exit_code == 0, result.output


def test_an_empty_catalog_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    result = run("list", "--catalog", tmp_path)
    assert result.exit_code == 2, result.output
    assert f"llmpick: error: the catalog has no cards (read {tmp_path.resolve()})" in result.stderr


def test_vram_nan_says_nan():
    result = run("recommend", "--vram", "nan")
    assert result.exit_code == 2, result.output
    assert "llmpick: error: --vram must be a number of GB, not NaN" in result.stderr


def test_headroom_that_leaves_no_memory_is_rejected():
    result = run("recommend", "--vram", "12", "--headroom", "12")
    assert result.exit_code == 2, result.output
    assert "llmpick: error: --headroom 12 GiB leaves nothing of the 12 GiB available" in result.stderr
    result = run("recommend", "--vram", "12", "--headroom", "nan")
    assert result.exit_code == 2 and "--headroom must be a finite number of GB, not NaN" in result.stderr


@pytest.mark.parametrize("tag", ["zh-CN", "zh_Hans", "ZH-hant-TW"])
def test_bcp47_language_tags_are_read_as_their_language(tag):
    plain = run("recommend", "--vram", "12", "--lang", "zh", "--format", "json")
    tagged = run("recommend", "--vram", "12", "--lang", tag, "--format", "json")
    assert tagged.exit_code == 0, tagged.output
    assert tagged.stdout == plain.stdout


def test_long_values_are_not_echoed_in_full():
    result = run("recommend", "--vram", "12", "--lang", "x" * 5000)
    assert result.exit_code == 2
    assert "'" + "x" * 60 + "'... (5,000 characters)" in result.stderr and "x" * 61 not in result.stderr
    result = run("show", "q" * 3000)
    assert result.exit_code == 2
    assert "unknown model '" + "q" * 60 + "'... (3,000 characters)" in result.stderr


@pytest.mark.parametrize("reference", [
    "https://huggingface.co/mistralai/Mistral-7B-v0.1",
    "https://huggingface.co/mistralai/Mistral-7B-v0.1@main",
    "mistralai/Mistral-7B-v0.1",
])
def test_show_and_fit_accept_a_hub_url_or_repo_id(fixture_catalog, reference):
    shown = run("show", reference, "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert '"id": "mistral-7b-v0.1"' in shown.stdout
    fitted = run("fit", reference, "--vram", "24", "--format", "json")
    assert fitted.exit_code == 0, fitted.output
    assert "mistral-7b-v0.1" in fitted.stdout


@pytest.mark.parametrize("args", [
    ("recommend", "--gpus", "2"),
    ("export", "--gpus", "2"),
    ("fit", "mistral-7b-v0.1", "--gpus", "2"),
    ("recommend", "--cpu-only", "--ram", "32", "--gpus", "4"),
])
def test_gpus_without_a_gpu_size_is_an_error(args):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert f"llmpick: error: --gpus {args[-1]} needs the size of each GPU" in result.stderr
    assert 'hint: add --vram (memory per GPU) or --gpu, e.g. --gpu "RTX 4090"' in result.stderr


def test_gpus_with_a_size_still_counts_them():
    result = run("recommend", "--vram", "24", "--gpus", "2", "--format", "json", "--top", "1")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["data"]["hardware"]["budget_gib"] == 48


@pytest.mark.parametrize("args, message", [
    (("recommend", "--gpu", ""), "--gpu is empty"),
    (("recommend", "--gpu", "  "), "--gpu is empty"),
    (("recommend", "--vram", "12", "--lang", ""), "--lang '' names nothing"),
    (("recommend", "--vram", "12", "--quant", ",,,"), "--quant ',,,' names nothing"),
    (("recommend", "--vram", "12", "--task", ", "), "--task ', ' names nothing"),
    (("recommend", "--vram", "12", "--context", ""), "--context is empty"),
    (("recommend", "--vram", "12", "--why-not", ""), "--why-not is empty"),
    (("export", "--sort", ""), "--sort is empty"),
    (("export", "--family", ""), "--family '' names nothing"),
    (("fit", "mistral-7b-v0.1", "--quant", " , "), "--quant ' , ' names nothing"),
    (("fit", "mistral-7b-v0.1", "--gpu", ""), "--gpu is empty"),
    (("fit", "mistral-7b-v0.1", "--finetune", ""), "--finetune is empty"),
    (("compare", "mistral-7b-v0.1", "llama-2-7b", "--context", ""), "--context is empty"),
])
def test_a_flag_given_empty_is_an_error_not_left_out(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert f"llmpick: error: {message}" in result.stderr


@pytest.mark.parametrize("args, flags", [
    (("recommend", "--vram", "12", "--explain"), "--explain adds"),
    (("recommend", "--vram", "12", "--explain", "--all"), "--explain and --all add"),
    (("fit", "mistral-7b-v0.1", "--explain"), "--explain adds"),
])
def test_explain_with_csv_is_an_error(args, flags):
    result = run(*args, "--format", "csv")
    assert result.exit_code == 2, result.output
    assert f"llmpick: error: {flags} lines under the table, which csv has no place for" in result.stderr
    assert run(*args, "--format", "json").exit_code == 0


@pytest.mark.parametrize("given", [("--vram", "12"), ("--gpu", "RTX 4090")])
def test_auto_with_a_hardware_flag_is_an_error(given):
    result = run("recommend", "--auto", *given)
    assert result.exit_code == 2, result.output
    assert "llmpick: error: --auto detects the hardware, but --vram or --gpu says what it is" in result.stderr


def test_context_sweep_includes_the_context_asked_for():
    result = run("fit", "mistral-7b-v0.1", "--context", "6000", "--context-sweep", "--quant", "q4_k_m",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    assert [row["context"] for row in json.loads(result.stdout)["data"]["rows"]] == [2048, 6000, 8192]  # max 8k


def test_repeated_export_columns_warn_and_show_once():
    result = run("export", "--columns", "id,params,id,params,license", "--format", "csv", "--family", "mistral")
    assert result.exit_code == 0, result.output
    assert "llmpick: warning: --columns lists id, params more than once; each is shown once" in result.stderr
    assert result.stdout.splitlines()[0] == "Model,Parameters,License"


@pytest.mark.parametrize("headroom, message", [
    ("nan", "--headroom must be a finite number of GB, not NaN"),
    ("12", "--headroom 12 GiB leaves nothing of the 12 GiB available"),
    ("-1", "--headroom must be 0 or more GB, not -1"),
])
def test_fit_checks_headroom_as_recommend_does(headroom, message):
    result = run("fit", "mistral-7b-v0.1", "--vram", "12", "--headroom", headroom)
    assert result.exit_code == 2, result.output
    assert f"llmpick: error: {message}" in result.stderr


@pytest.mark.parametrize("args", [
    ("recommend", "--vram", "12", "--context", "{}"),
    ("recommend", "--vram", "{}"),
    ("recommend", "--vram", "12", "--kv-type", "{}"),
    ("recommend", "--vram", "12", "--prefer", "{}"),
    ("recommend", "--gpu", "2x {}"),
    ("fit", "mistral-7b-v0.1", "--quant", "{}"),
    ("fit", "mistral-7b-v0.1", "--finetune", "{}"),
])
def test_no_flag_echoes_a_long_value_in_full(args):
    long = "z" * 3000
    result = run(*(a.format(long) for a in args))
    assert result.exit_code == 2, result.output
    assert "'" + "z" * 60 + "'... (" in result.stderr and "z" * 61 not in result.stderr


@pytest.mark.parametrize("reference", ["facebook/opt-175b", "https://huggingface.co/facebook/opt-175b",
                                       "Facebook/OPT-175B"])
def test_a_hub_id_listed_as_an_alias_resolves(reference):
    shown = run("show", reference, "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["data"]["id"] == "opt-175b"
    assert run("fit", reference, "--vram", "24").exit_code == 0


def test_compare_and_quality_resolve_references_as_show_does():
    result = run("compare", "facebook/opt-175b", "TheBloke/Llama-2-7B-GGUF", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Field,opt-175b,llama-2-7b"
    assert run("quality", "https://huggingface.co/mistralai/Mistral-7B-v0.1").exit_code == 0
