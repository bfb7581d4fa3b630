"""The llmpick command line: each command parses flags, calls the library, renders the result.

Importing the command modules registers their commands on the app; HELP_ORDER orders them."""

from __future__ import annotations

import copy
import sys

import typer

from . import advice, audit, hub, models, runtimes  # noqa: F401  (importing registers the commands)
from .common import app, err

# how `llmpick --help` lists them: the catalog, choosing a model, this machine, auditing, the Hub
HELP_ORDER = ("validate", "list", "show", "licenses", "schema", "recommend", "quality", "compare", "export", "fit",
              "hardware", "installed", "bench", "audit", "import", "sync")
app.registered_commands.sort(key=lambda info: HELP_ORDER.index(info.name) if info.name in HELP_ORDER else 99)


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
