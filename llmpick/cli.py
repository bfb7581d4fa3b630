"""The llmpick command line: each command parses flags, calls the library, renders the result."""

from __future__ import annotations

import copy
import enum
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from . import __version__
from .errors import CatalogError, LlmpickError
from .render import OutputFormat

app = typer.Typer(
    name="llmpick",
    help="Choose an open-weight LLM you may legally and physically run.\n\n"
    "Examples:\n\n"
    "  llmpick recommend --commercial --vram 12\n\n"
    "  llmpick show mistral-7b-v0.1\n\n"
    "  llmpick list --commercial --format json",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

CatalogOpt = Annotated[
    list[Path] | None,
    typer.Option("--catalog", "-c", help="Extra catalog directory overlaying the built-in one (repeatable; "
                 "also LLMPICK_CATALOG, a path list).", show_default=False),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE (atomically) instead of "
                                                "stdout.", show_default=False)]


def err(message: str) -> None:
    print(message, file=sys.stderr)


def report_error(exc: LlmpickError) -> int:
    if isinstance(exc, CatalogError):
        for problem in exc.problems:
            err(str(problem))
    err(f"llmpick: error: {exc.message}")
    if exc.hint:
        err(f"  hint: {exc.hint}")
    return exc.exit_code


def command(*args: Any, **kwargs: Any) -> Callable:
    """app.command that turns library errors into one message and a documented exit code."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            try:
                return fn(*a, **kw)
            except LlmpickError as exc:
                raise typer.Exit(report_error(exc)) from None
            except KeyboardInterrupt:
                err("llmpick: interrupted")
                raise typer.Exit(130) from None
            except BrokenPipeError:
                raise typer.Exit(0) from None

        return app.command(*args, **kwargs)(wrapper)

    return decorate


def emit(report: Any, fmt: OutputFormat, output: Path | None = None) -> None:
    """The report in `fmt` on stdout, or written atomically to `output` (with a line on stderr)."""
    from .render import write

    deliver(lambda handle: write(report, fmt, handle), output, fmt.value)


def deliver(write: Callable[[TextIO], object], output: Path | None, what: str) -> None:
    """What `write(handle)` writes, on stdout, or atomically to `output` with a line on stderr naming `what`."""
    if output is None:
        write(sys.stdout)
        return
    from .atomic import write_with

    write_with(output, write)
    err(f"wrote {output} ({what})")


def _version(value: bool) -> None:
    if value:
        print(f"llmpick {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Choose an open-weight LLM you may legally and physically run."""


def load(catalog_dirs: list[Path] | None):
    from .catalog import load_catalog

    return load_catalog(catalog_dirs or ())


@command("validate")
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Catalog directories or card files "
                                                          "(default: the configured catalogs).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    catalog: CatalogOpt = None,
) -> None:
    """Check cards and licenses; report every problem as path:line: field: message.

    Exit codes: 0 valid, 1 invalid cards, 2 usage error.

    Example: llmpick validate catalog/ my-cards/
    """
    import json

    from .catalog import load_catalog

    if fmt not in ("text", "json"):
        raise LlmpickError(f"--format must be text or json, not {fmt!r}")
    try:
        loaded = load_catalog([*(catalog or ()), *(paths or ())])
    except CatalogError as exc:
        if fmt == "json":
            print(json.dumps({"valid": False, "problems": [p.as_dict() for p in exc.problems]}, indent=2))
            raise typer.Exit(exc.exit_code) from None
        raise
    if fmt == "json":
        print(json.dumps({"valid": True, "cards": len(loaded), "licenses": len(loaded.licenses),
                          "problems": []}, indent=2))
    else:
        err(f"ok: {len(loaded)} cards and {len(loaded.licenses)} licenses are valid")


