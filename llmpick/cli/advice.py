"""Commands that choose a model: recommend, compare, export, fit, hardware, quality."""

from __future__ import annotations

from typing import Annotated

import typer

from ..core.errors import LlmpickError, shown
from ..render import OutputFormat
from .common import CatalogOpt, FormatOpt, OutputOpt, command, emit, err, load
from .options import (
    AllowOffloadOpt,
    CommercialOpt,
    ContextOpt,
    CpuOnlyOpt,
    CpuOpt,
    ExcludeLicensesOpt,
    FamiliesOpt,
    FullyOpenOpt,
    GpuOpt,
    GpusOpt,
    HeadroomOpt,
    KvTypeOpt,
    LangOpt,
    LicensesOpt,
    MaxParamsOpt,
    MemBandwidthOpt,
    MinContextOpt,
    MinParamsOpt,
    MinSpeedOpt,
    ModalityOpt,
    NoProvenanceOpt,
    OpenWeightsOpt,
    ParallelOpt,
    ProfileOpt,
    QuantOpt,
    RamBandwidthOpt,
    RamOpt,
    RegionOpt,
    ReleasedAfterOpt,
    StrictLicenseOpt,
    TaskOpt,
    VramOpt,
    check_gpus,
    check_headroom,
    check_notes_shown,
    memory_flag,
    reject_empty,
    requirements_and_hardware,
)


