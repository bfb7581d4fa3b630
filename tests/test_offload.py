"""Partial offload: a model split by layers between the GPU and system RAM, priced, timed and ranked."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmpick import load_catalog
from llmpick.advice.advisor import recommend
from llmpick.advice.hardware import OS_RESERVE_GIB, Hardware
from llmpick.advice.memory import RAM_BANDWIDTH_GBS, decode_tokens_per_s, estimate
from llmpick.advice.offload import split
from llmpick.advice.requirements import Requirements
from tests.conftest import run

RTX_4060_GBS = 272.0  # catalog/gpus.yaml


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def qwen14(catalog):
    card = catalog.get("qwen3-14b")
    return card, estimate(card, "q4_k_m", 4096)


def gpu(vram: float, ram: float | None = 32, bandwidth: float | None = RTX_4060_GBS) -> Hardware:
    return Hardware(vram_gib=vram, ram_gib=ram, bandwidth_gbs=bandwidth)


def test_14b_q4_k_m_on_8_gib_vram_and_32_gib_ram_is_split(qwen14):
    card, est = qwen14
    layers = card.architecture.layers
    assert est.total_gib > 8  # does not fit the GPU whole
    shared = split(est, card.architecture, gpu(8))
    assert shared is not None and shared.offload is not None
    off = shared.offload
    assert 1 <= off.gpu_layers <= layers - 1 and off.layers == layers
    assert off.gpu_gib <= 8 and off.ram_gib <= 32 - OS_RESERVE_GIB
    assert off.gpu_gib + off.ram_gib == pytest.approx(est.total_gib)  # nothing lost, nothing counted twice
    per_layer = (est.weights_gib + est.kv_cache_gib) / layers
    assert off.gpu_gib == pytest.approx(est.activations_gib + est.overhead_gib + off.gpu_layers * per_layer)
    assert off.gpu_gib + per_layer > 8  # one more layer would not fit: the most layers that fit
    tps = decode_tokens_per_s(shared, RTX_4060_GBS)
    assert decode_tokens_per_s(est, RAM_BANDWIDTH_GBS, "cpu") < tps < decode_tokens_per_s(est, RTX_4060_GBS)


@settings(max_examples=40, deadline=None)
@given(st.floats(1, 12), st.floats(0, 8), st.floats(100, 2000))
def test_more_vram_never_fewer_gpu_layers_nor_slower(qwen14, vram, extra, bandwidth):
    card, est = qwen14
    small = split(est, card.architecture, gpu(vram, bandwidth=bandwidth))
    large = split(est, card.architecture, gpu(vram + extra, bandwidth=bandwidth))
    cpu_only, gpu_only = decode_tokens_per_s(est, RAM_BANDWIDTH_GBS, "cpu"), decode_tokens_per_s(est, bandwidth)
    for shared in (small, large):
        if shared is not None:
            assert cpu_only <= decode_tokens_per_s(shared, bandwidth) <= gpu_only
    if small is None:
        return
    if large is None:  # the larger GPU holds the whole model (or the split's GPU side): at GPU speed
        assert vram + extra >= small.offload.gpu_gib
        return
    assert large.offload.gpu_layers >= small.offload.gpu_layers
    assert decode_tokens_per_s(large, bandwidth) >= decode_tokens_per_s(small, bandwidth)


@pytest.mark.parametrize(("hardware", "why"), [
    (gpu(64), "fits the GPU whole"),
    (gpu(0.5), "not even one layer fits"),
    (gpu(4, ram=4), "the rest does not fit RAM less the OS reserve"),
    (gpu(8, ram=None), "no RAM given"),
    (Hardware(ram_gib=64, cpu_only=True), "no GPU"),
    (Hardware(vram_gib=8, ram_gib=32, unified=True), "unified memory"),
])
def test_no_split(qwen14, hardware, why):
    card, est = qwen14
    assert split(est, card.architecture, hardware) is None, why


def test_moe_reads_only_active_parameters_per_token(catalog):
    card = catalog.get("qwen3-30b-a3b")
    est = estimate(card, "q4_k_m", 4096)
    shared = split(est, card.architecture, gpu(8))
    assert shared is not None
    dense_read = est.weights_gib + est.kv_cache_gib
    assert est.read_per_token_gib < dense_read / 5
    # each side at its own usable bandwidth: the RAM side at a CPU's share of peak, the GPU side at a GPU's
    ram_side = (1 - shared.offload.gpu_share) * est.read_per_token_gib * 2**30 / 1e9 / (0.60 * RAM_BANDWIDTH_GBS)
    gpu_side = shared.offload.gpu_share * est.read_per_token_gib * 2**30 / 1e9 / (0.71 * RTX_4060_GBS)
    assert decode_tokens_per_s(shared, RTX_4060_GBS) == pytest.approx(1 / (ram_side + gpu_side))


def test_recommend_without_allow_offload_shows_no_split_when_something_fits(catalog):
    rec = recommend(Requirements(), catalog, gpu(8))
    assert rec.picks and not any(p.estimate.offload for p in rec.picks)
    assert rec.offload == ""


def test_recommend_with_allow_offload_ranks_splits_marked_gpu_ram(catalog):
    rec = recommend(Requirements(allow_offload=True), catalog, gpu(8))
    split_picks = [p for p in rec.picks if p.estimate.offload]
    assert split_picks
    for pick in split_picks:
        assert any(flag.startswith("GPU+RAM ") for flag in pick.flags)
        assert pick.estimate.offload.gpu_gib <= 8
        assert pick.tokens_per_s == decode_tokens_per_s(pick.estimate, RTX_4060_GBS)


def test_recommend_splits_by_itself_when_nothing_fits_the_gpu(catalog):
    req = Requirements(min_params=13)
    assert not recommend(req, catalog, gpu(6, ram=None)).picks
    rec = recommend(req, catalog, gpu(6))
    assert rec.picks and all(p.estimate.offload for p in rec.picks)
    assert "nothing fits the GPU whole" in rec.offload


def test_fit_cli_shows_the_best_split_in_table_and_json():
    args = ("fit", "qwen3-14b", "--gpu", "RTX 4060", "--ram", "32GiB", "--quant", "q4_k_m")
    table = run(*args)
    assert table.exit_code == 0, table.output
    assert "GPU+RAM 31/40" in table.stdout
    assert "q4_k_m: GPU+RAM: 31 of 40 layers on the GPU" in table.stdout
    assert "llama.cpp -ngl 31" in table.stdout
    result = run(*args, "--format", "json")
    data = json.loads(result.stdout)
    assert data["schema_version"] == 3
    row = data["data"]["rows"][0]
    off = row["offload"]
    assert row["fits"] is False and off["placement"] == "GPU+RAM"
    assert (off["gpu_layers"], off["layers"], off["cpu_layers"]) == (31, 40, 9)
    assert off["gpu_gib"] + off["offload_ram_gib"] == pytest.approx(row["total_gib"], abs=0.002)
    assert off["offload_ram_bytes"] == pytest.approx(off["offload_ram_gib"] * 2**30, rel=1e-3)
    assert off["ram_bandwidth_gbs"] == RAM_BANDWIDTH_GBS
    assert 51.2 * 0.6 / 9.6 < row["tokens_per_s"] < RTX_4060_GBS * 0.6 / 9.6


def test_fit_without_ram_does_not_split_and_a_fitting_row_has_no_offload():
    data = json.loads(run("fit", "qwen3-14b", "--vram", "8", "--quant", "q4_k_m,q2_k", "-f", "json").stdout)
    assert [row["offload"] for row in data["data"]["rows"]] == [None, None]


def test_fit_ram_bandwidth_speeds_up_the_split():
    slow = json.loads(run("fit", "qwen3-14b", "--gpu", "RTX 4060", "--ram", "32", "--quant", "q4_k_m",
                          "-f", "json").stdout)["data"]["rows"][0]
    fast = json.loads(run("fit", "qwen3-14b", "--gpu", "RTX 4060", "--ram", "32", "--quant", "q4_k_m",
                          "--ram-bandwidth", "120", "-f", "json").stdout)["data"]["rows"][0]
    assert fast["tokens_per_s"] > slow["tokens_per_s"] and fast["offload"]["ram_bandwidth_gbs"] == 120


def test_fit_with_unknown_gpu_bandwidth_says_the_speed_is_an_upper_bound():
    result = run("fit", "qwen3-14b", "--vram", "8", "--ram", "32", "--quant", "q4_k_m")
    assert result.exit_code == 0, result.output
    assert "GPU bandwidth unknown: GPU+RAM speeds count the RAM side only, an upper bound" in result.stdout
    assert "32 GiB system RAM for what does not fit the GPU" in result.stdout


def test_recommend_cli_allow_offload_rows_and_json():
    result = run("recommend", "--gpu", "RTX 4060", "--ram", "32", "--allow-offload", "--top", "20", "-f", "json")
    assert result.exit_code == 0, result.output
    picks = json.loads(result.stdout)["data"]["recommendations"]
    split_rows = [p for p in picks if p["offload"]]
    assert split_rows and all(p["offload"]["placement"] == "GPU+RAM" for p in split_rows)
    assert all(p["offload"] is None for p in picks if p not in split_rows)
    table = run("recommend", "--gpu", "RTX 4060", "--ram", "32", "--allow-offload", "--top", "20")
    assert "GiB + " in table.stdout and "RAM" in table.stdout and "[GPU+RAM " in table.stdout



def test_recommend_cli_splits_when_nothing_fits_and_explains_the_split():
    result = run("recommend", "--gpu", "RTX 4060", "--ram", "32", "--min-params", "30", "--top", "1", "--explain")
    assert result.exit_code == 0, result.output
    assert "nothing fits the GPU whole: showing models split between GPU and RAM (GPU+RAM)" in result.stdout
    assert "    placement: GPU+RAM: " in result.stdout and "GB/s GPU + 51.2 GB/s RAM" in result.stdout
    plain = run("recommend", "--gpu", "RTX 4060", "--ram", "32", "--top", "20", "-f", "json")
    assert all(p["offload"] is None for p in json.loads(plain.stdout)["data"]["recommendations"])


@pytest.mark.parametrize(("args", "message"), [
    (["--vram", "8", "--allow-offload"], "--allow-offload needs --ram"),
    (["--cpu-only", "--ram", "32", "--allow-offload"], "--allow-offload splits a model between a GPU and system "
                                                       "RAM, and no GPU was given"),
    (["--gpu", "M4 Max 36GB", "--ram", "36", "--allow-offload"], "has unified memory"),
    (["--vram", "8", "--ram", "0"], "--ram must be a positive amount of memory, not '0'"),
    (["--vram", "8", "--ram", "32", "--ram-bandwidth", "0"], "--ram-bandwidth must be a positive number of GB/s"),
])
def test_bad_offload_input_exits_2(args, message):
    result = run("recommend", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