@command("list")
def list_models(
    family: Annotated[str | None, typer.Option(help="Only this family, e.g. llama-2.")] = None,
    license: Annotated[str | None, typer.Option("--license", help="Only models whose effective license "
                                                   "is this id.")] = None,
    commercial: Annotated[bool, typer.Option("--commercial", help="Only models whose effective license "
                                             "allows commercial use (conditional included).")] = False,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """List the models in the catalog with their effective license.

    Example: llmpick list --commercial --format csv > models.csv
    """
    from .views import models_report

    loaded = load(catalog)
    if license:
        loaded.license(license)  # unknown id -> error with suggestions
    cards = [
        card for card in sorted(loaded, key=lambda c: c.id)
        if (family is None or card.family == family)
        and (license is None or loaded.effective_license(card.id).license.id == license)
        and (not commercial or loaded.effective_license(card.id).commercial != "no")
    ]
    emit(models_report(loaded, cards), fmt, output)


@command("show")
def show(
    model: Annotated[str, typer.Argument(help="Card id or Hugging Face repo id.")],
    fmt: FormatOpt = OutputFormat.table,
    catalog: CatalogOpt = None,
) -> None:
    """Every field of one card, its effective license with the lineage, and its file.

    Example: llmpick show vicuna-13b-v1.1
    """
    from .views import card_report

    loaded = load(catalog)
    emit(card_report(loaded, loaded.get(model)), fmt)


@command("licenses")
def licenses(
    license_id: Annotated[str | None, typer.Argument(metavar="ID", help="One license id.")] = None,
    fmt: FormatOpt = OutputFormat.table,
    catalog: CatalogOpt = None,
) -> None:
    """The license registry: what each license allows and which cards use it.

    Example: llmpick licenses llama2
    """
    from .views import licenses_report

    loaded = load(catalog)
    ids = [loaded.license(license_id).id] if license_id else sorted(loaded.licenses)
    emit(licenses_report(loaded, ids), fmt)


class SchemaKind(str, enum.Enum):
    card = "card"
    license = "license"
    gpu = "gpu"
    manifest = "manifest"
    policy = "policy"


def json_schema(kind: SchemaKind) -> dict[str, Any]:
    """The JSON Schema of the file each kind names, from the pydantic model that validates it."""
    from pydantic import TypeAdapter

    if kind is SchemaKind.card:
        from .cards import Card

        document = Card.model_json_schema()
    elif kind is SchemaKind.license:
        from .licenses import License

        document = TypeAdapter(list[License]).json_schema()  # licenses.yaml is a list of them
    elif kind is SchemaKind.gpu:
        from .hardware import Gpu

        document = TypeAdapter(list[Gpu]).json_schema()
    else:
        from .policy import ManifestFile, Policy

        document = (ManifestFile if kind is SchemaKind.manifest else Policy).model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **document}


@command("schema")
def schema(
    kind: Annotated[SchemaKind, typer.Argument(help="card (catalog/models/*.yaml), license (licenses.yaml), "
                                               "gpu (gpus.yaml), manifest "
                                               "(llmpick.yaml, or [tool.llmpick] in pyproject.toml) or policy "
                                               "(a file for audit --policy).")] = SchemaKind.card,
    output: OutputOpt = None,
) -> None:
    """Print the JSON Schema of a card, license, GPU, manifest or policy, for editors that validate YAML as you
    type.

    Examples:

      llmpick schema > llmpick-card.schema.json

      llmpick schema manifest --output llmpick.schema.json
    """
    import json

    text = json.dumps(json_schema(kind), indent=2) + "\n"
    deliver(lambda handle: handle.write(text), output, f"{kind.value} schema")


VramOpt = Annotated[float | None, typer.Option("--vram", help="GPU memory per GPU, in GB.", show_default=False)]
GpusOpt = Annotated[int | None, typer.Option("--gpus", help="Number of GPUs of that size.", show_default=False)]
GpuOpt = Annotated[str | None, typer.Option("--gpu", help='GPU from the table, e.g. "RTX 4090" or '
                                                '"2x A100 80GB".', show_default=False)]
