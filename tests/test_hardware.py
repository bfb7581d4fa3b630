"""The GPU table, --gpu parsing, and detection fed with recorded tool output."""

from __future__ import annotations

import json
import subprocess

import pytest

from llmpick.advice.detect import detect, parse_nvidia_smi
from llmpick.advice.hardware import find_gpu, hardware_for_gpu, load_gpus
from llmpick.catalog.loading import builtin_catalog_dir
from llmpick.core.errors import NotFoundError
from tests.conftest import run

TABLE = load_gpus([builtin_catalog_dir() / "gpus.yaml"])


@pytest.mark.parametrize("name", ["RTX 4090", "rtx-4090", "NVIDIA GeForce RTX 4090", "4090", "geforce rtx 4090",
                                  "rtx4090", "4090 24gb", "RTX 4090 24GiB"])
def test_forgiving_gpu_names(name):
    assert find_gpu(TABLE, name).memory_gib == 24


@pytest.mark.parametrize(("name", "gpu_id"), [
    ("M4 Max 36GB", "m4-max-36gb"), ("m4 max 48 gb", "m4-max-48gb"), ("rtx5090", "rtx-5090"),
    ("RTX PRO 6000", "rtx-pro-6000-blackwell"), ("B200", "b200"), ("MI355X", "mi355x"), ("DGX Spark", "dgx-spark"),
    ("Strix Halo", "ryzen-ai-max-395-128gb"), ("Ryzen AI Max+ 395", "ryzen-ai-max-395-128gb"),
    ("5060 Ti 8GB", "rtx-5060-ti-8gb"), ("M5 Pro 64GB", "m5-pro-64gb"),
    ("M3 Max 36GB", "m3-max-36gb"), ("RTX 6000 Ada", "rtx-6000-ada"), ("Arc B580", "arc-b580"),
    ("RX 9070 XT", "rx-9070-xt"), ("Jetson AGX Thor", "jetson-agx-thor"), ("Gaudi 3", "gaudi-3"),
])
def test_todays_gpus_resolve(name, gpu_id):
    result = run("fit", "llama-2-7b", "--gpu", name, "--format", "json")
    assert result.exit_code == 0, result.output
    assert find_gpu(TABLE, name).id == gpu_id


@pytest.mark.parametrize(("name", "words"), [
    ("M3 Max", "'M3 Max' comes in 36, 48, 64, 96, 128 GiB in the GPU table"),
    ("M5 Max", "'M5 Max' is sold with several memory sizes; the GPU table has Apple M5 Max 40-core GPU (128GB)"),
    ("5060 Ti", "'5060 Ti' comes in 8, 16 GiB in the GPU table"),
    ("V100", "'V100' is sold with several memory sizes; the GPU table has NVIDIA Tesla V100 16GB"),
    ("M3 Max 32GB", "'M3 Max 32GB': the GPU table has 'M3 Max' with 36, 48, 64, 96, 128 GiB only"),
    ("4090 48GB", "'4090 48GB': the GPU table has '4090' with 24 GiB only"),
    ("RTX 4900", "unknown GPU 'RTX 4900'"),
    ("H100", "'H100' names several GPUs: NVIDIA H100 SXM 80GB, NVIDIA H100 PCIe 80GB"),  # not "did you mean H200"
])
def test_ambiguous_or_unknown_gpu_is_a_usage_error(name, words):
    result = run("fit", "llama-2-7b", "--gpu", name)
    assert result.exit_code == 2, result.output
    assert words in result.stderr


@pytest.mark.parametrize(("name", "meant"), [("RTX 4900", "NVIDIA GeForce RTX 4090"), ("Arc B850", "Intel Arc B580"),
                                             ("gaudi", "Intel Gaudi 3")])
def test_near_miss_says_did_you_mean(name, meant):
    result = run("recommend", "--gpu", name)
    assert result.exit_code == 2
    assert f"did you mean {meant}" in result.stderr


@pytest.mark.parametrize(("name", "gpu_id"), [
    ("m3 max 36gb", "m3-max-36gb"), ("M3 Max 36 GB", "m3-max-36gb"), ("Apple M3 Max 36GiB", "m3-max-36gb"),
    ("M3 Max 48GB", "m3-max-48gb"), ("m3 max 64gb", "m3-max-64gb"), ("M3 Max 96GB", "m3-max-96gb"),
    ("M4 Max 64GB", "m4-max-64gb"), ("rtx 6000 ada", "rtx-6000-ada"), ("RTX 6000 Ada Generation", "rtx-6000-ada"),
    ("arc b580", "arc-b580"), ("B580", "arc-b580"), ("Intel Arc B570", "arc-b570"), ("Arc A770 16GB", "arc-a770-16gb"),
    ("9070xt", "rx-9070-xt"), ("Radeon RX 9070", "rx-9070"), ("RX 9060 XT 16GB", "rx-9060-xt-16gb"),
    ("rx 7800 xt", "rx-7800-xt"), ("Jetson Thor", "jetson-agx-thor"), ("A40", "a40"), ("RTX A4000", "rtx-a4000"),
    ("V100 16GB", "v100-16gb"), ("gaudi3", "gaudi-3"), ("rtx5090", "rtx-5090"), ("4090 24gb", "rtx-4090"),
])
def test_natural_spellings_resolve(name, gpu_id):
    assert find_gpu(TABLE, name).id == gpu_id


