"""The commands that read the Hugging Face Hub: `import` (draft cards), `sync` (drift), `catalog gaps`."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..core.errors import EXIT_FINDINGS
from ..render import OutputFormat
from .common import CatalogOpt, FormatOpt, OutputOpt, command, emit, err, load
from .models import catalog_app

if TYPE_CHECKING:
    from ..catalog.cards import Card

TimeoutOpt = Annotated[float | None, typer.Option("--timeout", min=0.1, show_default=False,
                                                  help="Seconds to wait for each Hub request (default 10).")]


def _client(catalog, timeout: float | None):
    from ..hub.client import HubClient

    # llmpick.hub is imported only by these commands, to keep every other command's start-up unchanged
    settings = {"timeout": timeout} if timeout else {}
    return HubClient(**settings, known_repos=[repo for card in catalog for repo in card.hf_repos])


@command("import")
def import_command(
    repo: Annotated[str, typer.Argument(metavar="REPO_ID", help="Hub repository, e.g. mistralai/Mistral-7B-v0.1.")],
    revision: Annotated[str | None, typer.Option("--revision", help="Branch, tag or commit (default main).",
                                                    show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write <id>.yaml into.")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing card file.")] = False,
    set_: Annotated[list[str] | None, typer.Option("--set", metavar="FIELD=VALUE", help="Fill or correct a field "
                                                      "(value read as YAML; repeatable), e.g. --set 'tasks=[chat]'.",
                                                      show_default=False)] = None,
    timeout: TimeoutOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """Draft a card from a Hugging Face Hub repo: license, languages, tasks, parameters, architecture, context.

    The draft is validated before it is written; fields the Hub cannot tell are listed on stderr and left
    out. Review it (see docs/catalog.md, "Import then review") before adding it to a catalog.

    Exit codes: 0 written, 1 draft incomplete or invalid (nothing written), 2 usage error or unknown repo,
    3 the Hub or the network failed.

    Example: llmpick import mistralai/Mistral-7B-v0.1 --out my-cards/
    """
    from ..hub.importer import import_card, parse_overrides

    loaded = load(catalog)
    overrides = parse_overrides(set_)
    result = import_card(repo, out, loaded, _client(loaded, timeout), revision=revision, force=force,
                         overrides=overrides)
    print(result.path)
    for line in result.draft.missing:
        err(f"not filled: {line}")
    for line in result.draft.review:
        err(f"review: {line}")
    if result.existing:
        err(f"note: the catalog already has {result.existing} for this repo; `llmpick sync {result.existing}` "
            "compares it with the Hub")


@command("sync")
def sync_command(
    ids: Annotated[list[str] | None, typer.Argument(metavar="IDS", help="Card ids or Hub repos "
                                                       "(default: every card with hf_repos).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when a license, gate, size or repo "
                                        "has drifted (for a scheduled CI job).")] = False,
    timeout: TimeoutOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    catalog: CatalogOpt = None,
) -> None:
    """Compare cards with the Hub: license, gated, parameters, context length, last change.

    License, gate, parameters (beyond 10%) and a vanished repo are drift; the context length and a repo
    changed after the card's verified date are listed for review.

    Exit codes: 0 no drift (or no --check), 1 drift with --check, 2 usage error, 3 the Hub or the network
    failed.

    Examples:

      llmpick sync mistral-7b-v0.1 mixtral-8x7b-v0.1

      llmpick sync --check --format markdown > drift.md
    """
    from ..hub.drift import has_drift, sync, sync_report

    loaded = load(catalog)
    cards = [loaded.get(i) for i in ids] if ids else [card for card in loaded if card.hf_repos]
    missing = [card.id for card in cards if not card.hf_repos]
    if missing:
        from ..core.errors import UsageError

        raise UsageError(f"{', '.join(missing)} list{'s' if len(missing) == 1 else ''} no hf_repos to compare")
    client = _client(loaded, timeout)
    with _progress(len(cards)) as step:
        differences = sync(cards, loaded, client, progress=step)
    emit(sync_report(differences, [card.id for card in cards], dt.date.today()), fmt)
    if check and has_drift(differences):
        raise typer.Exit(EXIT_FINDINGS)


@command("gaps", on=catalog_app)
def gaps_command(
    sort: Annotated[str, typer.Option("--sort", help="downloads, likes or trending.")] = "downloads",
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="How many of the Hub's top models to "
                                       "check.")] = 100,
    task: Annotated[str, typer.Option("--task", help="Hub pipeline tag; 'any' for every task.")] = "text-generation",
    show_all: Annotated[bool, typer.Option("--all", help="Also list the models a card answers to.")] = False,
    timeout: TimeoutOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """The Hub's most downloaded, liked or trending models that no card answers to: what to add next.

    A model counts as covered when `audit` would resolve its repo id to a card (hf_repos, renamed ids,
    quantized re-uploads). Each gap comes with the `llmpick import` line that drafts its card.

    Exit codes: 0 listed, 2 usage error, 3 the Hub or the network failed.

    Examples:

      llmpick catalog gaps

      llmpick catalog gaps --sort trending --limit 50 --format markdown
    """
    from ..core.errors import UsageError, unknown_choice
    from ..hub.gaps import SORTS, find_gaps, gaps_report

    if sort not in SORTS:
        raise UsageError(unknown_choice("--sort", sort, list(SORTS), f"choose from {', '.join(SORTS)}"))
    loaded = load(catalog)
    found = find_gaps(loaded, _client(loaded, timeout), sort=sort, limit=limit,
                      pipeline_tag=None if task == "any" else task)
    emit(gaps_report(found, sort=sort, show_known=show_all), fmt, output)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[Card], None]]:
    """A rich progress bar on stderr when stderr is a terminal; silent otherwise (CI logs, pipes)."""
    if not sys.stderr.isatty():
        yield lambda card: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("checking", total=total)
        done = iter(range(total))

        def step(card: Card) -> None:
            bar.update(task, completed=next(done, total), description=f"checking {card.id}")

        yield step
