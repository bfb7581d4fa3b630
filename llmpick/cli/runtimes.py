"""The commands about this machine's runtimes: `installed` (local models mapped to cards) and `bench` (measured
speed), and the helpers recommend and fit use to mark installed models and read measured speeds."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..core.errors import UsageError, shown
from ..render import OutputFormat
from .common import CatalogOpt, FormatOpt, OutputOpt, command, emit, err, load

if TYPE_CHECKING:
    from ..catalog.catalog import Catalog
    from ..runtimes.installed import Installed

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "0.0.0.0")


@command("installed")
def installed_command(
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Look only here (repeatable): ollama, "
                                                     "lmstudio, hf-cache, llama.cpp, gguf. A source named here that "
                                                     "cannot be read is an error; by default it is a warning.",
                                                     show_default=False)] = None,
    path: Annotated[list[Path] | None, typer.Option("--path", help="A folder of .gguf files to read (repeatable); "
                                                    "their headers say architecture, quantization and context.",
                                                    show_default=False)] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds Ollama has to list its models and "
                                           "their details.")] = 10.0,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """The models on this machine (Ollama, LM Studio, the Hugging Face and llama.cpp caches, GGUF files), each mapped
    to a card.

    Ollama is asked at OLLAMA_HOST (default http://127.0.0.1:11434); LM Studio through `lms ls --json` or its
    model folders; the Hugging Face cache at HF_HUB_CACHE (default ~/.cache/huggingface/hub); llama.cpp's
    downloads at LLAMA_CACHE (default ~/.cache/llama.cpp, ~/Library/Caches/llama.cpp on macOS). A model the
    catalog does not know is listed as unknown, with `llmpick import REPO` when its Hub repo is known.

    Exit codes: 0 listed (sources that could not be read are warnings), 2 bad flag or a --source that cannot be
    read, 3 a --source service that does not answer.

    Examples:

      llmpick installed

      llmpick installed --source ollama --format json

      llmpick installed --path ~/models --path /srv/gguf
    """
    found = find(load(catalog), source, path, timeout)
    from ..views.runtimes import installed_report

    emit(installed_report(found), fmt, output)


def find(catalog: Catalog, sources: list[str] | None = None, paths: list[Path] | None = None,
         seconds: float | None = None) -> Installed:
    from ..runtimes.installed import find_installed

    return find_installed(catalog, sources, paths, seconds=seconds)


def installed_cards(catalog: Catalog, rank_only: bool) -> tuple[set[str], dict[str, list[str]]]:
    """The card ids installed here, and per card its quantizations, for recommend and fit; sources that fail are
    warnings. With `rank_only` (recommend --installed), finding none is an error (exit 2)."""
    found = find(catalog)
    for line in found.warnings:
        err(f"llmpick: warning: {line}")
    quants: dict[str, list[str]] = {}
    for mapped in found.models:
        if mapped.card:
            quants.setdefault(mapped.card, []).extend((mapped.model.quant or "").split(","))
    if rank_only and not quants:
        looked = ", ".join(found.looked)
        if found.models:
            raise UsageError(f"none of the {len(found.models)} installed model(s) is in the catalog",
                             "`llmpick installed` lists them; `llmpick import REPO` drafts a card")
        raise UsageError(f"--installed: no installed model found (looked in {looked})",
                         "pull one (e.g. `ollama pull qwen3:8b`), or drop --installed")
    return set(quants), {card: sorted({q for q in qs if q}) for card, qs in quants.items()}


def measured_here(detector=None):
    """Speeds measured on this machine (llmpick bench), or None; `detector` the command's memo of the detection."""
    from ..advice.measured import here

    return here(lambda line: err(f"llmpick: warning: {line}"), detector)


@command("bench")
def bench_command(
    model: Annotated[str, typer.Argument(help="Card id or Ollama tag (or, with --endpoint, the server's model "
                                         "name).")],
    endpoint: Annotated[str | None, typer.Option("--endpoint", help="An OpenAI-compatible server (llama-server, "
                                                 "vLLM, LM Studio), e.g. http://127.0.0.1:8080; default: Ollama at "
                                                 "OLLAMA_HOST.", show_default=False)] = None,
    quant: Annotated[str | None, typer.Option("--quant", help="The quantization the --endpoint server runs, when "
                                              "its model name does not say (e.g. q4_k_m).",
                                              show_default=False)] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds for the whole run, loading the model "
                                           "included.")] = 300.0,
    store: Annotated[bool, typer.Option("--store/--no-store", help="Keep the result for recommend and fit.")] = True,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """Measure MODEL's speed here: a short fixed prompt, prompt and generation tokens/s from the server's counters.

    Ollama's own counters give the speeds (eval_count / eval_duration). An OpenAI-compatible server gives
    llama-server's timings when it sends them, else its usage token counts over the wall time measured here (said
    so in the output). The result is kept per machine; recommend and fit then show it as measured and calibrate
    their other estimates by it (docs/runtimes.md).

    Exit codes: 0 measured, 2 bad flag, unknown model or a model not pulled, 3 the server is not running, hangs
    or answers something else.

    Examples:

      llmpick bench qwen3-8b

      llmpick bench llama3.2:3b --timeout 600

      llmpick bench qwen3-8b --endpoint http://127.0.0.1:8080 --quant q4_k_m
    """
    from ..runtimes.bench import run_ollama, run_openai
    from ..runtimes.local import quant_in_name, quant_word

    loaded = load(catalog)
    with _progress() as progress:
        if endpoint:
            card = _card_of(loaded, model, "id")
            chosen_quant = quant_word(quant) or quant_in_name(model)
            result = run_openai(endpoint, model, timeout, progress=progress)
        else:
            address, tag, card, chosen_quant = _ollama_model(loaded, model)
            result = run_ollama(address, tag, timeout, progress=progress)
    emit(_stored(result, card, chosen_quant, store, endpoint), fmt, output)


