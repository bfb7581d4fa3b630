"""What every command shares: the typer app, the shared options, errors to exit codes, output."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from .. import __version__
from ..core.errors import CatalogError, LlmpickError
from ..render import OutputFormat

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
                                                "stdout; - is stdout.", show_default=False)]


def err(message: str) -> None:
    if sys.stderr is not None:  # closed (2>&-): the exit code still says what happened
        print(message, file=sys.stderr)


def report_error(exc: LlmpickError) -> int:
    if isinstance(exc, CatalogError):
        for problem in exc.problems:
            err(str(problem))
    err(f"llmpick: error: {exc.message}")
    if exc.hint:
        err(f"  hint: {exc.hint}")
    return exc.exit_code


def command(*args: Any, on: typer.Typer | None = None, **kwargs: Any) -> Callable:
    """app.command (or `on`'s, for a command group) that turns library errors into one message and a documented
    exit code."""

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

        return (on or app).command(*args, **kwargs)(wrapper)

    return decorate


def emit(report: Any, fmt: OutputFormat, output: Path | None = None) -> None:
    """The report in `fmt` on stdout, or written atomically to `output` (with a line on stderr)."""
    from ..render import write

    deliver(lambda handle: write(report, fmt, handle), output, fmt.value)


def deliver(write: Callable[[TextIO], object], output: Path | None, what: str) -> None:
    """What `write(handle)` writes, on stdout (no `output`, or `-`), or atomically to `output` with a line on
    stderr naming `what`."""
    from ..core import atomic

    if output is None or str(output) == atomic.STDOUT:
        atomic.write_stdout(write)
        return
    atomic.write_with(output, write)
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
    from ..catalog.loading import load_catalog

    return warn_overrides(load_catalog(catalog_dirs or ()))


def warn_overrides(catalog):
    """The catalog, once stderr says which of its entries replace earlier (built-in) ones with override: true."""
    for override in catalog.overrides:
        err(f"llmpick: warning: {override.warning()}")
    return catalog
