"""The GPU table, --gpu parsing, and detection fed with recorded tool output."""

from __future__ import annotations

import subprocess

import pytest

from llmpick.advice.detect import detect, parse_nvidia_smi
from llmpick.advice.hardware import find_gpu, hardware_for_gpu, load_gpus
from llmpick.catalog.loading import builtin_catalog_dir
from llmpick.core.errors import NotFoundError
from tests.conftest import run

TABLE = load_gpus([builtin_catalog_dir() / "gpus.yaml"])


@pytest.mark.parametrize("name", ["RTX 4090", "rtx-4090", "NVIDIA GeForce RTX 4090", "4090", "geforce rtx 4090"])
def test_forgiving_gpu_names(name):
    assert find_gpu(TABLE, name).memory_gb == 24


def test_multi_gpu_spec():
    hw = hardware_for_gpu(TABLE, "2x RTX 3090")
    assert hw.gpus == 2 and hw.budget_gb == 48


def test_apple_unified_memory_is_partly_usable():
    apple = [g for g in TABLE.values() if g.kind == "unified"]
    assert apple and all(g.usable_gb < g.memory_gb for g in apple)


def test_unknown_gpu_suggests():
    with pytest.raises(NotFoundError) as info:
        find_gpu(TABLE, "RTX 4900")
    assert info.value.suggestions


def test_every_gpu_has_a_source_and_bandwidth():
    assert len(TABLE) >= 40
    assert all(g.source.startswith("http") and g.bandwidth_gbs > 0 for g in TABLE.values())


NVIDIA_SMI = "NVIDIA GeForce RTX 3060, 12288, 11950\nNVIDIA GeForce RTX 3060, 12288, 12001\n"


def test_nvidia_smi_output_is_parsed():
    gpus = parse_nvidia_smi(NVIDIA_SMI)
    assert [g.total_gb for g in gpus] == [12.0, 12.0]


def fake_runner(outputs):
    def runner(cmd):
        result = outputs[cmd[0]]
        if isinstance(result, Exception):
            raise result
        return result
    return runner


def test_detect_with_recorded_nvidia_smi():
    found = detect(fake_runner({"nvidia-smi": NVIDIA_SMI}), platform="linux", use_nvml=False)
    assert len(found.gpus) == 2 and found.gpus[0].via == "nvidia-smi"


@pytest.mark.parametrize(
    ("failure", "note"),
    [
        (FileNotFoundError("nvidia-smi"), "nvidia-smi is not installed"),
        (subprocess.CalledProcessError(9, "nvidia-smi"), "nvidia-smi failed (exit 9)"),
        ("garbage without commas\n", "could not read nvidia-smi output"),
        (subprocess.TimeoutExpired("nvidia-smi", 10), "did not answer"),
    ],
)
def test_detect_reports_broken_nvidia_smi_plainly(failure, note):
    found = detect(fake_runner({"nvidia-smi": failure}), platform="linux", use_nvml=False)
    assert found.gpus == ()
    assert any(note in n for n in found.notes)


def test_detect_apple_silicon():
    def sysctl(cmd):
        return "Apple M2 Max\n" if "machdep.cpu.brand_string" in cmd else str(64 * 2**30)

    found = detect(sysctl, platform="darwin", use_nvml=False)
    assert found.gpus[0].total_gb == 48.0 and found.ram_gb == 64.0


def test_hardware_command_runs_without_gpu():
    result = run("hardware", "--format", "json")
    assert result.exit_code == 0, result.output
