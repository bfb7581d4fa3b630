"""Options shared by the commands that take requirements and hardware (recommend, export, fit)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

VramOpt = Annotated[str | None, typer.Option("--vram", help="GPU memory per GPU: 12, 12GiB or 12GB (all read as "
                                            "GiB, as memory is sold).", show_default=False)]
GpusOpt = Annotated[int | None, typer.Option("--gpus", help="Number of GPUs of that size (speed assumes a tensor "
                                             "split).", show_default=False)]
GpuOpt = Annotated[str | None, typer.Option("--gpu", help='GPU from the table, e.g. "RTX 4090", "2x A100 80GB" or '
                                                '"RTX 3090 + RTX 3060".', show_default=False)]
RamOpt = Annotated[str | None, typer.Option("--ram", help="System RAM, e.g. 32 or 32GiB: for --cpu-only, and to split "
                                            "a model too large for the GPU between GPU and RAM.", show_default=False)]
AllowOffloadOpt = Annotated[bool | None, typer.Option("--allow-offload", help="Also rank models split between the "
                                                      "GPU and --ram (GPU+RAM, llama.cpp -ngl) when others fit the "
                                                      "GPU whole.", show_default=False)]
RamBandwidthOpt = Annotated[float | None, typer.Option("--ram-bandwidth", help="System RAM bandwidth in GB/s for the "
                                                       "RAM side of a GPU+RAM split (default 51.2).",
                                                       show_default=False)]
CpuOpt = Annotated[bool, typer.Option("--cpu-only", help="Run on the CPU from system RAM.")]
ContextOpt = Annotated[str | None, typer.Option("--context", help="Tokens of context you need: 4096, 8k, "
                                                   "32k, 128k (default 4k).", show_default=False)]
KvTypeOpt = Annotated[str | None, typer.Option("--kv-type", help="KV cache type: f16 (default), q8_0 or q4_0 "
                                                "(llama.cpp --cache-type-k/-v).", show_default=False)]
ParallelOpt = Annotated[int | None, typer.Option("--parallel", help="Sequences served at once, each with its own "
                                                 "KV cache of --context tokens (default 1).", show_default=False)]
QuantOpt = Annotated[list[str] | None, typer.Option("--quant", help="Allowed quantizations, comma-separated "
                                                       "(default fp16,q8_0,q4_k_m).", show_default=False)]


CommercialOpt = Annotated[bool | None, typer.Option("--commercial", help="Effective license allows commercial "
                                                  "use (conditional included, flagged).", show_default=False)]
StrictLicenseOpt = Annotated[bool | None, typer.Option("--strict-license", help="Only unconditional commercial "
                                                       "licenses.", show_default=False)]
LicensesOpt = Annotated[list[str] | None, typer.Option("--license", help="Allowed license ids (comma-separated).",
                                                       show_default=False)]
ExcludeLicensesOpt = Annotated[list[str] | None, typer.Option("--exclude-license", help="License ids to exclude.",
                                                              show_default=False)]
NoProvenanceOpt = Annotated[bool | None, typer.Option("--no-provenance-risk", help="Exclude models trained on "
                                                      "another vendor's outputs.", show_default=False)]
RegionOpt = Annotated[str | None, typer.Option("--region", help="Where you or your company are (ISO country code "
                                                 "such as DE, or EU): drops models whose license grants no rights "
                                                 "there.", show_default=False)]
LangOpt = Annotated[list[str] | None, typer.Option("--lang", help="Required languages: ISO codes or names "
                                                   "(zh,en or chinese).", show_default=False)]
TaskOpt = Annotated[list[str] | None, typer.Option("--task", help="chat, code, reasoning, math, ...",
                                                   show_default=False)]
ModalityOpt = Annotated[list[str] | None, typer.Option("--modality", help="Required input: image, audio.",
                                                       show_default=False)]
MinContextOpt = Annotated[str | None, typer.Option("--min-context", help="Minimum context the model must offer.",
                                                   show_default=False)]
MinParamsOpt = Annotated[float | None, typer.Option("--min-params", help="Minimum size, billions.",
                                                    show_default=False)]
MaxParamsOpt = Annotated[float | None, typer.Option("--max-params", help="Maximum size, billions.",
                                                    show_default=False)]
OpenWeightsOpt = Annotated[bool | None, typer.Option("--open-weights", help="Only freely downloadable weights "
                                                     "(not gated).", show_default=False)]
FullyOpenOpt = Annotated[bool | None, typer.Option("--fully-open", help="Weights, code and data open.",
                                                   show_default=False)]
FamiliesOpt = Annotated[list[str] | None, typer.Option("--family", help="Only these families.", show_default=False)]
ReleasedAfterOpt = Annotated[str | None, typer.Option("--released-after", help="YYYY-MM-DD.", show_default=False)]
CpuOnlyOpt = Annotated[bool | None, typer.Option("--cpu-only", help="Run on the CPU from system RAM.",
                                                 show_default=False)]
MinSpeedOpt = Annotated[float | None, typer.Option("--min-speed", help="Tokens/s that are fast enough (default 20); "
                                                 "slower picks lose points, faster ones gain none.",
                                                 show_default=False)]
MemBandwidthOpt = Annotated[float | None, typer.Option("--mem-bandwidth", help="Memory bandwidth in GB/s, for "
                                                       "speed on a CPU (default 51.2, dual-channel DDR4-3200) or an "
                                                       "unnamed GPU.", show_default=False)]
HeadroomOpt = Annotated[float | None, typer.Option("--headroom", help="GiB to keep free.", show_default=False)]
ProfileOpt = Annotated[Path | None, typer.Option("--profile", help="YAML file of requirements; flags win.",
                                                 show_default=False)]


def memory_flag(value: str | None, flag: str) -> float | None:
    """A memory flag in GiB; what was assumed about its unit goes to stderr."""
    from ..core import parse
    from .common import err

    gib, note = parse.memory(value, flag)
    if note:
        err(f"llmpick: {note}")
    return gib


TEXT_FLAGS = ("vram", "gpu", "ram", "context", "kv_type", "min_context", "released_after", "why_not", "finetune",
              "sort")
LIST_FLAGS = ("license", "exclude_license", "quant", "lang", "task", "modality", "family", "prefer")


def reject_empty(values: dict[str, Any]) -> None:
    """A flag given with nothing in it (--gpu "", --lang "", --quant ,,,) is an error: read as 'not given', it would
    quietly answer another question than the one asked."""
    from ..core import parse
    from ..core.errors import UsageError, shown

    for name in TEXT_FLAGS + LIST_FLAGS:
        value, flag = values.get(name), "--" + name.replace("_", "-")
        if isinstance(value, str) and not value.strip():
            raise UsageError(f"{flag} is empty", f"give a value, or leave {flag} out")
        if isinstance(value, list) and value and not parse.items(value):
            raise UsageError(f"{flag} {shown(','.join(value))} names nothing", f"give a value, or leave {flag} out")


def check_gpus(gpus: int | None, vram_gib: float | None, gpu: str | None) -> None:
    """--gpus N counts GPUs of a size that --vram or --gpu gives; alone it would be ignored."""
    if gpus is not None and not (vram_gib or gpu):
        from ..core.errors import UsageError

        raise UsageError(f"--gpus {gpus} needs the size of each GPU",
                         f'add --vram (memory per GPU) or --gpu, e.g. --gpu "RTX 4090" --gpus {gpus}')


def check_headroom(headroom_gib: float | None, hardware) -> None:
    """--headroom must leave some of the memory the hardware offers."""
    budget = hardware.budget_gib if hardware is not None else None
    if headroom_gib and budget is not None and headroom_gib >= budget:
        from ..core.errors import UsageError

        raise UsageError(f"--headroom {headroom_gib:g} GiB leaves nothing of the {budget:g} GiB available",
                         "keep less free, or describe more memory (--vram, --gpus, --ram)")


def check_notes_shown(fmt, **flags: bool) -> None:
    """--explain and --all add lines under the table; csv has no place for them, so they would be lost."""
    from ..render import OutputFormat

    asked = ["--" + name.replace("_", "-") for name, on in flags.items() if on]
    if asked and fmt is OutputFormat.csv:
        from ..core.errors import UsageError

        verb = "adds" if len(asked) == 1 else "add"
        raise UsageError(f"{' and '.join(asked)} {verb} lines under the table, which csv has no place for",
                         "use --format table, markdown or html (json always holds every score component)")


def requirement_flags(values: dict[str, Any]) -> dict[str, Any]:
    """Command-line values (by parameter name) as Requirements fields; None means 'not given'."""
    from ..advice.memory import kv_type
    from ..core import parse
    from ..core.errors import UsageError

    reject_empty(values)
    if values.get("auto") and (values.get("vram") or values.get("gpu")):
        raise UsageError("--auto detects the hardware, but --vram or --gpu says what it is",
                         "leave --auto out to use the memory you gave, or drop --vram/--gpu to detect it")

    def given(name: str) -> Any:
        return values.get(name)

    def listed(name: str) -> list[str] | None:
        return parse.items(given(name)) or None

    return {
        "commercial": given("commercial"), "strict_license": given("strict_license"),
        "licenses": listed("license"), "exclude_licenses": listed("exclude_license"),
        "no_provenance_risk": given("no_provenance_risk"), "region": given("region"),
        "vram_gib": memory_flag(given("vram"), "--vram"), "gpus": given("gpus"), "gpu": given("gpu"),
        "ram_gib": memory_flag(given("ram"), "--ram"), "cpu_only": given("cpu_only"), "auto": given("auto"),
        "quants": listed("quant"), "context": parse.tokens(given("context")) if given("context") else None,
        "kv_type": kv_type(given("kv_type")) if given("kv_type") else None,
        "parallel": parse.count(given("parallel"), "--parallel", "sequences"),
        "headroom_gib": parse.headroom(given("headroom")), "languages": listed("lang"), "tasks": listed("task"),
        "min_speed": parse.positive(given("min_speed"), "--min-speed", "tokens/s"),
        "mem_bandwidth_gbs": parse.positive(given("mem_bandwidth"), "--mem-bandwidth", "GB/s"),
        "allow_offload": given("allow_offload"),
        "ram_bandwidth_gbs": parse.positive(given("ram_bandwidth"), "--ram-bandwidth", "GB/s"),
        "modalities": listed("modality"),
        "min_context": parse.tokens(given("min_context"), "--min-context") if given("min_context") else None,
        "min_params": given("min_params"), "max_params": given("max_params"),
        "open_weights": given("open_weights"), "fully_open": given("fully_open"), "families": listed("family"),
        "released_after": given("released_after"), "prefer": listed("prefer"), "top": given("top"),
    }


def requirements_and_hardware(values: dict[str, Any], catalog, detect: bool, detector=None):
    """Requirements from --profile and flags, checked against the catalog, and the hardware they describe.

    Without a hardware flag the hardware is detected (`detect`, by `detector` when given) or left out (None)."""
    from ..advice.detect import resolve
    from ..advice.profiles import requirements_from

    flags = requirement_flags(values)
    req = requirements_from(values.get("profile"), flags)
    for license_id in [*req.licenses, *req.exclude_licenses]:
        catalog.license(license_id)
    check_gpus(flags["gpus"], req.vram_gib, req.gpu)
    if not detect and not (req.vram_gib or req.gpu or req.cpu_only or req.ram_gib):
        return req, None
    hardware = resolve(vram_gib=req.vram_gib, gpus=req.gpus if flags["gpus"] or req.gpus > 1 else None, gpu=req.gpu,
                       ram_gib=req.ram_gib, cpu_only=req.cpu_only, auto=req.auto, gpu_files=catalog.gpu_files,
                       detector=detector)
    check_headroom(req.headroom_gib, hardware)
    return req, hardware
