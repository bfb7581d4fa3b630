"""What `installed` and `bench` show: the models found on this machine mapped to cards, and a measured speed."""

from __future__ import annotations

from typing import Any

from ..core.report import FIGURE, ID, Cell, Fit, Report

SOURCE_WORDS = {"ollama": "Ollama", "lmstudio": "LM Studio", "hf-cache": "HF cache", "llama.cpp": "llama.cpp cache",
                "gguf": "GGUF file"}


def installed_report(found: Any) -> Report:
    """One row per model found (runtimes/installed.Installed), with its card or how to add one."""
    rows, data = [], []
    for mapped in found.models:
        model = mapped.model
        size = model.size_bytes
        if mapped.card:
            card = mapped.card
        elif model.repo:
            card = f"unknown (llmpick import {model.repo})"
        else:
            card = "unknown"
        rows.append({"source": SOURCE_WORDS.get(model.source, model.source), "name": model.name, "card": card,
                     "quant": model.quant or "", "size": Cell(_gb(size), size or 0), "where": model.location})
        data.append({"source": model.source, "name": model.name, "card": mapped.card, "rule": mapped.rule,
                     "quant": model.quant, "size_bytes": size, "location": model.location, "repo": model.repo,
                     "context_length": model.context_length, "architecture": model.architecture})
    known = sum(1 for m in found.models if m.card)
    notes = [f"{len(rows)} model(s) found in {', '.join(SOURCE_WORDS.get(s, s) for s in found.looked) or 'nothing'}"
             f"; {known} mapped to a card" + (f", {len(rows) - known} unknown to the catalog" if known < len(rows)
                                              else "")]
    notes += [f"warning: {line}" for line in found.warnings]
    if not rows:
        notes.insert(0, "no installed model found")
    columns = [("source", "Source"), ("name", "Name"), ("card", "Card"), ("quant", "Quant"), ("size", "Size GB"),
               ("where", "Path / tag")]
    payload = {"models": data, "sources": list(found.looked), "warnings": list(found.warnings)}
    return Report("installed", columns, rows, payload, notes=notes, fit=INSTALLED_FIT)


# the location is long and least needed at a glance: it wraps first and goes first as the terminal narrows
INSTALLED_FIT = {"source": Fit(priority=2, wrap=False), "name": ID, "card": Fit(priority=0), "quant": FIGURE,
                 "size": FIGURE, "where": Fit(priority=3, below=True)}


def bench_report(result: Any, card: str | None, quant: str | None, machine: str, stored: str | None) -> Report:
    """One measured run: generation and prompt speed, and how they were computed."""
    prompt = "" if result.prompt_tokens_per_s is None else f"{result.prompt_tokens_per_s:.1f}"
    rows = [{"model": card or "unknown", "run": result.model, "quant": quant or "", "gen": f"{result.tokens_per_s:.1f}",
             "tokens": result.generated_tokens, "prompt": prompt, "prompt_tokens": result.prompt_tokens}]
    columns = [("model", "Model"), ("run", "Ran"), ("quant", "Quant"), ("gen", "Generation tok/s"),
               ("tokens", "Tokens"), ("prompt", "Prompt tok/s"), ("prompt_tokens", "Prompt tokens")]
    notes = [f"measured by {result.method}", f"machine: {machine}"]
    if result.load_seconds:
        notes.append(f"loading the model took {result.load_seconds:.1f} s (not counted)")
    if stored:
        notes.append(f"stored in {stored}: recommend and fit now show this speed as measured")
    elif card is None or quant is None:
        notes.append("not stored: " + ("the catalog does not know this model" if card is None
                                       else "the server did not say its quantization"))
    data = {**result.as_dict(), "card": card, "quant": quant, "machine": machine, "stored": stored}
    return Report("bench", columns, rows, data, notes=notes)


def _gb(size: int | None) -> str:
    return "" if size is None else f"{size / 1e9:.1f}"