def _stored(result, card: str | None, quant: str | None, store: bool, endpoint: str | None):
    from urllib.parse import urlsplit

    from ..advice.measured import Measurement, record, this_machine, today
    from ..views.runtimes import bench_report

    machine = this_machine()
    stored = None
    local = endpoint is None or urlsplit(result.server).hostname in {h.strip("[]") for h in LOCAL_HOSTS}
    if store and card and quant and local:
        stored = str(record(Measurement(machine, card, result.model, quant, round(result.tokens_per_s, 2),
                                        None if result.prompt_tokens_per_s is None
                                        else round(result.prompt_tokens_per_s, 2), result.method, result.server,
                                        today())))
    elif store and card and quant:
        err(f"llmpick: note: not stored: {result.server} is not this machine")
    return bench_report(result, card, quant, machine, stored)


def _card_of(catalog: Catalog, name: str, kind: str) -> str | None:
    from ..catalog.resolve import resolve

    return resolve(catalog, name, kind).card_id


def _ollama_model(catalog: Catalog, model: str) -> tuple[str, str, str | None, str | None]:
    """Ollama's address, the tag to run, its card and quantization: MODEL as a pulled tag, else as a card whose
    aliases name a pulled tag."""
    from ..catalog.resolve import find, resolve
    from ..core.errors import NotFoundError
    from ..runtimes import ollama
    from ..runtimes.local import quant_word

    address = ollama.host()
    entries = ollama.tags(address)
    pulled = {str(e.get("name") or e.get("model")): e for e in entries}
    tag = model if model in pulled else f"{model}:latest" if f"{model}:latest" in pulled else None
    if tag is None:
        try:
            card = find(catalog, model).id
        except NotFoundError:
            if ":" in model or not entries:
                raise UsageError(f"Ollama has no model {shown(model)} (not pulled)",
                                 f"pull it with `ollama pull {model}`, or see `ollama list`") from None
            raise
        matches = sorted(t for t in pulled if resolve(catalog, t, "ollama").card_id == card)
        if not matches:
            aliases = [a for a in catalog.get(card).aliases if "/" not in a]
            hint = (f"pull it with `ollama pull {aliases[0]}`" if aliases
                    else "pull a GGUF of it with `ollama pull hf.co/OWNER/REPO`")
            raise UsageError(f"Ollama has no model of {card} pulled", hint)
        tag = matches[0]
        if len(matches) > 1:
            err(f"llmpick: note: {card} is pulled as {', '.join(matches)}; measuring {tag}")
    else:
        card = resolve(catalog, tag, "ollama").card_id
    details = pulled[tag].get("details") if isinstance(pulled[tag].get("details"), dict) else {}
    quant = details.get("quantization_level") if isinstance(details.get("quantization_level"), str) else None
    return address, tag, card, quant_word(quant)


class _progress:  # noqa: N801 - a context manager, like open()
    """A live count of the pieces generated, on stderr when it is a terminal; nothing otherwise."""

    def __enter__(self) -> Callable[[int], None] | None:
        self.live = None
        if not (sys.stderr is not None and sys.stderr.isatty()):
            return None
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.live = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                             console=Console(stderr=True), transient=True)
        self.live.start()
        task = self.live.add_task("loading the model and reading the prompt...")

        def update(count: int) -> None:
            self.live.update(task, description=f"generating: {count} piece(s)")

        return update

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.stop()


def fit_extras(catalog: Catalog, card_id: str, hardware, detected: bool, installed: bool, detector=None):
    """What fit adds from this machine: the measured speeds (on the detected hardware, calibrated against it; with no
    hardware at all only the measured settings have a speed), notes saying so, and the installed quantizations to
    mark (with --installed)."""
    notes: list[str] = []
    measured = measured_here(detector) if detected else None
    if measured is not None and hardware is not None:
        from ..advice.advisor import calibrated

        measured = calibrated(measured, catalog, hardware)
    if measured is not None:
        notes.append("tok/s marked measured: llmpick bench on this machine"
                     + (f"; {measured.describe()}" if measured.ratio is not None else ""))
    marks: set[str] = set()
    if installed:
        quants = installed_cards(catalog, rank_only=False)[1].get(card_id)
        if quants is None:
            notes.append(f"{card_id} is not installed here (llmpick installed)")
        else:
            marks = set(quants) or {"*"}
            notes.append(f"✓ installed here: {card_id}" + (f" ({', '.join(quants)})" if quants else ""))
    return measured, notes, marks
