"""The llmpick command line: each command parses flags, calls the library, renders the result."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

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


def emit(report: Any, fmt: OutputFormat) -> None:
    from .render import render

    sys.stdout.write(render(report, fmt))


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
    emit(models_report(loaded, cards), fmt)


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


@command("schema")
def schema(
    kind: Annotated[str, typer.Argument(help="card or license.")] = "card",
) -> None:
    """Print the JSON Schema of a card, for editors that validate YAML as you type.

    Example: llmpick schema > llmpick-card.schema.json
    """
    import json

    from .cards import Card
    from .licenses import License

    models = {"card": Card, "license": License}
    if kind not in models:
        raise LlmpickError(f"unknown schema {kind!r}", "use card or license")
    schema_doc = models[kind].model_json_schema()
    schema_doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    print(json.dumps(schema_doc, indent=2))


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        err("llmpick: interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    run()
