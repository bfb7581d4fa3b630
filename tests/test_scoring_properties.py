"""The expert's rule as properties of the ranking (issue 16, step 5), with hypothesis over requirements and hardware.

(a) among the models that pass (fit the same hardware), one that is better on quality and has the same license never
    ranks below one that is worse on quality and no better on speed adequacy;
(b) adding memory never lowers the quality of the top pick (on a CPU, where speed is judged, unless the new
    pick is closer to fast enough);
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
GPU_TABLE = {gid: gpu for gid, gpu in load_gpus([builtin_catalog_dir() / "gpus.yaml"]).items()
             if gpu.usable_memory_gib <= 160}


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
        return Hardware(vram_gib=value)
    if kind == "gpu":
        return hardware_for_gpu(GPU_TABLE, value)
    return Hardware(ram_gib=value, cpu_only=True)


def shortfall(pick, req: Requirements) -> float:
    """How far below "fast enough" the pick runs (0 = fast enough, or speed unknown)."""
    if pick.tokens_per_s is None:
        return 0.0
    return max(0.0, 1.0 - pick.tokens_per_s / (req.min_speed or TARGET_TOKENS_PER_S))


# --- (a) better on quality, no worse on speed, same license: never ranked below ----------------------------------


@SETTINGS
@example(req=NO_PREFERENCE, machine=("vram", 4.0))
@given(req=requirements, machine=machines)
def test_a_better_quality_never_ranks_below_worse_quality_and_speed(catalog, req, machine):
    """Quality is what the user gets: the index for the request's focus after the chosen quantization's loss. Pairs
    are compared only when nothing else separates them in the rule: the same effective license, and the same
    suitability for the task and the language (a code model asked for chat is not "better" for being better at code)."""
    req = Requirements(**req)
    hw = build(machine)
    result = recommend(req, catalog, hw)
    w = result.weights
    rows = []
    for rank, pick in enumerate(result.picks):
        c = pick.components
        delivered = sum(w[k] * c[k] for k in ("quality", "uncertainty", "quantization"))
        rows.append((rank, pick.model, delivered, shortfall(pick, req), w["recency"] * c["recency"],
                     pick.license.license.id, c["task"], c["language"]))
    for better in rows:
        for worse in rows:
            # "better" by more than the recency tie-breaker can make up (a newer model wins a near tie)
            margin = max(0.0, worse[4] - better[4])
            if (better[5:] == worse[5:] and better[2] > worse[2] + margin and better[3] <= worse[3]
                    and better[0] > worse[0]):
                raise AssertionError(
                    f"{better[1]} (quality {better[2]:.2f}, shortfall {better[3]:.2f}) ranks #{better[0] + 1} below "
                    f"{worse[1]} (quality {worse[2]:.2f}, shortfall {worse[3]:.2f}) #{worse[0] + 1} "
                    f"on {hw.describe()} with {req.model_dump(include={'tasks', 'languages', 'commercial', 'prefer'})}")


# --- (b) more memory never lowers the top pick's quality ---------------------------------------------------------


def top_quality(catalog, req: Requirements, hw: Hardware) -> tuple[float, float, str] | None:
    """The top pick's worth apart from its speed, as the ranking weighs it, its shortfall from fast enough, and its
    name."""
    result = recommend(req, catalog, hw)
    if not result.picks:
        return None
    top, w = result.picks[0], result.weights
    # every component but speed: the index less what the chosen quantization loses (more memory may rightly buy a model
    # of a slightly lower index at a much better quantization), and the license, task and language terms (with
    # --commercial, more memory may rightly buy a model 0.3 points lower whose license has no conditions, where the
    # smaller memory held only a conditionally licensed one: lfm2-8b-a1b at q4_k_m -> granite-4.0-h-tiny at q8_0)
    delivered = sum(w.get(k, 1.0) * points for k, points in top.components.items() if k != "speed")
    return delivered, shortfall(top, req), f"{top.model} {top.estimate.quant}"


@SETTINGS
@example(req=NO_PREFERENCE, low=16.0, more=0.5)
@example(req={**NO_PREFERENCE, "tasks": ["code"]}, low=14.5, more=0.5)  # formerly qwen3.5-9b -> gemma-4-26b-a4b-it
@example(req={**NO_PREFERENCE, "tasks": ["code"], "languages": ["fr"]}, low=4.0, more=0.5)  # was qwen3-4b -> granite
@example(req={**NO_PREFERENCE, "prefer": ["quality"]}, low=14.5, more=0.5)
@given(req=requirements, low=vram, more=st.floats(min_value=0.5, max_value=80, allow_nan=False))
def test_b_more_vram_never_lowers_the_top_picks_quality(catalog, req, low, more):
    """--vram names no bandwidth, so speed is not judged: more memory may only raise the quality of the top pick. (Two
    counterexamples were fixed in the scorer: a general model measured on the task lost 3 points for its card's task
    list, and the property now reads quality with the weights the ranking gives it, as (a) does.)"""
    req = Requirements(**req)
    high = min(160.0, low + round(more, 1))
    before = top_quality(catalog, req, Hardware(vram_gib=low))
    after = top_quality(catalog, req, Hardware(vram_gib=high))
    if before is None:
        return
    assert after is not None
    assert after[0] >= before[0] - 1e-9, \
        f"{low:g} GB: {before[2]} quality {before[0]:.2f}; {high:g} GB: {after[2]} {after[0]:.2f}"


@SETTINGS
@example(req=NO_PREFERENCE, low=13.0, more=1.0)  # qwen3.5-4b at ~12 tok/s -> gpt-oss-20b, closer to fast enough
@given(req=requirements, low=cpu_ram, more=st.floats(min_value=1, max_value=128, allow_nan=False))
def test_b_more_cpu_ram_never_lowers_the_top_picks_quality_unless_it_buys_speed(catalog, req, low, more):
    """On a CPU speed is judged, so more RAM may buy a faster model (a mixture of experts that now fits) of lower
    quality: the quality of the top pick may drop only when its new pick is closer to fast enough."""
    req = Requirements(**req)
    high = min(256.0, low + round(more, 1))
    before = top_quality(catalog, req, Hardware(ram_gib=low, cpu_only=True))
    after = top_quality(catalog, req, Hardware(ram_gib=high, cpu_only=True))
    if before is None:
        return
    assert after is not None
    assert after[0] >= before[0] - 1e-9 or after[1] < before[1], \
        f"{low:g} GB: {before[2]} quality {before[0]:.2f}; {high:g} GB: {after[2]} {after[0]:.2f}"


# --- (c) no half-empty memory while a clearly better model fits --------------------------------------------------

CLEARLY_BETTER = 10.0  # index points


@SETTINGS
@example(req={**NO_PREFERENCE, "languages": ["zh"]}, machine=("cpu", 10.0))
@example(req={**NO_PREFERENCE, "languages": ["zh"]}, machine=("cpu", 19.0))  # qwen3.6-27b would run at ~2 tok/s
@given(req=requirements, machine=machines)
def test_c_top_pick_does_not_leave_half_the_memory_to_a_clearly_worse_model(catalog, req, machine):
    """A clearly better model that fits is a real alternative only when it is as close to fast enough: on a CPU a
    dense 27B at ~2 tok/s is not what a practitioner would pick over a 2B at ~13 tok/s (the speed target is the
    issue's "fast enough", default 20 tok/s)."""
    req = Requirements(**req)
    if "speed" in req.prefer:
        return
    hw = build(machine)
    result = recommend(req, catalog, hw)
    if not result.picks:
        return
    top = result.picks[0]
    budget = hw.budget_gib - req.headroom_gib
    if top.estimate.total_gib >= budget / 2 or top.quality is None or top.quality.imputed:
        return
    focus = focus_of(req)
    floor = top.quality.for_focus(focus)[0] + CLEARLY_BETTER
    for pick in result.picks:
        q = catalog.quality.of(pick.model)
        if (q is not None and not q.imputed and q.for_focus(focus)[0] >= floor
                and shortfall(pick, req) <= shortfall(top, req)):
            raise AssertionError(
                f"{top.model} {top.estimate.quant} uses {top.estimate.total_gib:.1f} of {budget:.1f} GB on "
                f"{hw.describe()} (index {top.quality.for_focus(focus)[0]:.1f}) while {pick.model} "
                f"(index {q.for_focus(focus)[0]:.1f}) fits; {req.model_dump(include={'tasks', 'languages', 'prefer'})}")


# --- the speed scale ---------------------------------------------------------------------------------------------

speeds = st.floats(min_value=0.01, max_value=2000, allow_nan=False)


@settings(deadline=None, derandomize=True, database=None)
@given(tps=speeds, faster=speeds, target=st.sampled_from([5.0, 20.0, 60.0]), scale=st.sampled_from([0.5, 2.0, 3.0]))
def test_speed_points_count_halvings_of_the_target(tps, faster, target, scale):
    """docs/scoring.md: speed is counted in halvings below the target (8 points at half, 32 at a quarter), nothing at
    or above it unless --prefer speed; faster never scores lower, and only the ratio to the target matters."""
    from llmpick.advice.scoring import speed_points

    slow, fast = sorted((tps, faster))
    assert speed_points(slow, target) <= speed_points(fast, target) <= 0.0
    assert speed_points(slow, target, bonus=True) <= speed_points(fast, target, bonus=True)
    assert speed_points(tps * scale, target * scale) == pytest.approx(speed_points(tps, target), abs=1e-9)
    assert speed_points(target / 2, target) == pytest.approx(-8.0)
    assert speed_points(target / 4, target) == pytest.approx(-32.0)
    assert speed_points(target * 4, target) == 0.0
    assert speed_points(target * 4, target, bonus=True) == pytest.approx(8.0)
