"""Flags and environment variables: each means what it says, or is one clear error."""

from __future__ import annotations

import pytest

from tests.conftest import run


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