@command("recommend")
def recommend(
    commercial: CommercialOpt = None,
    strict_license: StrictLicenseOpt = None,
    license: LicensesOpt = None,
    exclude_license: ExcludeLicensesOpt = None,
    no_provenance_risk: NoProvenanceOpt = None,
    vram: VramOpt = None,
    gpus: GpusOpt = None,
    gpu: GpuOpt = None,
    ram: RamOpt = None,
    cpu_only: CpuOnlyOpt = None,
    auto: Annotated[bool | None, typer.Option("--auto", help="Use the detected hardware (the default when "
                                                 "no hardware flag is given).", show_default=False)] = None,
    quant: QuantOpt = None,
    context: ContextOpt = None,
    kv_type: KvTypeOpt = None,
    parallel: ParallelOpt = None,
    headroom: HeadroomOpt = None,
    min_speed: MinSpeedOpt = None,
    mem_bandwidth: MemBandwidthOpt = None,
    allow_offload: AllowOffloadOpt = None,
    ram_bandwidth: RamBandwidthOpt = None,
    region: RegionOpt = None,
    lang: LangOpt = None,
    task: TaskOpt = None,
    modality: ModalityOpt = None,
    min_context: MinContextOpt = None,
    min_params: MinParamsOpt = None,
    max_params: MaxParamsOpt = None,
    open_weights: OpenWeightsOpt = None,
    fully_open: FullyOpenOpt = None,
    family: FamiliesOpt = None,
    released_after: ReleasedAfterOpt = None,
    prefer: Annotated[list[str] | None, typer.Option("--prefer", help="Shift weights toward quality, speed, "
                                                        "context or license.", show_default=False)] = None,
    profile: ProfileOpt = None,
    top: Annotated[int | None, typer.Option("--top", help="How many to show (default 10).",
                                               show_default=False)] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also list rejected models with reasons.")] = False,
    why_not: Annotated[str | None, typer.Option("--why-not", help="Explain why a model is (not) "
                                                   "recommended.", show_default=False)] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show every score component and formula.")] = False,
    installed: Annotated[bool, typer.Option("--installed", help="Rank only the models installed here (Ollama, LM "
                                            "Studio, the Hugging Face cache; see `llmpick installed`).")] = False,
    mark_installed: Annotated[bool, typer.Option("--mark-installed", help="Rank every model and mark the "
                                                 "installed ones with ✓.")] = False,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """Rank the models you may legally and physically run, and say why.

    On the detected hardware (no hardware flag), speeds measured with `llmpick bench` are shown as measured and
    calibrate the other estimates (docs/runtimes.md).

    Examples:

      llmpick recommend --commercial --vram 12

      llmpick recommend --commercial --vram 12 --lang zh --format json

      llmpick recommend --commercial --region DE --vram 24

      llmpick recommend --gpu "RTX 4090" --task code --context 32k --explain

      llmpick recommend --cpu-only --ram 32 --mem-bandwidth 90 --min-speed 10

      llmpick recommend --gpu "RTX 4060" --ram 32 --allow-offload

      llmpick recommend --cpu-only --ram 8 --why-not mixtral-8x7b-v0.1

      llmpick recommend --installed --task code
    """
    from ..advice.advisor import recommend as run_advisor
    from ..advice.detect import detect_once
    from ..views.reports import recommendation_report, why_not_report
    from .runtimes import installed_cards, measured_here

    check_notes_shown(fmt, explain=explain, all=show_all)
    loaded = load(catalog)
    machine = detect_once()  # the hardware and the measured speeds' fingerprint: one detection for both
    req, hardware = requirements_and_hardware(locals(), loaded, detect=True, detector=machine)
    here = installed_cards(loaded, rank_only=installed)[0] if installed or mark_installed else None
    detected = not (req.vram_gib or req.gpu or req.cpu_only or req.ram_gib)
    result = run_advisor(req, loaded, hardware, measured_here(machine) if detected else None,
                         here if installed else None)
    if why_not:
        emit(why_not_report(result, loaded.get(why_not).id), fmt, output)
        return
    emit(recommendation_report(result, loaded, show_all=show_all, explain=explain, installed=here), fmt, output)


@command("compare")
def compare_command(
    models: Annotated[list[str], typer.Argument(help="Two or more card ids or Hugging Face "
                                                "repo ids.", show_default=False)],
    context: ContextOpt = None,
    diff: Annotated[bool, typer.Option("--diff", help="Mark the fields whose values differ.")] = False,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """Models side by side: license and lineage, size, context, languages, memory, benchmarks, sources.

    Examples:

      llmpick compare llama-2-13b-chat mistral-7b-instruct-v0.2 yi-34b-chat --format markdown

      llmpick compare mistral-7b-v0.1 qwen2.5-7b --diff --context 32k

      llmpick compare llama-2-7b mistral-7b-v0.1 --format html --output compare.html
    """
    from ..core import parse
    from ..views.comparison import DEFAULT_CONTEXT, compare

    reject_empty({"context": context})
    from ..catalog.resolve import find

    tokens = parse.tokens(context) if context else DEFAULT_CONTEXT
    loaded = load(catalog)
    emit(compare(loaded, [find(loaded, m).id for m in models], context=tokens, diff=diff), fmt, output)


@command("export")
def export_command(
    columns: Annotated[str | None, typer.Option("--columns", help="Comma-separated columns, in order "
                                                "(see docs/export.md), e.g. id,params,license,memory_q4_k_m.",
                                                show_default=False)] = None,
    sort: Annotated[str | None, typer.Option("--sort", help="Column to sort by; -column for descending.",
                                             show_default=False)] = None,
    commercial: CommercialOpt = None,
    strict_license: StrictLicenseOpt = None,
    license: LicensesOpt = None,
    exclude_license: ExcludeLicensesOpt = None,
    no_provenance_risk: NoProvenanceOpt = None,
    region: RegionOpt = None,
    lang: LangOpt = None,
    task: TaskOpt = None,
    modality: ModalityOpt = None,
    min_context: MinContextOpt = None,
    min_params: MinParamsOpt = None,
    max_params: MaxParamsOpt = None,
    open_weights: OpenWeightsOpt = None,
    fully_open: FullyOpenOpt = None,
    family: FamiliesOpt = None,
    released_after: ReleasedAfterOpt = None,
    vram: VramOpt = None,
    gpus: GpusOpt = None,
    gpu: GpuOpt = None,
    ram: RamOpt = None,
    cpu_only: CpuOnlyOpt = None,
    quant: QuantOpt = None,
    context: ContextOpt = None,
    headroom: HeadroomOpt = None,
    profile: ProfileOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """The catalog, or the part that meets your constraints, as a table: one model per row.

    Takes the constraints of `recommend`; hardware flags keep only the models that fit.

    Examples:

      llmpick export --commercial --format html --output models.html

      llmpick export --lang zh --vram 12 --columns id,params,license,memory_q4_k_m --sort -params

      llmpick export --format csv > models.csv
    """
    from ..advice.advisor import screen
    from ..views.comparison import DEFAULT_CONTEXT, export
    from ..views.fields import EXPORT_COLUMNS

    loaded = load(catalog)
    req, hardware = requirements_and_hardware(locals(), loaded, detect=False)
    chosen = [c.strip() for c in columns.split(",") if c.strip()] if columns is not None else list(EXPORT_COLUMNS)
    repeated = sorted({c for c in chosen if chosen.count(c) > 1}, key=chosen.index)
    if repeated:
        err(f"llmpick: warning: --columns lists {', '.join(repeated)} more than once; each is shown once")
        chosen = list(dict.fromkeys(chosen))
    cards = screen(req, loaded, hardware)
    report = export(loaded, cards, chosen, sort, context=req.context if context else DEFAULT_CONTEXT,
                    constraints=[*req.given(), *([f"fits {hardware.describe()}"] if hardware else [])])
    emit(report, fmt, output)


@command("fit")
def fit_command(
    model: Annotated[str, typer.Argument(help="Card id or Hugging Face repo id.")],
    vram: VramOpt = None,
    gpus: GpusOpt = None,
    gpu: GpuOpt = None,
    ram: RamOpt = None,
    cpu_only: CpuOpt = False,
    quant: QuantOpt = None,
    context: ContextOpt = None,
    context_sweep: Annotated[bool, typer.Option("--context-sweep", help="Memory at 2k, 8k, 32k, 128k and the "
                                                "model's maximum (and at --context, if given).")] = False,
    kv_type: KvTypeOpt = None,
    parallel: ParallelOpt = None,
    ram_bandwidth: RamBandwidthOpt = None,
    finetune: Annotated[str | None, typer.Option("--finetune", help="lora, qlora or full.",
                                                    show_default=False)] = None,
    headroom: HeadroomOpt = None,
    explain: Annotated[bool, typer.Option("--explain", help="Print each formula with the card's values.")] = False,
    auto: Annotated[bool, typer.Option("--auto", help="Use the detected hardware, with the speeds measured on it "
                                       "(llmpick bench).")] = False,
    installed: Annotated[bool, typer.Option("--installed", help="Mark with ✓ the settings installed here.")] = False,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """Will MODEL run on my hardware? Memory per quantization, what fits, and estimated speed.

    With --ram, a setting too large for the GPU is split between GPU and RAM (GPU+RAM): the most layers on the
    GPU that fit, the memory on each side, and the speed of the split.

    Examples:

      llmpick fit mixtral-8x7b-v0.1 --gpu "RTX 4090" --context 32k

      llmpick fit llama-2-7b --vram 12 --context-sweep --explain

      llmpick fit mistral-7b-v0.1 --vram 24 --finetune qlora

      llmpick fit deepseek-v3 --context 32k --kv-type q8_0 --parallel 4

      llmpick fit qwen3-14b --gpu "RTX 4060" --ram 32

      llmpick fit qwen3-8b --auto --installed
    """
    from ..advice.detect import detect_once, resolve
    from ..advice.fit import fit, sweep_contexts
    from ..advice.memory import kv_type as check_kv_type
    from ..advice.offload import can_offload
    from ..advice.quants import quant as check_quant
    from ..core import parse
    from ..views.reports import FitExtras, fit_report
    from ..views.running import fit_plan

    reject_empty(locals())
    check_notes_shown(fmt, explain=explain)
    if finetune and finetune not in ("lora", "qlora", "full"):
        raise LlmpickError(f"--finetune {shown(finetune)} is not one of lora, qlora, full")
    from ..catalog.resolve import find

    loaded = load(catalog)
    card = find(loaded, model)
    quants = [check_quant(q).id for q in parse.items(quant)] or None
    vram, ram = memory_flag(vram, "--vram"), memory_flag(ram, "--ram")
    check_gpus(gpus, vram, gpu)
    hardware = None
    flagged = bool(vram or gpu or cpu_only or ram)
    machine = detect_once()  # --auto's hardware and the measured speeds' fingerprint: one detection for both
    if flagged or auto:
        hardware = resolve(vram_gib=vram, gpus=gpus, gpu=gpu, ram_gib=ram, cpu_only=cpu_only, auto=auto,
                           gpu_files=loaded.gpu_files, detector=machine)
    from .runtimes import fit_extras

    measured, extra_notes, marks = fit_extras(loaded, card.id, hardware, detected=not flagged, installed=installed,
                                              detector=machine)
    free = parse.headroom(headroom) or 0.0
    check_headroom(free, hardware)
    asked = [parse.tokens(context)] if context else []
    contexts = sorted({*sweep_contexts(card), *asked}) if context_sweep else asked or [4096]
    kv = check_kv_type(kv_type) if kv_type else "fp16"
    sequences = parse.count(parallel, "--parallel", "sequences") or 1
    rows = fit(card, hardware, quants, contexts, finetune, free, kv_dtype=kv, batch=sequences,
               ram_bandwidth_gbs=parse.positive(ram_bandwidth, "--ram-bandwidth", "GB/s"), measured=measured)
    hardware_text = hardware.describe() if hardware else "none given (use --vram, --gpu, --ram or --cpu-only)"
    if can_offload(hardware):
        hardware_text += f"; {hardware.ram_gib:g} GiB system RAM for what does not fit the GPU"
    run = None if finetune else fit_plan(card, rows, hardware, max(asked or [4096]))
    emit(fit_report(card, rows, hardware_text, explain, FitExtras(run, tuple(extra_notes), frozenset(marks))), fmt,
         output)


@command("hardware")
def hardware_command(fmt: FormatOpt = OutputFormat.table) -> None:
    """Show the local GPUs (NVML, nvidia-smi or Apple sysctl) and system RAM.

    Example: llmpick hardware --format json
    """
    from ..advice.detect import detect
    from ..views.reports import hardware_report

    emit(hardware_report(detect()), fmt)


@command("quality")
def quality(
    models: Annotated[list[str] | None, typer.Argument(help="Card ids or Hugging Face repo ids (default: every "
                                                       "model with an index).", show_default=False)] = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """The calibrated quality index of each model, its error, and the benchmark figures it rests on.

    Examples:

      llmpick quality qwen3-14b

      llmpick quality --format json | python -m json.tool
    """
    from ..catalog.resolve import find
    from ..views.evidence import quality_report

    loaded = load(catalog)
    emit(quality_report(loaded, [find(loaded, m).id for m in models or []]), fmt, output)
