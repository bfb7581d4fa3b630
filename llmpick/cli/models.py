"""Commands about the catalog itself: validate, list, show, licenses, schema, catalog stats."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..core.errors import CatalogError, LlmpickError, shown
from ..render import OutputFormat
from .common import CatalogOpt, FormatOpt, OutputOpt, app, command, deliver, emit, err, load, warn_overrides


@command("validate")
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Catalog directories or card files "
                                                          "(default: the configured catalogs).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    catalog: CatalogOpt = None,
) -> None:
    """Check cards, licenses, benchmarks and GPUs; report every problem as path:line: field: message.

    Exit codes: 0 valid, 1 invalid cards, 2 usage error.

    Example: llmpick validate catalog/ my-cards/
    """
    import json

    from ..catalog.loading import load_catalog

    if fmt not in ("text", "json"):
        raise LlmpickError(f"--format must be text or json, not {shown(fmt)}")
    try:
        loaded = warn_overrides(load_catalog([*(catalog or ()), *(paths or ())]))
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
    from ..views.reports import models_report

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
    from ..catalog.resolve import find
    from ..views.reports import card_report

    loaded = load(catalog)
    emit(card_report(loaded, find(loaded, model)), fmt)


@command("licenses")
def licenses(
    license_id: Annotated[str | None, typer.Argument(metavar="ID", help="One license id.")] = None,
    fmt: FormatOpt = OutputFormat.table,
    catalog: CatalogOpt = None,
) -> None:
    """The license registry: what each license allows and which cards use it.

    Example: llmpick licenses llama2
    """
    from ..views.reports import licenses_report

    loaded = load(catalog)
    ids = [loaded.license(license_id).id] if license_id else sorted(loaded.licenses)
    emit(licenses_report(loaded, ids), fmt)


class SchemaKind(str, enum.Enum):
    card = "card"
    license = "license"
    benchmark = "benchmark"
    gpu = "gpu"
    manifest = "manifest"
    policy = "policy"


def json_schema(kind: SchemaKind) -> dict[str, Any]:
    """The JSON Schema of the file each kind names, from the pydantic model that validates it."""
    from pydantic import TypeAdapter

    if kind is SchemaKind.card:
        from ..catalog.cards import Card

        document = Card.model_json_schema()
    elif kind is SchemaKind.license:
        from ..catalog.licenses import License

        document = TypeAdapter(list[License]).json_schema()  # licenses.yaml is a list of them
    elif kind is SchemaKind.benchmark:
        from ..catalog.benchmarks import BenchmarkInfo

        document = TypeAdapter(list[BenchmarkInfo]).json_schema()  # benchmarks.yaml is a list of them
    elif kind is SchemaKind.gpu:
        from ..advice.hardware import Gpu

        document = TypeAdapter(list[Gpu]).json_schema()
    else:
        from ..audit.policy import ManifestFile, Policy

        document = (ManifestFile if kind is SchemaKind.manifest else Policy).model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **document}


@command("schema")
def schema(
    kind: Annotated[SchemaKind, typer.Argument(help="card (catalog/models/*.yaml), license (licenses.yaml), "
                                               "benchmark (benchmarks.yaml), "
                                               "gpu (gpus.yaml), manifest "
                                               "(llmpick.yaml, or [tool.llmpick] in pyproject.toml) or policy "
                                               "(a file for audit --policy).")] = SchemaKind.card,
    output: OutputOpt = None,
) -> None:
    """Print the JSON Schema of a card, license, benchmark, GPU, manifest or policy, for editors that validate
    YAML as you type.

    Examples:

      llmpick schema > llmpick-card.schema.json

      llmpick schema manifest --output llmpick.schema.json
    """
    import json

    text = json.dumps(json_schema(kind), indent=2) + "\n"
    deliver(lambda handle: handle.write(text), output, f"{kind.value} schema")


catalog_app = typer.Typer(name="catalog", help="About the catalog as a whole.\n\nExamples: llmpick catalog stats; "
                          "llmpick catalog gaps --sort trending",
                          no_args_is_help=True)
app.add_typer(catalog_app)


@command("stats", on=catalog_app)
def stats(
    short: Annotated[bool, typer.Option("--short", help="List the cards short of the evidence target (two "
                                        "figures, one independent, since 2024; one before) and what each lacks.")]
    = False,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """How much quality evidence the catalog holds: benchmark figures per card, by evaluator and benchmark.

    Examples:

      llmpick catalog stats

      llmpick catalog stats --short

      llmpick catalog stats --format json
    """
    from ..views.evidence import short_report, stats_report

    loaded = load(catalog)
    emit(short_report(loaded) if short else stats_report(loaded), fmt, output)
