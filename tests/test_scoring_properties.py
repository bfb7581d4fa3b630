"""The expert's rule as properties of the ranking (issue 16, step 5), with hypothesis over requirements and hardware.

(a) among the models that pass (fit the same hardware), one that is better on quality and has the same license never
    ranks below one that is worse on quality and no better on speed adequacy;
(b) adding memory never lowers the quality index of the top pick;
(c) no top pick leaves more than half the memory unused while a clearly better model (index at least 10 points
    higher, both measured) fits, unless --prefer speed.

The built-in catalog, loaded once; hardware in realistic ranges (GPU 4..160 GB, CPU RAM 8..256 GB). A property that
fails is kept as stated and marked xfail(strict=True) with its minimal counterexample.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from llmpick import Requirements, load_catalog, recommend
from llmpick.advice.hardware import Hardware, hardware_for_gpu, load_gpus
from llmpick.advice.scoring import TARGET_TOKENS_PER_S, focus_of
from llmpick.catalog import builtin_catalog_dir

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
GPU_TABLE = {gid: gpu for gid, gpu in load_gpus([builtin_catalog_dir() / "gpus.yaml"]).items() if gpu.usable_gb <= 160}


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    from llmpick.catalog import builtin_catalog_dir

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("LLMPICK_CATALOG", raising=False)
        patch.setenv("LLMPICK_CACHE_DIR", str(tmp_path_factory.mktemp("properties-cache")))
        return load_catalog([builtin_catalog_dir()], builtin=False)


# --- strategies ------------------------------------------------------------------------------------------------

requirements = st.fixed_dictionaries({
    "tasks": st.sampled_from([[], ["code"], ["reasoning"]]),
    "languages": st.sampled_from([[], ["zh"], ["fr"]]),
    "commercial": st.booleans(),
    "prefer": st.sampled_from([[], ["quality"], ["license"]]),
})
NO_PREFERENCE = {"tasks": [], "languages": [], "commercial": False, "prefer": []}
vram = st.floats(min_value=4, max_value=160, allow_nan=False).map(lambda v: round(v, 1))
cpu_ram = st.floats(min_value=8, max_value=256, allow_nan=False).map(lambda v: round(v, 1))


# --vram GB (bandwidth unknown), --gpu NAME (the table's bandwidth), or --cpu-only --ram GB
machines = st.one_of(st.tuples(st.just("vram"), vram), st.tuples(st.just("gpu"), st.sampled_from(sorted(GPU_TABLE))),
                     st.tuples(st.just("cpu"), cpu_ram))


def build(machine) -> Hardware:
    kind, value = machine
    if kind == "vram":
        return Hardware(vram_gb=value)
    if kind == "gpu":
        return hardware_for_gpu(GPU_TABLE, value)
    return Hardware(ram_gb=value, cpu_only=True)


def shortfall(pick, req: Requirements) -> float:
    """How far below "fast enough" the pick runs (0 = fast enough, or speed unknown)."""
    if pick.tokens_per_s is None:
        return 0.0
    return max(0.0, 1.0 - pick.tokens_per_s / (req.min_speed or TARGET_TOKENS_PER_S))


# --- (a) better on quality, no worse on speed, same license: never ranked below ----------------------------------


@pytest.mark.xfail(strict=True, reason=(
    "minimal counterexample: --vram 4, no other requirement: smollm3-3b (q4_k_m; index 53.30 - 2.77 quant = 50.53 "
    "delivered; uncertainty -16.96: standard error 8.48 doubled, no chat figures) ranks #11 (score 34.82) below "
    "qwen3-0.6b (fp16; 40.49 delivered, uncertainty -3.24) #7 (score 38.41); same license apache-2.0, speed unknown "
    "for both, same task and language points. The cautious one-sigma-low discount outweighs 10 index points"))
@SETTINGS
@example(req=NO_PREFERENCE, machine=("vram", 4.0))
@given(req=requirements, machine=machines)
def test_a_better_quality_never_ranks_below_worse_quality_and_speed(catalog, req, machine):
    """Quality is what the user gets: the index for the request's focus after the chosen quantization's loss. Pairs
    are compared only when nothing else separates them in the rule: the same effective license, and the same
    suitability for the task and the language (a code model asked for chat is not "better" for being better at code)."""
    req = Requirements(**req)
    hw = build(machine)
    picks = recommend(req, catalog, hw).picks
    rows = []
    for rank, pick in enumerate(picks):
        c = pick.components
        rows.append((rank, pick.model, c["quality"] + c["quantization"], shortfall(pick, req),
                     pick.license.license.id, c["task"], c["language"]))
    for better in rows:
        for worse in rows:
            if (better[4:] == worse[4:] and better[2] > worse[2] and better[3] <= worse[3]
                    and better[0] > worse[0]):
                raise AssertionError(
                    f"{better[1]} (quality {better[2]:.2f}, shortfall {better[3]:.2f}) ranks #{better[0] + 1} below "
                    f"{worse[1]} (quality {worse[2]:.2f}, shortfall {worse[3]:.2f}) #{worse[0] + 1} "
                    f"on {hw.describe()} with {req.model_dump(include={'tasks', 'languages', 'commercial', 'prefer'})}")


# --- (b) more memory never lowers the top pick's quality ---------------------------------------------------------


def top_quality(catalog, req: Requirements, hw: Hardware) -> tuple[float, str] | None:
    picks = recommend(req, catalog, hw).picks
    if not picks:
        return None
    top = picks[0]
    return top.components["quality"], f"{top.model} {top.estimate.quant}"


@pytest.mark.xfail(strict=True, reason=(
    "minimal counterexample: no requirement, --vram 16 -> --vram 16.5: the top pick goes from gpt-oss-20b q4_k_m "
    "(index 83.52, score 70.60) to qwen3-14b q8_0 (index 73.33, score 71.56); gpt-oss-20b still fits at q4_k_m, but "
    "qwen3-14b at q8_0 (16.1 GB) now fits: uncertainty -2.89 and quant -0.04 against gpt-oss-20b's -11.44 "
    "and -2.77 outweigh 10 index points. Also --lang zh 9.5 -> 10 GB (deepseek-r1-0528-qwen3-8b 77.71 -> "
    "qwen3-14b 72.54) and --task code 17 -> 17.5 GB (gpt-oss-20b 84.20 -> qwen3-coder-30b-a3b-instruct 81.98)"))
@SETTINGS
@example(req=NO_PREFERENCE, low=16.0, more=0.5)
@given(req=requirements, low=vram, more=st.floats(min_value=0.5, max_value=80, allow_nan=False))
def test_b_more_vram_never_lowers_the_top_picks_quality(catalog, req, low, more):
    req = Requirements(**req)
    high = min(160.0, low + round(more, 1))
    before, after = top_quality(catalog, req, Hardware(vram_gb=low)), top_quality(catalog, req, Hardware(vram_gb=high))
    if before is None:
        return
    assert after is not None
    assert after[0] >= before[0], \
        f"{low:g} GB: {before[1]} index {before[0]:.2f}; {high:g} GB: {after[1]} {after[0]:.2f}"


@SETTINGS
@given(req=requirements, low=cpu_ram, more=st.floats(min_value=1, max_value=128, allow_nan=False))
def test_b_more_cpu_ram_never_lowers_the_top_picks_quality(catalog, req, low, more):
    req = Requirements(**req)
    high = min(256.0, low + round(more, 1))
    before = top_quality(catalog, req, Hardware(ram_gb=low, cpu_only=True))
    after = top_quality(catalog, req, Hardware(ram_gb=high, cpu_only=True))
    if before is None:
        return
    assert after is not None
    assert after[0] >= before[0], \
        f"{low:g} GB: {before[1]} index {before[0]:.2f}; {high:g} GB: {after[1]} {after[0]:.2f}"


# --- (c) no half-empty memory while a clearly better model fits --------------------------------------------------

CLEARLY_BETTER = 10.0  # index points


@pytest.mark.xfail(strict=True, reason=(
    "minimal counterexample: --cpu-only --ram 10 --lang zh: the top pick qwen3-4b q4_k_m (score 49.03, Chinese "
    "index 65.8) uses 3.6 of 8.0 GB while deepseek-r1-0528-qwen3-8b (measured, index 77.7: no Chinese figures, so "
    "its general index with the error doubled) fits at q4_k_m (6.0 GB, ~5.5 tok/s at the assumed 51.2 GB/s; score "
    "41.41: speed penalty and uncertainty -12). Without --lang zh the same machine passes"))
@SETTINGS
@example(req={**NO_PREFERENCE, "languages": ["zh"]}, machine=("cpu", 10.0))
@given(req=requirements, machine=machines)
def test_c_top_pick_does_not_leave_half_the_memory_to_a_clearly_worse_model(catalog, req, machine):
    req = Requirements(**req)
    if "speed" in req.prefer:
        return
    hw = build(machine)
    result = recommend(req, catalog, hw)
    if not result.picks:
        return
    top = result.picks[0]
    budget = hw.budget_gb - req.headroom_gb
    if top.estimate.total_gb >= budget / 2 or top.quality is None or top.quality.imputed:
        return
    focus = focus_of(req)
    floor = top.quality.for_focus(focus)[0] + CLEARLY_BETTER
    for pick in result.picks:
        q = catalog.quality.of(pick.model)
        if q is not None and not q.imputed and q.for_focus(focus)[0] >= floor:
            raise AssertionError(
                f"{top.model} {top.estimate.quant} uses {top.estimate.total_gb:.1f} of {budget:.1f} GB on "
                f"{hw.describe()} (index {top.quality.for_focus(focus)[0]:.1f}) while {pick.model} "
                f"(index {q.for_focus(focus)[0]:.1f}) fits; {req.model_dump(include={'tasks', 'languages', 'prefer'})}")