def test_every_gpu_is_found_by_its_id_name_and_own_aliases():
    # a new entry whose alias collides with another's would make one of them unreachable
    owners: dict[str, set[str]] = {}
    for gpu in TABLE.values():
        for text in (gpu.id, gpu.name, *gpu.aliases):
            owners.setdefault(text.lower(), set()).add(gpu.id)
    for gpu in TABLE.values():
        reachable = [a for a in gpu.aliases if gpu.vendor != "apple" or a.endswith(f"{gpu.memory_gib:g}gb")]
        for text in (gpu.id, gpu.name, *reachable):
            if owners[text.lower()] == {gpu.id}:
                assert find_gpu(TABLE, text).id == gpu.id, text


def test_an_m3_max_reads_its_bins_bandwidth():
    # the 30-core GPU bin (36 and 96 GB) reads 300 GB/s, the 40-core bin (48, 64, 128 GB) 400
    assert {g.memory_gib: g.bandwidth_gbs for g in TABLE.values() if g.id.startswith("m3-max-")} == {
        36: 300, 48: 400, 64: 400, 96: 300, 128: 400}


def test_multi_gpu_spec():
    hw = hardware_for_gpu(TABLE, "2x RTX 3090")
    assert hw.gpus == 2 and hw.budget_gib == 48
    assert hw.bandwidth_gbs == 2 * 936


def test_mixed_gpus_split_by_memory_and_bound_by_the_slowest_share():
    # 3090: 24 GiB at 936 GB/s holds 2/3 and reads it at 936 * 36/24 = 1404; 3060: 12 GiB at 360 GB/s holds 1/3
    # and reads it at 360 * 36/12 = 1080: the token waits for the 3060
    result = run("fit", "llama-2-7b", "--gpu", "RTX 3090 + RTX 3060", "--format", "json")
    assert result.exit_code == 0, result.output
    hardware = json.loads(result.stdout)["data"]["hardware"]
    assert hardware.startswith("NVIDIA GeForce RTX 3090 + NVIDIA GeForce RTX 3060 12GB (24 + 12 GiB); tensor split "
                               "by memory (67:33%): speed bound by the NVIDIA GeForce RTX 3060 12GB's share, 1080 GB/s")
    assert hardware_for_gpu(TABLE, "RTX 3090 + RTX 3060").budget_gib == 36


def test_gpus_n_says_which_split_it_assumed():
    result = run("fit", "llama-2-7b", "--gpu", "RTX 3090", "--gpus", "2", "--format", "json")
    assert result.exit_code == 0, result.output
    assert ("tensor split across 2 GPUs: 1872 GB/s together, an upper bound (llama.cpp's default layer split runs "
            "the GPUs in turn, about one GPU's speed)") in json.loads(result.stdout)["data"]["hardware"]


@pytest.mark.parametrize(("args", "words"), [
    (["--gpu", "RTX 3090 +"], "--gpu 'RTX 3090 +': a GPU name is missing around '+'"),
    (["--gpu", "+ RTX 3060"], "a GPU name is missing around '+'"),
    (["--gpu", "RTX 3090 + RTX 3060", "--gpus", "2"], "--gpus gives the count of one kind of GPU"),
    (["--gpu", "65x RTX 3090"], "GPU count must be between 1 and 64"),
    (["--gpu", "M4 Max 36GB + RTX 3090"], "a unified-memory machine is one device"),
    (["--vram", "24", "--gpus", "0"], "--gpus must be between 1 and 64, not 0"),
])
def test_bad_gpu_sets_exit_2(args, words):
    result = run("fit", "llama-2-7b", *args)
    assert result.exit_code == 2, result.output
    assert words in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(("value", "said"), [
    ("12", "llmpick: --vram 12 read as 12 GiB\n"),
    ("12GB", "llmpick: --vram 12GB read as 12 GiB (memory is sold in binary GB: a card sold as '12 GB' holds 12 GiB)"),
    ("12GiB", ""),
    ("12 gib", ""),
    ("12288MiB", ""),
])
def test_memory_flags_say_which_unit_they_assumed(value, said):
    result = run("fit", "llama-2-7b", "--vram", value, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["data"]["hardware"] == "12 GiB GPU"
    assert (said in result.stderr) if said else "read as" not in result.stderr


@pytest.mark.parametrize(("flag", "value", "words"), [
    ("--vram", "12 GiBs", "--vram '12 GiBs' is not an amount of memory"),
    ("--vram", "twelve", "--vram 'twelve' is not an amount of memory"),
    ("--ram", "0", "--ram must be a positive amount of memory, not '0'"),
    ("--vram", "200TB", "--vram '200TB' is not a plausible amount of memory"),
])
def test_bad_memory_flags_exit_2(flag, value, words):
    result = run("recommend", flag, value)
    assert result.exit_code == 2, result.output
    assert words in result.stderr


def test_old_memory_gb_field_in_a_user_gpus_yaml_is_named(tmp_path):
    (tmp_path / "gpus.yaml").write_text("- id: my-gpu\n  name: My GPU\n  vendor: nvidia\n  kind: discrete\n"
                                        "  memory_gb: 24\n  bandwidth_gbs: 900\n  source: https://example.com\n")
    result = run("fit", "llama-2-7b", "--gpu", "My GPU", "--catalog", tmp_path)
    assert result.exit_code != 0
    assert "memory_gb is now memory_gib" in result.stderr


def test_unified_memory_is_partly_usable():
    unified = [g for g in TABLE.values() if g.kind == "unified"]
    assert unified and all(g.usable_memory_gib < g.memory_gib for g in unified)
    assert TABLE["ryzen-ai-max-395-128gb"].usable_memory_gib == 96 and TABLE["dgx-spark"].usable_memory_gib == 126


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
    assert [g.total_gib for g in gpus] == [12.0, 12.0]


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
    assert found.gpus[0].total_gib == 48.0 and found.ram_gib == 64.0


def test_hardware_command_runs_without_gpu():
    result = run("hardware", "--format", "json")
    assert result.exit_code == 0, result.output
