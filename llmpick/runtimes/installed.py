"""Models installed on this machine, from every source, each mapped to a catalog card (or reported unknown).

A source that cannot be read (Ollama not running, an unreadable folder) is a warning when it was looked at by
default, and an error when the user asked for it by name (`--source ollama`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..catalog.resolve import resolve
from ..core.errors import LlmpickError, UsageError, unknown_choice

if TYPE_CHECKING:
    from ..catalog.catalog import Catalog
    from .local import LocalModel

SOURCES = ("ollama", "lmstudio", "hf-cache", "llama.cpp", "gguf")


@dataclass(frozen=True)
class Mapped:
    model: LocalModel
    card: str | None  # the card id, None when the catalog does not know it
    rule: str  # the resolve rule that matched, or why none did


@dataclass
class Installed:
    models: list[Mapped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # sources that could not be read, files skipped
    looked: list[str] = field(default_factory=list)  # the sources looked at, for the notes

    def card_ids(self) -> set[str]:
        return {m.card for m in self.models if m.card}


def check_sources(sources: list[str]) -> list[str]:
    for source in sources:
        if source not in SOURCES:
            choices = f"choose from {', '.join(SOURCES)}"
            raise UsageError("--source: " + unknown_choice("source", source, SOURCES, choices))
    return list(dict.fromkeys(sources))


def find_installed(catalog: Catalog, sources: list[str] | None = None, paths: list[Path] | None = None,
                   ollama_host: str | None = None, home: Path | None = None, hf_cache: Path | None = None,
                   details: bool = True, seconds: float | None = None) -> Installed:
    """What each source holds, mapped to cards. `sources` named by the user fail loudly (LlmpickError); the default
    ones (every source; gguf only with `paths`) turn failures into warnings."""
    from . import gguf_header, hfcache, llamacache, lmstudio, ollama

    asked = bool(sources)
    chosen = check_sources(sources) if sources else [s for s in SOURCES if s != "gguf" or paths]
    if "gguf" in chosen and not paths:
        raise UsageError("--source gguf needs at least one --path DIR", "give the folders that hold .gguf files")
    result = Installed(looked=chosen)
    found: list[LocalModel] = []
    for source in chosen:
        notes: list[str] = []
        try:
            if source == "ollama":
                address = ollama.host(ollama_host)
                models, notes = ollama.installed(address, seconds or ollama.LIST_SECONDS, details=details)
                found += [_from_ollama(m) for m in models]
            elif source == "lmstudio":
                found += lmstudio.installed(notes, home)
            elif source == "hf-cache":
                found += hfcache.installed(notes, hf_cache)
            elif source == "llama.cpp":
                found += llamacache.installed(notes)
            else:
                headers = gguf_header.readable_here(notes)
                for path in paths or []:
                    found += gguf_header.scan_folder(Path(path).expanduser(), notes, headers)
        except LlmpickError as exc:
            if asked:
                raise
            result.warnings.append(f"{_LABELS[source]}: {exc.message}")
            continue
        result.warnings += [note for note in notes if note not in result.warnings]  # the gguf note once
    result.models = [_map(catalog, model) for model in found]
    return result


_LABELS = {"ollama": "Ollama", "lmstudio": "LM Studio", "hf-cache": "Hugging Face cache",
           "llama.cpp": "llama.cpp cache", "gguf": "GGUF files"}


def _from_ollama(model) -> LocalModel:
    from .local import LocalModel, quant_word

    return LocalModel("ollama", model.tag, model.tag, quant_word(model.quantization), model.size_bytes,
                      model.tag[len("hf.co/"):].split(":", 1)[0] if model.tag.startswith("hf.co/") else None,
                      ((model.tag, "ollama"),), model.context_length, model.family)


def _map(catalog: Catalog, model: LocalModel) -> Mapped:
    rule = "no reference to match"
    for name, kind in model.references:
        found = resolve(catalog, name, kind)
        if found.card_id:
            return Mapped(model, found.card_id, found.rule)
        rule = found.rule if not rule.startswith("ambiguous") else rule
    return Mapped(model, None, rule)
