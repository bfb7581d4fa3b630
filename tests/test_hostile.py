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
SECONDS = 10.0  # for the exponential cases (alias bombs): they ran 45 s to hours before the fix, about 1 s now
# For the cases that were quadratic: the input at full size may take at most GROWTH times as long as at a quarter of
# it, plus SLACK seconds (start-up, noise). Linear work grows 4x, quadratic 16x; a ratio, unlike a time budget,
# holds on a slow or busy machine (a 5 s budget failed at 6.6 s on a loaded 2-core machine).
GROWTH, SLACK = 6.0, 1.0


def assert_linear(timed_in, base: Path, size: int) -> None:
    """`timed_in(directory, n)` runs the case on an input of size n made in a new `directory`, and returns its
    seconds."""

    def timed_at(n: int) -> float:
        directory = base / str(n)
        directory.mkdir(parents=True)
        return timed_in(directory, n)

    small = timed_at(size // 4)
    large = timed_at(size)
    assert large < GROWTH * small + SLACK, f"{small:.2f} s at {size // 4:,}, {large:.2f} s at {size:,}: not linear"


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
    def timed_in(directory: Path, size: int) -> float:
        cmd = hostile.scan_long_line(directory, size)  # a 20,000-character line took 12.6 s, 100,000 over a minute
        (directory / "one-line.json").write_text('{"a": "' + "x:" * (size // 2) + '", "model": "org/long-line-model"}')
        result, elapsed = timed(*cmd, "--format", "json")
        assert result.exit_code == 0, result.output
        assert '"org/long-line-model"' in result.stdout
        return elapsed

    assert_linear(timed_in, scanned, 40_000)


def test_many_references_in_one_file_are_located_in_linear_time(tmp_path):
    from llmpick.audit import gather

    def timed_in(directory: Path, size: int) -> float:
        (directory / "run.sh").write_text("ollama pull llama2:7b\n" * size)  # counting lines per reference: 14.6 s
        start = time.perf_counter()
        references = gather([directory]).references
        elapsed = time.perf_counter() - start
        assert len(references) == size and references[-1].line == size
        return elapsed

    assert_linear(timed_in, tmp_path, 60_000)


def test_a_toml_manifest_with_ten_thousand_models_is_located_in_linear_time(tmp_path, fixture_catalog):
    def timed_in(directory: Path, size: int) -> float:
        cmd = hostile.manifest_toml(directory, size)  # 10,000 entries took 68 s
        result, elapsed = timed(*cmd, "--format", "json")
        assert result.exit_code == 0, result.output
        assert '"line": 2,' in result.stdout  # at the models = [ line, as before
        return elapsed

    assert_linear(timed_in, tmp_path, 200_000)


def test_a_card_with_forty_thousand_aliases_validates_in_linear_time(tmp_path):
    def timed_in(directory: Path, size: int) -> float:
        cmd = hostile.card_many_aliases(directory, size)  # the duplicate check was quadratic: over 10 s
        result, elapsed = timed(*cmd)
        assert result.exit_code == 0, result.output
        return elapsed

    assert_linear(timed_in, tmp_path, 900_000)


def test_an_alias_bomb_in_a_card_is_an_error_of_bounded_size(tmp_path):
    cmd = hostile.card_alias_bomb(tmp_path, 800)  # the messages echoed each value: 30 MB at 7 levels
    result, elapsed = timed(*cmd)
    assert result.exit_code == 1, result.output
    assert elapsed < SECONDS and len(result.output) < 20_000
    assert "mistral-7b-v0.1.yaml:" in result.output and "modalities.0: [[" in result.output
