"""Detection with fakes of nvidia-ml-py, psutil, nvidia-smi and sysctl: real free memory, Apple's wired limit, and
nonsense from drivers dropped with a note, never used."""

from __future__ import annotations

import json
import math
import sys
from types import SimpleNamespace

import pytest

from llmpick.advice.detect import detect, hardware_from_detection, system_ram
from llmpick.advice.hardware import load_gpus
from llmpick.catalog.loading import builtin_catalog_dir
from tests.conftest import run

GIB = 2**30
TABLE = load_gpus([builtin_catalog_dir() / "gpus.yaml"])


def fake_nvml(*gpus, count=None):
    """A stand-in for the pynvml module of nvidia-ml-py: (name, total bytes, free bytes) per GPU."""
    return SimpleNamespace(
        nvmlInit=lambda: None, nvmlShutdown=lambda: None,
        nvmlDeviceGetCount=lambda: len(gpus) if count is None else count,
        nvmlDeviceGetHandleByIndex=lambda i: i,
        nvmlDeviceGetName=lambda i: gpus[i][0],
        nvmlDeviceGetMemoryInfo=lambda i: SimpleNamespace(total=gpus[i][1], free=gpus[i][2]))


def fake_psutil(total=64 * GIB, available=40 * GIB):
    return SimpleNamespace(virtual_memory=lambda: SimpleNamespace(total=total, available=available))


def no_tools(cmd):
    raise FileNotFoundError(cmd[0])


def test_nvml_free_memory_next_to_total():
    found = detect(no_tools, "linux", pynvml=fake_nvml(("NVIDIA GeForce RTX 4090", 24 * GIB, 20 * GIB)),
                   psutil=fake_psutil())
    assert [(g.total_gib, g.free_gib, g.via) for g in found.gpus] == [(24.0, 20.0, "NVML")]
    assert (found.ram_gib, found.ram_free_gib) == (64.0, 40.0)
    hw = hardware_from_detection(found, TABLE)
    assert hw.budget_gib == 20.0 and hw.bandwidth_gbs == 1008  # free memory, and the table's bandwidth


def test_mixed_detected_gpus_split_by_free_memory():
    found = detect(no_tools, "linux", pynvml=fake_nvml(("NVIDIA GeForce RTX 3090", 24 * GIB, 22 * GIB),
                                                       ("NVIDIA GeForce RTX 3060", 12 * GIB, 11 * GIB)),
                   psutil=fake_psutil())
    hw = hardware_from_detection(found, TABLE)
    assert hw.budget_gib == 33.0 and hw.gpus == 2 and "tensor split by memory (67:33%)" in hw.describe()


@pytest.mark.parametrize(("gpu", "note"), [
    (("Broken", -5 * GIB, 0), "NVML reported -5 GiB for Broken, which cannot be right; ignored"),
    (("Broken", math.nan, 0), "NVML reported nan GiB for Broken, which cannot be right; ignored"),
    (("Broken", 2**60, 0), "NVML reported 1.07374e+09 GiB for Broken, which cannot be right; ignored"),
])
def test_impossible_totals_are_dropped_with_a_note(gpu, note):
    found = detect(no_tools, "linux", pynvml=fake_nvml(gpu), psutil=fake_psutil())
    assert note in found.notes
    assert found.gpus == () and hardware_from_detection(found).cpu_only


@pytest.mark.parametrize("free", [-GIB, 30 * GIB, math.nan])
def test_impossible_free_memory_is_unknown_not_used(free):
    found = detect(no_tools, "linux", pynvml=fake_nvml(("RTX 4090", 24 * GIB, free)), psutil=fake_psutil())
    assert found.gpus[0].free_gib is None
    assert any("which cannot be right; free memory unknown" in n for n in found.notes)
    assert hardware_from_detection(found).budget_gib == 24.0  # the total, never the nonsense


def test_five_hundred_gpus_are_rejected():
    found = detect(no_tools, "linux", pynvml=fake_nvml(count=500), psutil=fake_psutil())
    assert "NVML reported 500 GPUs, more than any machine holds (64); ignored" in found.notes
    smi = "\n".join(["NVIDIA GeForce RTX 3060, 12288, 12000"] * 500)
    found = detect(lambda cmd: smi, "linux", use_nvml=False, psutil=fake_psutil())
    assert found.gpus == () and "nvidia-smi reported 500 GPUs, more than any machine holds (64); ignored" in found.notes


def test_impossible_ram_is_ignored():
    found = detect(no_tools, "linux", use_nvml=False, psutil=fake_psutil(total=-1, available=5))
    assert found.ram_gib is None and any("GiB of RAM, which cannot be right" in n for n in found.notes)


def test_proc_meminfo_without_psutil():
    assert system_ram(meminfo="MemTotal:       32768000 kB\nMemAvailable:   16384000 kB\n") == (31.25, 15.625)


def apple(limit_mb: str, memsize: int = 64 * GIB):
    def sysctl(cmd):
        return {"machdep.cpu.brand_string": "Apple M2 Max\n", "hw.memsize": f"{memsize}\n",
                "iogpu.wired_limit_mb": limit_mb}[cmd[-1]]
    return sysctl


@pytest.mark.parametrize(("limit", "usable", "via"), [
    ("0", 48.0, "sysctl (macOS default GPU share, 75% of 64 GiB)"),
    ("57344", 56.0, "sysctl (iogpu.wired_limit_mb)"),
    ("999999999", 48.0, "sysctl (macOS default GPU share, 75% of 64 GiB)"),
])
def test_apple_wired_limit(limit, usable, via):
    found = detect(apple(limit), "darwin", use_nvml=False, psutil=fake_psutil())
    gpu = found.gpus[0]
    assert (gpu.name, gpu.total_gib, gpu.via) == ("Apple M2 Max (64 GiB unified memory)", usable, via)
    assert found.ram_gib == 64.0
    if limit == "999999999":
        assert any("iogpu.wired_limit_mb says 976562 GiB of 64 GiB, which cannot be right" in n for n in found.notes)
    hw = hardware_from_detection(found, TABLE)
    assert hw.unified and hw.budget_gib == usable and hw.bandwidth_gbs == 400  # Apple M2 Max (64GB) in the table


def test_hardware_command_shows_free_memory(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml(("NVIDIA GeForce RTX 4090", 24 * GIB, 20 * GIB)))
    monkeypatch.setitem(sys.modules, "psutil", fake_psutil())
    result = run("hardware", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    assert data["gpus"] == [{"name": "NVIDIA GeForce RTX 4090", "total_gib": 24.0, "free_gib": 20.0, "via": "NVML"}]
    assert (data["ram_gib"], data["ram_free_gib"], data["unit"]) == (64.0, 40.0, "GiB")


def test_recommend_auto_uses_free_memory(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml(("NVIDIA GeForce RTX 4090", 24 * GIB, 6 * GIB)))
    monkeypatch.setitem(sys.modules, "psutil", fake_psutil())
    result = run("recommend", "--auto", "--format", "json")
    assert result.exit_code == 0, result.output
    hardware = json.loads(result.stdout)["data"]["hardware"]
    assert hardware["budget_gib"] == 6.0 and hardware["bandwidth_gbs"] == 1008
    assert hardware["description"] == "NVIDIA GeForce RTX 4090 (6 GiB free of 24)"
