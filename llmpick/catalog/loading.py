"""Find the catalog's files, parse and validate them (in worker processes when there are many), build the Catalog,
and report every problem at its file and line; a warm start reads the cache instead."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import CatalogError, Problem, UsageError, suggest, validation_message
from .builtin import builtin_catalog_dir as builtin_catalog_dir  # re-exported: callers have always found it here
from ..core.files import Refused, read_regular
from .catalog import Catalog
from .listing import check_path
from .listing import yaml_files as _yaml_files  # tests replace it here

if TYPE_CHECKING:
    from .cards import Card

ENV_CATALOG = "LLMPICK_CATALOG"
ENV_NO_BUILTIN = "LLMPICK_NO_BUILTIN"  # "1": use only the user catalogs (an organisation's own list)
FALSE_WORDS = ("", "0", "false", "no", "off")
LICENSES_FILE = "licenses.yaml"
BENCHMARKS_FILE = "benchmarks.yaml"
GPUS_FILE = "gpus.yaml"
SPECIAL_FILES = {LICENSES_FILE, BENCHMARKS_FILE, GPUS_FILE}
REGISTRIES = {LICENSES_FILE: ("licenses", "license"), BENCHMARKS_FILE: ("benchmarks", "benchmark")}


def configured_dirs(extra: Iterable[str | Path] = ()) -> list[Path]:
    """Built-in catalog, then LLMPICK_CATALOG entries, then --catalog options; later ones win."""
    no_builtin = os.environ.get(ENV_NO_BUILTIN, "").strip().lower() not in FALSE_WORDS
    dirs = [] if no_builtin else [builtin_catalog_dir()]
    env = os.environ.get(ENV_CATALOG, "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    dirs += [Path(p) for p in extra]
    unique: dict[str, Path] = {}
    for d in dirs:  # os.path.realpath, not Path.resolve: a symlink loop is reported later, not raised here
        unique.setdefault(os.path.realpath(d), d)
    return list(unique.values())


def load_catalog(paths: Iterable[str | Path] = (), *, builtin: bool = True) -> Catalog:
    """Load and validate the built-in catalog overlaid with `paths` and LLMPICK_CATALOG.

    Raises CatalogError listing every problem found (an entry that is not a regular file among them), UsageError
    for a path that does not exist or is neither a directory nor a YAML file.
    """
    dirs = configured_dirs(paths) if builtin else [Path(p) for p in paths]
    for d in dirs:
        check_path(d)
    # resolved: `cat`, `./cat` and `/abs/cat` are one catalog with one cache entry, and a card's origin stays
    # right whatever directory a later run starts in
    dirs = [d.resolve() for d in dirs]
    for _ in range(READ_ATTEMPTS):
        catalog = _load_listed(dirs)
        if catalog is not None and not catalog.cards:
            raise UsageError(f"the catalog has no cards (read {', '.join(map(str, dirs)) or 'no directory'})",
                             "check --catalog, LLMPICK_CATALOG and LLMPICK_NO_BUILTIN")
        if catalog is not None:
            return catalog
    raise UsageError(f"catalog files kept disappearing while they were read ({READ_ATTEMPTS} attempts)",
                     "run the command again once the catalog directories stop changing")


READ_ATTEMPTS = 3


def _load_listed(dirs: list[Path]) -> Catalog | None:
    """The catalog of the files listed now, from the cache or built; None when a listed file vanished meanwhile
    (a card removed or renamed while llmpick runs), so that it is listed again rather than reported unreadable."""
    from . import cache

    cached = cache.load(dirs, lambda: [path for layer in dirs for path in _yaml_files(layer)])
    if cached is not None:
        cached.cards.recover_from(cached.origins, _reread_card)
        return cached
    layer_files = [(layer, _yaml_files(layer)) for layer in dirs]
    files = [path for _, listing in layer_files for path in listing]
    try:
        key = cache.fingerprint(files)  # taken before reading: a file changed meanwhile invalidates the entry
        catalog = _build(layer_files)
    except FileNotFoundError:
        return None
    except CatalogError:
        if all(os.path.exists(path) for path in files):
            raise
        return None
    cache.store(dirs, key, catalog)
    return catalog


PARALLEL_MIN_CARDS = 2000  # below this, starting worker processes costs more than it saves
CHUNK = 500


def _build(layer_files: list[tuple[Path, list[str]]]) -> Catalog:
    from pydantic import ValidationError

    from ..core.yamlio import YamlProblem, line_of, load_file  # only a cold start reads YAML
    from . import quality
    from .benchmarks import BenchmarkInfo
    from .licenses import License

    entry_models = {LICENSES_FILE: License, BENCHMARKS_FILE: BenchmarkInfo}

    from .gpus import read_gpus
    from .overrides import Registry

    catalog = Catalog()
    problems: list[Problem] = []
    registries = {name: Registry(what) for name, (_, what) in REGISTRIES.items()}
    card_files = [Path(name) for _, files in layer_files for name in files
                  if os.path.basename(name) not in SPECIAL_FILES]
    read = _read_cards(card_files)
    for _, files in layer_files:
        layer_ids: dict[str, Path] = {}
        for path in map(Path, files):
            if path.name == GPUS_FILE:
                catalog.gpu_files.append(path)
                continue
            if path.name in REGISTRIES:
                try:
                    data, text = load_file(path)
                except YamlProblem as exc:
                    problems.append(exc.problem)
                    continue
                _add_entries(catalog, data, path, text, problems, entry_models[path.name], ValidationError,
                             registries[path.name])
                continue
            card, card_problems = read[path]
            problems += card_problems
            if card is None:
                continue
            if card.id in layer_ids:
                problems.append(Problem(path, line_of(_text(path), ("id",)), "id",
                                        f"duplicate id {card.id!r}, also in {layer_ids[card.id]}"))
                continue
            layer_ids[card.id] = path
            catalog.cards[card.id] = card
            catalog.origins[card.id] = str(path)
    _, gpu_problems, gpu_overrides = read_gpus(catalog.gpu_files)
    for registry in registries.values():
        problems += registry.problems
        catalog.overrides += registry.overrides
    problems += gpu_problems
    catalog.overrides += gpu_overrides
    problems += _cross_check(catalog)
    if problems:
        raise CatalogError(problems)
    shared: dict[Any, Any] = {}
    for card_id in catalog.cards:  # once here, so every later run reads them from the cache
        catalog.record(card_id, shared)
    catalog.quality = quality.build(catalog.cards.values(), catalog.benchmarks)
    catalog._repo_index()
    return catalog


def _read_cards(paths: list[Path]) -> dict[Path, tuple[Card | None, list[Problem]]]:
    """Parse and validate card files; in worker processes when there are many (YAML parsing dominates).

    The workers die with this process (a parent killed by SIGTERM, SIGKILL or a caller's timeout leaves none
    behind holding its pipes), and a SIGTERM meanwhile ends the pool before this process exits."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_MIN_CARDS or workers < 2:
        return dict(zip(paths, _read_chunk(paths), strict=True))
    import multiprocessing

    chunks = [paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)]
    try:
        pool = multiprocessing.Pool(min(workers, len(chunks)), _die_with_parent, (os.getpid(),))
    except (OSError, RuntimeError):  # no process support here (sandbox, frozen app): do it in this process
        return dict(zip(paths, _read_chunk(paths), strict=True))
    restore = _terminate_on_sigterm()
    try:
        results = [result for chunk in pool.map(_read_chunk, chunks) for result in chunk]
    finally:
        pool.terminate()  # at once, whatever happened: an error, an interrupt or SIGTERM
        pool.join()
        restore()
    return dict(zip(paths, results, strict=True))


