"""Hostile inputs that took minutes (or never finished) are handled in seconds: a guard against quadratic or
exponential work coming back. Each input is one benchmarks/hostile.py makes, at a size that took over 10 s
before the fix (measured: see CHANGELOG); the full-size timings are the benchmark's job, not the suite's."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

from tests.conftest import run

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 5.0  # generous: each case ran 10 s to hours before, and well under 1 s now on an idle machine


def _hostile():
    spec = importlib.util.spec_from_file_location("hostile", ROOT / "benchmarks" / "hostile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hostile = _hostile()


def timed(*args: str):
    start = time.perf_counter()
    result = run(*args)
    elapsed = time.perf_counter() - start
    assert "Traceback" not in result.output and not isinstance(result.exception, (RecursionError, MemoryError))
    return result, elapsed


@pytest.fixture
def scanned(tmp_path, fixture_catalog):
    """A directory for a generated input, audited against the small fixture catalog."""
    return tmp_path / "input"


def test_a_billion_laughs_in_scanned_yaml_is_read_once(scanned):
    scanned.mkdir()
    cmd = hostile.scan_alias_bomb(scanned, 1200)  # 17 levels: 9**17 values expanded; 9 levels took 45 s
    (scanned / "ci.yaml").write_text("base: &base {model: org/aliased-model}\njobs: [*base, *base, *base]\n")
    result, elapsed = timed(*cmd, "--format", "json")
    assert result.exit_code == 0, result.output
    assert elapsed < SECONDS
    assert '"org/aliased-model"' in result.stdout and "ci.yaml" in result.stdout and '"line": 1,' in result.stdout


def test_a_long_line_is_scanned_in_linear_time(scanned):
    scanned.mkdir()
    cmd = hostile.scan_long_line(scanned, 40_000)  # a 20,000-character line took 12.6 s, 100,000 over a minute
    (scanned / "one-line.json").write_text('{"a": "' + "x:" * 20_000 + '", "model": "org/long-line-model"}')
    result, elapsed = timed(*cmd, "--format", "json")
    assert result.exit_code == 0, result.output
    assert elapsed < SECONDS and '"org/long-line-model"' in result.stdout


def test_many_references_in_one_file_are_located_in_linear_time(tmp_path):
    from llmpick.audit import gather

    (tmp_path / "run.sh").write_text("ollama pull llama2:7b\n" * 60_000)  # counting lines per reference: 14.6 s
    start = time.perf_counter()
    references = gather([tmp_path]).references
    assert time.perf_counter() - start < SECONDS
    assert len(references) == 60_000 and references[-1].line == 60_000


def test_a_toml_manifest_with_ten_thousand_models_is_located_in_linear_time(tmp_path, fixture_catalog):
    cmd = hostile.manifest_toml(tmp_path, 200_000)  # 10,000 entries took 68 s
    result, elapsed = timed(*cmd, "--format", "json")
    assert result.exit_code == 0, result.output
    assert elapsed < SECONDS and '"line": 2,' in result.stdout  # at the models = [ line, as before


def test_a_card_with_forty_thousand_aliases_validates_in_linear_time(tmp_path):
    cmd = hostile.card_many_aliases(tmp_path, 900_000)  # the duplicate check was quadratic: over 10 s
    result, elapsed = timed(*cmd)
    assert result.exit_code == 0, result.output
    assert elapsed < SECONDS


def test_an_alias_bomb_in_a_card_is_an_error_of_bounded_size(tmp_path):
    cmd = hostile.card_alias_bomb(tmp_path, 800)  # the messages echoed each value: 30 MB at 7 levels
    result, elapsed = timed(*cmd)
    assert result.exit_code == 1, result.output
    assert elapsed < SECONDS and len(result.output) < 20_000
    assert "mistral-7b-v0.1.yaml:" in result.output and "modalities.0: [[" in result.output