RamOpt = Annotated[float | None, typer.Option("--ram", help="System RAM in GB (for --cpu-only).",
                                                 show_default=False)]
CpuOpt = Annotated[bool, typer.Option("--cpu-only", help="Run on the CPU from system RAM.")]
ContextOpt = Annotated[str | None, typer.Option("--context", help="Tokens of context you need: 4096, 8k, "
                                                   "32k, 128k (default 4k).", show_default=False)]
QuantOpt = Annotated[list[str] | None, typer.Option("--quant", help="Allowed quantizations, comma-separated "
                                                       "(default fp16,q8_0,q4_k_m).", show_default=False)]


def gpu_files(catalog) -> list[Path]:
    return catalog.gpu_files


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
HeadroomOpt = Annotated[float | None, typer.Option("--headroom", help="GB to keep free.", show_default=False)]
ProfileOpt = Annotated[Path | None, typer.Option("--profile", help="YAML file of requirements; flags win.",
                                                 show_default=False)]


def requirement_flags(values: dict[str, Any]) -> dict[str, Any]:
    """Command-line values (by parameter name) as Requirements fields; None means 'not given'."""
    from . import parse

    def given(name: str) -> Any:
        return values.get(name)

    def listed(name: str) -> list[str] | None:
        return parse.items(given(name)) or None

    return {
        "commercial": given("commercial"), "strict_license": given("strict_license"),
        "licenses": listed("license"), "exclude_licenses": listed("exclude_license"),
        "no_provenance_risk": given("no_provenance_risk"),
        "vram_gb": parse.gigabytes(given("vram"), "--vram"), "gpus": given("gpus"), "gpu": given("gpu"),
        "ram_gb": parse.gigabytes(given("ram"), "--ram"), "cpu_only": given("cpu_only"), "auto": given("auto"),
        "quants": listed("quant"), "context": parse.tokens(given("context")) if given("context") else None,
        "headroom_gb": given("headroom"), "languages": listed("lang"), "tasks": listed("task"),
        "modalities": listed("modality"),
        "min_context": parse.tokens(given("min_context"), "--min-context") if given("min_context") else None,
        "min_params": given("min_params"), "max_params": given("max_params"),
        "open_weights": given("open_weights"), "fully_open": given("fully_open"), "families": listed("family"),
        "released_after": given("released_after"), "prefer": listed("prefer"), "top": given("top"),
    }