class Terminated(SystemExit):
    """SIGTERM arrived while worker processes ran: they are ended, then this process exits 143 (128 + 15)."""


def _terminate_on_sigterm():
    """A SIGTERM handler that raises Terminated (so the pool is torn down), and a function that puts the old one
    back. Only when nobody else handles SIGTERM and this is the main thread (where signal handlers live)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) is not \
            signal.SIG_DFL:
        return lambda: None

    def raise_terminated(signum, frame):
        raise Terminated(128 + signum)

    signal.signal(signal.SIGTERM, raise_terminated)
    return lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _die_with_parent(parent: int) -> None:
    """In a worker: be killed when the parent dies (Linux PR_SET_PDEATHSIG), and leave if it already has."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it ends the pool
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _read_chunk(paths: list[Path]) -> list[tuple[Card | None, list[Problem]]]:
    from pydantic import ValidationError

    from .cards import Card
    from ..core.yamlio import YamlProblem, load_file

    results = []
    for path in paths:
        problems: list[Problem] = []
        try:
            data, text = load_file(path)
        except YamlProblem as exc:
            results.append((None, [exc.problem]))
            continue
        card = _parse_card(data, path, text, problems, Card, ValidationError)
        results.append((card, problems))
    return results


def _reread_card(path: Path) -> Card:
    """One card from its file, validated as at build time (its cached copy was damaged)."""
    card, problems = _read_chunk([path])[0]
    if card is None:
        raise CatalogError(problems)
    return card


def _text(path: Path) -> str:
    try:
        return read_regular(path).decode("utf-8")
    except (OSError, Refused, UnicodeDecodeError):
        return ""


def _parse_card(data: Any, path: Path, text: str, problems: list[Problem], card_cls, validation_error):
    if data is None:
        problems.append(Problem(path, None, None, "empty file; a card needs at least id, name, license, ..."))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(path, 1, None, f"a card must be a mapping of fields, not a {type(data).__name__}"))
        return None
    try:
        return card_cls.model_validate(data)
    except validation_error as exc:
        problems.extend(located(exc, path, text))
        return None


