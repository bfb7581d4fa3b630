"""Range checks: numbers that are finite and plausible, dates that exist and agree, names that hide nothing."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURE_CATALOG, run, write_card


def validate(tmp_path):
    return run("validate", str(tmp_path), "--catalog", str(FIXTURE_CATALOG))


def card_line(path, key: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if line.lstrip().startswith(key))


@pytest.mark.parametrize(("field", "value", "message"), [
    ("params_b", float("inf"), "architecture.params_b: expected a finite number"),
    ("params_b", 1e12, "architecture.params_b: must be at most 100000"),
    ("hidden_size", 10**400, "architecture.hidden_size: must be at most 2147483647"),
    ("sliding_window", 10**12, "architecture.sliding_window: must be at most 100000000"),
])
def test_absurd_architecture_numbers_are_located(tmp_path, monkeypatch, field, value, message):
    from tests.conftest import card_data

    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    architecture = card_data()["architecture"] | {field: value}
    path = write_card(tmp_path / "cards", id="x-absurd", hf_repos=[], architecture=architecture)
    result = validate(tmp_path / "cards")
    assert result.exit_code == 1, result.output
    assert f"{path}:{card_line(path, field + ':')}: {message}" in result.stderr
    assert "Traceback" not in result.output


def test_absurd_context_and_a_window_wider_than_the_context(tmp_path, monkeypatch):
    from tests.conftest import card_data

    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    huge = write_card(tmp_path / "a", id="x-huge", hf_repos=[], context_length=10**10)
    result = validate(tmp_path / "a")
    assert f"{huge}:{card_line(huge, 'context_length:')}: context_length: must be at most 100000000" in result.stderr
    architecture = card_data()["architecture"] | {"sliding_window": 65536}
    wide = write_card(tmp_path / "b", id="x-wide", hf_repos=[], context_length=8192, architecture=architecture)
    result = validate(tmp_path / "b")
    assert result.exit_code == 1
    assert (f"{wide}:{card_line(wide, 'context_length:')}: context_length: is 8192, smaller than "
            "architecture.sliding_window (65536)") in result.stderr


def test_date_that_does_not_exist_is_located_in_a_card(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    path = write_card(tmp_path, id="x-date", hf_repos=[])
    path.write_text(path.read_text().replace("released: '2023-09-27'", "released: 2025-02-30")
                    .replace("released: 2023-09-27", "released: 2025-02-30"))
    assert "2025-02-30" in path.read_text()
    result = validate(tmp_path)
    assert result.exit_code == 1, result.output
    assert (f"{path}:{card_line(path, 'released:')}: '2025-02-30' is not a date that exists "
            "(February 2025 has 28 days)") in result.stderr
    assert "Traceback" not in result.output


def test_date_that_does_not_exist_in_a_profile_and_a_manifest(tmp_path):
    profile = tmp_path / "profile.yaml"
    profile.write_text("commercial: true\nreleased_after: 2024-13-01\n")
    result = run("recommend", "--profile", profile, "--vram", "12")
    assert result.exit_code == 2, result.output
    assert f"{profile}:2: '2024-13-01' is not a date that exists (there is no month 13)" in result.stderr
    manifest = tmp_path / "llmpick.yaml"
    manifest.write_text("models:\n  - id: mistral-7b-v0.1\n    reviewed: 2023-02-29\n")
    result = run("audit", "--manifest", manifest)
    assert result.exit_code == 2, result.output
    assert f"{manifest}:3: '2023-02-29' is not a date that exists (February 2023 has 28 days)" in result.stderr
    assert "Traceback" not in result.output


def test_verified_before_released_is_an_error(tmp_path, monkeypatch):
    import datetime as dt

    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    path = write_card(tmp_path, id="x-early", hf_repos=[], released=dt.date(2024, 5, 1), verified=dt.date(2024, 4, 1))
    result = validate(tmp_path)
    assert result.exit_code == 1, result.output
    assert (f"{path}:{card_line(path, 'verified:')}: verified: 2024-04-01 is before released (2024-05-01); a card is "
            "verified against a released model") in result.stderr


@pytest.mark.parametrize(("field", "value", "code"), [
    ("name", "Evil\x1b[31m Model", "U+001B"),
    ("name", "Model \u202egnp.exe", "U+202E"),
    ("publisher", "Acme\u2066 Labs", "U+2066"),
    ("notes", "fine line\nthen a bell \x07", "U+0007"),
])
def test_control_and_bidi_characters_in_names_are_rejected(tmp_path, monkeypatch, field, value, code):
    import yaml

    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    path = write_card(tmp_path, id="x-hidden", hf_repos=[])
    data = yaml.safe_load(path.read_text()) | {field: value}  # write_card's own `name` is the file's
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    result = validate(tmp_path)
    assert result.exit_code == 1, result.output
    assert f"{path}:{card_line(path, field + ':')}: {field}: contains a " in result.stderr
    assert f"character ({code})" in result.stderr


def test_multiline_notes_are_still_fine(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    write_card(tmp_path, id="x-notes", hf_repos=[], notes="first line\n\tsecond line\n")
    result = validate(tmp_path)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("weights", [
    "{quality: 0, uncertainty: 0, quantization: 0, speed: 0, task: 0, language: 0, license: 0, recency: 0}",
    "{quality: .inf}",
    "{speed: .nan}",
])
def test_profile_weights_all_zero_or_not_finite_are_rejected(tmp_path, weights):
    profile = tmp_path / "profile.yaml"
    profile.write_text(f"weights: {weights}\n")
    result = run("recommend", "--profile", profile, "--vram", "12")
    assert result.exit_code == 2, result.output
    assert f"{profile}:1: weights" in result.stderr
    assert "Traceback" not in result.output
