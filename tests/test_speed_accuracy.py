"""llmpick's decode-speed estimate against published measurements (docs/speed-accuracy.yaml, issue 20 item 4).

Every row is recomputed through the library (the built-in card, the quantization, the hardware as `--gpu` resolves it
or a CPU of the bandwidth the row gives); the bandwidth efficiency of each platform is refitted as the median of
measured / bandwidth-bound speed and must be the one advice/memory.py uses; the tables in docs/memory.md ("Speed
accuracy") must be what this data renders today (LLMPICK_UPDATE_GOLDEN=1 rewrites them).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from llmpick import estimate, load_catalog
from llmpick.advice.detect import resolve
from llmpick.advice.hardware import Hardware
from llmpick.advice.memory import BANDWIDTH_EFFICIENCY, decode_tokens_per_s
from tests.conftest import run
from tests.generated_docs import check_section

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "docs" / "speed-accuracy.yaml"
DOC = ROOT / "docs" / "memory.md"
START, END = "<!-- speed-accuracy:start -->", "<!-- speed-accuracy:end -->"
TG_CONTEXT = 128  # llama-bench tg128: 128 tokens generated from an empty context
BOUND = 0.35  # the median |estimate / measured - 1| of the fitted rows, per platform, stays within this
ROW_KEYS = {"model", "quant", "hardware", "label", "bandwidth_gbs", "measured_tps", "source"}
DEVICE_NAMES = {"gpu": "discrete GPU", "apple": "unified memory", "cpu": "CPU"}


@dataclass(frozen=True)
class Row:
    label: str
    model: str
    quant: str
    device: str
    bandwidth_gbs: float
    file_gib: float | None
    measured: float
    bound: float  # tokens/s if every byte moved at peak bandwidth
    estimated: float
    source: str
    url: str
    fit: bool

    @property
    def error(self) -> float:
        return self.estimated / self.measured - 1


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> list[Row]:
    from llmpick.catalog import builtin_catalog_dir

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("LLMPICK_CATALOG", raising=False)
        patch.setenv("LLMPICK_CACHE_DIR", str(tmp_path_factory.mktemp("speed-cache")))
        catalog = load_catalog([builtin_catalog_dir()], builtin=False)
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    found = []
    for number, item in enumerate(data["measurements"], 1):
        assert ROW_KEYS <= set(item), f"measurement {number} lacks {sorted(ROW_KEYS - set(item))}"
        source = data["sources"][item["source"]]
        if item["hardware"] == "cpu":
            hardware = Hardware(cpu_only=True, bandwidth_gbs=item["bandwidth_gbs"], label=item["label"])
        else:
            hardware = resolve(gpu=item["hardware"], gpu_files=catalog.gpu_files)
            assert hardware.bandwidth_gbs == item["bandwidth_gbs"], (
                f"measurement {number}: {item['hardware']} has {hardware.bandwidth_gbs:g} GB/s in gpus.yaml")
        est = estimate(catalog.get(item["model"]), item["quant"], context=TG_CONTEXT)
        estimated = decode_tokens_per_s(est, hardware.bandwidth_gbs, hardware.device)
        found.append(Row(item["label"], item["model"], est.quant, hardware.device, item["bandwidth_gbs"],
                         item.get("file_gib"), item["measured_tps"],
                         estimated / BANDWIDTH_EFFICIENCY[hardware.device], estimated, item["source"], source["url"],
                         source.get("fit", True)))
    return found


def fitted(rows: list[Row]) -> dict[str, float]:
    """Per platform, the median share of the bandwidth bound that the measured runs reached."""
    groups: dict[str, list[float]] = {}
    for row in rows:
        if row.fit:
            groups.setdefault(row.device, []).append(row.measured / row.bound)
    return {device: statistics.median(ratios) for device, ratios in groups.items()}


def median_error(rows: list[Row], efficiency: dict[str, float] | None = None) -> float:
    """Median |estimate / measured - 1|, with the estimate at `efficiency` (default: the one in use)."""
    errors = [abs((efficiency[r.device] * r.bound if efficiency else r.estimated) / r.measured - 1) for r in rows]
    return statistics.median(errors)


def render(rows: list[Row]) -> str:
    efficiency = fitted(rows)
    lines = ["| Platform | Runs in the fit | Fitted efficiency | Median error at 0.6 | Median error now |",
             "|---|---:|---:|---:|---:|"]
    for device, name in DEVICE_NAMES.items():
        group = [r for r in rows if r.device == device and r.fit]
        lines.append(f"| {name} (`{device}`) | {len(group)} | {efficiency[device]:.2f} | "
                     f"{median_error(group, dict.fromkeys(DEVICE_NAMES, 0.6)):.0%} | {median_error(group):.0%} |")
    left_out = [r for r in rows if not r.fit]
    lines.append(f"| not in the fit (gpt-oss) | {len(left_out)} | | "
                 f"{median_error(left_out, dict.fromkeys(DEVICE_NAMES, 0.6)):.0%} | {median_error(left_out):.0%} |")
    lines += ["",
              "| Hardware | Platform | Model | Quant | File GiB | GB/s | Measured tok/s | Estimated | Error | Source |",
              "|---|---|---|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        size = f"{r.file_gib:g}" if r.file_gib else ""
        mark = "" if r.fit else " *"
        lines.append(f"| {r.label} | {r.device} | {r.model} | {r.quant} | {size} | {r.bandwidth_gbs:g} | "
                     f"{r.measured:g} | {r.estimated:.1f} | {r.error:+.0%}{mark} | [{r.source}]({r.url}) |")
    return "\n".join(lines)


def test_each_platform_efficiency_is_the_median_of_the_measured_runs(rows):
    refit = {device: round(value, 2) for device, value in fitted(rows).items()}
    assert refit == BANDWIDTH_EFFICIENCY, (
        f"docs/speed-accuracy.yaml now fits {refit}; set BANDWIDTH_EFFICIENCY in llmpick/advice/memory.py to it")


@pytest.mark.parametrize("device", sorted(DEVICE_NAMES))
def test_median_error_stays_within_the_bound(rows, device):
    group = [r for r in rows if r.device == device and r.fit]
    assert len(group) >= 5, f"too few {device} runs to fit an efficiency"
    assert median_error(group) <= BOUND, render(rows)


def test_the_fit_improves_on_the_single_constant(rows):
    group = [r for r in rows if r.fit]
    assert median_error(group) < median_error(group, dict.fromkeys(DEVICE_NAMES, 0.6))


def test_memory_doc_tables_are_current(rows):
    check_section(DOC, START, END, render(rows), "LLMPICK_UPDATE_GOLDEN",
                  "docs/memory.md's speed accuracy tables are stale: run LLMPICK_UPDATE_GOLDEN=1 pytest "
                  "tests/test_speed_accuracy.py and review the diff")


@pytest.mark.parametrize(("gpu", "measured"), [("M2 16GB", 21.91), ("RTX 4090", 186.21)])
def test_fit_prints_the_platform_speed(gpu, measured):
    # llama-bench tg128 of Llama-2-7B Q4_0 (docs/speed-accuracy.yaml): at 0.6 of the bandwidth llmpick said ~15.5
    # tok/s for the M2 (-29%) and ~157 for the RTX 4090 (-16%)
    result = run("fit", "llama-2-7b", "--gpu", gpu, "--quant", "q4_0", "--context", "128", "--format", "json")
    assert result.exit_code == 0, result.output
    speed = json.loads(result.stdout)["data"]["rows"][0]["tokens_per_s"]
    assert speed == pytest.approx(measured, rel=0.1)