def _add_entries(catalog, data, path, text, problems, entry_cls, validation_error, defined) -> None:
    """The entries of a registry file (licenses.yaml, benchmarks.yaml) into the catalog; a later layer's entry
    replaces an earlier one with the same id only when it says `override: true` (`defined` keeps count)."""
    attribute, what = REGISTRIES[path.name]
    if not isinstance(data, list):
        problems.append(Problem(path, 1, None, f"the {what} registry must be a list of entries"))
        return
    registry = getattr(catalog, attribute)
    for index, entry in enumerate(data):
        try:
            item = entry_cls.model_validate(entry)
        except validation_error as exc:
            problems.extend(located(exc, path, text, prefix=(index,)))
            continue
        if defined.add(item.id, item.override, path, text, index):
            registry[item.id] = item


def located(exc: Any, path: Path, text: str, prefix: tuple = (), fields: Iterable[str] | None = None) -> list[Problem]:
    """A pydantic ValidationError as Problems at the YAML line of each field; `fields` feeds "did you mean"."""
    from ..core.yamlio import line_of
    known = tuple(fields) if fields is not None else _known_fields()
    problems = []
    from .cards import FIGURE_TAGS

    for error in exc.errors(include_url=False):
        where = tuple(part for part in error["loc"] if part not in FIGURE_TAGS)
        loc = prefix + where
        field_name = ".".join(str(part) for part in where) or None
        problems.append(Problem(path, line_of(text, loc), field_name, validation_message(error, known)))
    return problems


@cache
def _known_fields() -> tuple[str, ...]:
    from .artefacts import Gguf, GgufFile, Mlx, Ollama, Runtimes, Vllm
    from .benchmarks import BenchmarkInfo, Scale
    from .cards import Architecture, Card, Figure, HardwareClaim, OpennessLevels
    from .licenses import License

    models = (Card, Architecture, HardwareClaim, Figure, OpennessLevels, License, BenchmarkInfo, Scale, Runtimes,
              Ollama, Gguf, GgufFile, Mlx, Vllm)
    return tuple(sorted({name for model in models for name in model.model_fields}))


def _cross_check(catalog: Catalog) -> list[Problem]:
    from ..core.yamlio import line_of
    from .artefacts import runtime_problems
    from .benchmarks import figure_problem

    problems: list[Problem] = []

    def at(card_id: str, loc: tuple, field_name: str, message: str) -> None:
        path = Path(catalog.origins[card_id])
        problems.append(Problem(path, line_of(_text(path), loc), field_name, message))

    repos: dict[str, str] = {}
    for card in catalog.cards.values():
        if card.license not in catalog.licenses:
            hint = suggest(card.license, list(catalog.licenses))
            at(card.id, ("license",), "license", f"unknown license id {card.license!r}"
               + (f"; did you mean {hint[0]!r}?" if hint else "; add it to licenses.yaml"))
        if card.base_model and card.base_model not in catalog.cards:
            hint = suggest(card.base_model, list(catalog.cards))
            at(card.id, ("base_model",), "base_model", f"no card with id {card.base_model!r}"
               + (f"; did you mean {hint[0]!r}?" if hint else ""))
        for index, repo in enumerate(card.hf_repos):
            other = repos.setdefault(repo.lower(), card.id)
            if other != card.id:
                at(card.id, ("hf_repos", index), "hf_repos", f"{repo} is already listed by {other}")
        for bench_id, figures in card.benchmarks.items():
            info = catalog.benchmarks.get(bench_id)
            if info is None:
                hint = suggest(bench_id, list(catalog.benchmarks))
                at(card.id, ("benchmarks", bench_id), f"benchmarks.{bench_id}", f"unknown benchmark id {bench_id!r}"
                   + (f"; did you mean {hint[0]!r}?" if hint else "; add it to benchmarks.yaml"))
                continue
            for index, figure in enumerate(figures):
                problem = figure_problem(info, figure.score, figure.variant, figure.evaluator)
                if problem:
                    name, message = problem
                    loc = ("benchmarks", bench_id, *((index,) if len(figures) > 1 else ()), name)
                    at(card.id, loc, f"benchmarks.{bench_id}.{name}", message)
        for loc, message in runtime_problems(card):
            at(card.id, loc, ".".join(map(str, loc)), message)
    for card in catalog.cards.values():
        seen = [card.id]
        base = card.base_model
        while base and base in catalog.cards:
            if base in seen:
                at(card.id, ("base_model",), "base_model", f"lineage cycle: {' -> '.join(seen + [base])}")
                break
            seen.append(base)
            base = catalog.cards[base].base_model
    return problems