def requirements_and_hardware(values: dict[str, Any], catalog, detect: bool):
    """Requirements from --profile and flags, checked against the catalog, and the hardware they describe.

    Without a hardware flag the hardware is detected (`detect`) or left out (None)."""
    from .hardware import resolve
    from .profiles import requirements_from

    flags = requirement_flags(values)
    req = requirements_from(values.get("profile"), flags)
    for license_id in [*req.licenses, *req.exclude_licenses]:
        catalog.license(license_id)
    if not detect and not (req.vram_gb or req.gpu or req.cpu_only or req.ram_gb):
        return req, None
    hardware = resolve(vram_gb=req.vram_gb, gpus=req.gpus if flags["gpus"] or req.gpus > 1 else None, gpu=req.gpu,
                       ram_gb=req.ram_gb, cpu_only=req.cpu_only, auto=req.auto, gpu_files=gpu_files(catalog))
    return req, hardware


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
    headroom: HeadroomOpt = None,
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
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """Rank the models you may legally and physically run, and say why.

    Examples:

      llmpick recommend --commercial --vram 12

      llmpick recommend --commercial --vram 12 --lang zh --format json

      llmpick recommend --gpu "RTX 4090" --task code --context 32k --explain

      llmpick recommend --cpu-only --ram 8 --why-not mixtral-8x7b-v0.1
    """
    from .advisor import recommend as run_advisor
    from .views import recommendation_report, why_not_report

    loaded = load(catalog)
    req, hardware = requirements_and_hardware(locals(), loaded, detect=True)
    result = run_advisor(req, loaded, hardware)
    if why_not:
        emit(why_not_report(result, loaded.get(why_not).id), fmt, output)
        return
    emit(recommendation_report(result, loaded, show_all=show_all, explain=explain), fmt, output)


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
    from . import parse
    from .comparison import DEFAULT_CONTEXT, compare

    tokens = parse.tokens(context) if context else DEFAULT_CONTEXT
    loaded = load(catalog)
    emit(compare(loaded, models, context=tokens, diff=diff), fmt, output)


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
    from .advisor import screen
    from .comparison import DEFAULT_CONTEXT, export
    from .fields import EXPORT_COLUMNS

    loaded = load(catalog)
    req, hardware = requirements_and_hardware(locals(), loaded, detect=False)
    chosen = [c.strip() for c in columns.split(",") if c.strip()] if columns is not None else list(EXPORT_COLUMNS)
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
                                                "model's maximum.")] = False,
    finetune: Annotated[str | None, typer.Option("--finetune", help="lora, qlora or full.",
                                                    show_default=False)] = None,
    headroom: Annotated[float, typer.Option("--headroom", help="GB to keep free.")] = 0.0,
    explain: Annotated[bool, typer.Option("--explain", help="Print each formula with the card's values.")] = False,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """Will MODEL run on my hardware? Memory per quantization, what fits, and estimated speed.

    Examples:

      llmpick fit mixtral-8x7b-v0.1 --gpu "RTX 4090" --context 32k

      llmpick fit llama-2-7b --vram 12 --context-sweep --explain

      llmpick fit mistral-7b-v0.1 --vram 24 --finetune qlora
    """
    from . import parse
    from .fit import fit, sweep_contexts
    from .hardware import resolve
    from .memory import quant as check_quant
    from .views import fit_report

    if finetune and finetune not in ("lora", "qlora", "full"):
        raise LlmpickError(f"--finetune {finetune!r} is not one of lora, qlora, full")
    loaded = load(catalog)
    card = loaded.get(model)
    quants = [check_quant(q).id for q in parse.items(quant)] or None
    vram, ram = parse.gigabytes(vram, "--vram"), parse.gigabytes(ram, "--ram")
    hardware = None
    if vram or gpu or cpu_only or ram:
        hardware = resolve(vram_gb=vram, gpus=gpus, gpu=gpu, ram_gb=ram, cpu_only=cpu_only,
                           gpu_files=gpu_files(loaded))
    contexts = sweep_contexts(card) if context_sweep else [parse.tokens(context) if context else 4096]
    rows = fit(card, hardware, quants, contexts, finetune, headroom)
    hardware_text = hardware.describe() if hardware else "none given (use --vram, --gpu, --ram or --cpu-only)"
    emit(fit_report(card, [r[2] for r in rows], hardware_text, explain, [(r[0], r[1]) for r in rows]), fmt,
         output)


@command("hardware")
def hardware_command(fmt: FormatOpt = OutputFormat.table) -> None:
    """Show the local GPUs (NVML, nvidia-smi or Apple sysctl) and system RAM.

    Example: llmpick hardware --format json
    """
    from .hardware import detect
    from .views import hardware_report

    emit(hardware_report(detect()), fmt)


# commands defined in their own modules register themselves on `app` when imported
from . import cli_audit, cli_hub  # noqa: E402,F401  (registers commands)


def invoked(args: list[str]) -> typer.Typer:
    """The app with only the command that `args` name, when they start with one.

    typer builds every registered command's options on each run; building the one that runs is what it needs,
    and its help, usage and errors are the same. Anything else (an option, an unknown command) gets the whole
    app, so that typer's own messages and suggestions still list every command."""
    chosen = [info for info in app.registered_commands if args and info.name == args[0]]
    if not chosen:
        return app
    narrowed = copy.copy(app)
    narrowed.registered_commands = chosen
    return narrowed


def run() -> None:
    """Console-script entry point."""
    try:
        invoked(sys.argv[1:])()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        err("llmpick: interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    run()
