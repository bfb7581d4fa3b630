"""A client for a local Ollama: where it runs (OLLAMA_HOST), what it has pulled (/api/tags, /api/show) and one
generation with its own counters (/api/generate)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..core.errors import ServiceError, UsageError, shown
from .http import Deadline, ServerError, base_url, request, stream

DEFAULT_HOST = "http://127.0.0.1:11434"
DEFAULT_PORT = 11434
WHAT = "Ollama"
LIST_SECONDS = 10.0  # /api/tags and /api/show answer from disk: a few seconds is plenty
MAX_MODELS = 500  # /api/show is asked once per model; a listing longer than this is cut (and said so)


def host(value: str | None = None) -> str:
    """Ollama's address: `value`, else OLLAMA_HOST, else http://127.0.0.1:11434. Like Ollama, a bare host or
    host:port means http, and a missing port 11434."""
    given = value if value is not None else os.environ.get("OLLAMA_HOST", "")
    if not given.strip():
        return DEFAULT_HOST
    return base_url(given, "OLLAMA_HOST" if value is None else "--host", DEFAULT_PORT)


@dataclass(frozen=True)
class OllamaModel:
    tag: str  # name:tag as `ollama list` shows it
    size_bytes: int | None
    family: str | None
    parameter_size: str | None  # "7.2B", as Ollama writes it
    quantization: str | None  # "Q4_K_M", as Ollama writes it
    context_length: int | None  # from /api/show's model_info, when it was read


def tags(address: str, deadline: Deadline | None = None) -> list[dict[str, Any]]:
    """The raw /api/tags entries."""
    answer = request("GET", f"{address}/api/tags", what=WHAT, deadline=deadline or Deadline(LIST_SECONDS))
    models = answer.get("models") if isinstance(answer, dict) else None
    if not isinstance(models, list):
        raise ServiceError(f"{WHAT} at {address} answered /api/tags without a list of models",
                           f"is {address} really Ollama?")
    return [m for m in models if isinstance(m, dict) and isinstance(m.get("name") or m.get("model"), str)]


def show(address: str, tag: str, deadline: Deadline | None = None) -> dict[str, Any]:
    """/api/show for one model; a model that is not pulled is a UsageError naming it."""
    try:
        answer = request("POST", f"{address}/api/show", {"model": tag}, what=WHAT,
                         deadline=deadline or Deadline(LIST_SECONDS))
    except ServerError as exc:
        raise _not_pulled(exc, tag) from None
    return answer if isinstance(answer, dict) else {}


def installed(address: str, seconds: float = LIST_SECONDS, details: bool = True) -> tuple[list[OllamaModel], list[str]]:
    """What Ollama has pulled, with the details /api/show adds (context length) read within one overall deadline;
    and notes on what could not be read."""
    deadline = Deadline(seconds)
    entries = tags(address, deadline)
    notes = []
    if len(entries) > MAX_MODELS:
        notes.append(f"{WHAT} lists {len(entries)} models; only the first {MAX_MODELS} are shown")
        entries = entries[:MAX_MODELS]
    found = []
    for entry in entries:
        tag = str(entry.get("name") or entry.get("model"))
        info = _dict(entry.get("details"))
        context = None
        if details:
            try:
                shown_info = show(address, tag, deadline)
                info = {**info, **_dict(shown_info.get("details"))}
                context = _context(_dict(shown_info.get("model_info")))
            except (ServiceError, UsageError) as exc:
                notes.append(f"{WHAT}: no details for {tag}: {exc.message}")
                if deadline.left() <= 0:
                    details = False
        size = entry.get("size")
        found.append(OllamaModel(tag, size if isinstance(size, int) and size >= 0 else None, _text(info.get("family")),
                                 _text(info.get("parameter_size")), _text(info.get("quantization_level")), context))
    return found, notes


@dataclass(frozen=True)
class Counters:
    """Ollama's own counts and timings of one generation (durations in nanoseconds, as it reports them)."""

    prompt_tokens: int
    prompt_ns: int
    generated_tokens: int
    generate_ns: int
    load_ns: int
    total_ns: int


def generate(address: str, tag: str, prompt: str, max_tokens: int, seconds: float, streamed: bool = True,
             progress: Callable[[int], None] | None = None) -> Counters:
    """One generation of at most `max_tokens` tokens at temperature 0, within `seconds`; `progress(n)` after each
    streamed piece (n pieces so far). A model that is not pulled is a UsageError."""
    body = {"model": tag, "prompt": prompt, "stream": streamed, "keep_alive": "5m",
            "options": {"num_predict": max_tokens, "temperature": 0, "seed": 42}}
    deadline = Deadline(seconds)
    url = f"{address}/api/generate"
    try:
        if not streamed:
            return _counters(request("POST", url, body, what=WHAT, deadline=deadline), address)
        final = None
        for count, item in enumerate(_items(stream("POST", url, body, what=WHAT, deadline=deadline), address), 1):
            if progress is not None:
                progress(count)
            if item.get("done"):
                final = item
                break
    except ServerError as exc:
        raise _not_pulled(exc, tag) from None
    if final is None:
        raise ServiceError(f"{WHAT} at {address} ended the answer before its final counts", "try again")
    return _counters(final, address)


def _items(items: Iterator[Any], address: str) -> Iterator[dict[str, Any]]:
    for item in items:
        if not isinstance(item, dict):
            raise ServiceError(f"{WHAT} at {address} streamed something that is not a JSON object")
        if item.get("error"):
            raise ServiceError(f"{WHAT} at {address} failed during generation: {shown(str(item['error']), 200)}")
        yield item


def _counters(answer: Any, address: str) -> Counters:
    if not isinstance(answer, dict):
        raise ServiceError(f"{WHAT} at {address} answered /api/generate without its counters")
    if answer.get("error"):
        raise ServiceError(f"{WHAT} at {address} failed during generation: {shown(str(answer['error']), 200)}")
    values = {}
    for key in ("prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"):
        value = answer.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ServiceError(f"{WHAT} at {address} answered /api/generate without a usable {key}",
                               "an Ollama older than 0.1.x does not report it; update Ollama")
        values[key] = value
    extra = {k: answer.get(k) if isinstance(answer.get(k), int) else 0 for k in ("load_duration", "total_duration")}
    return Counters(values["prompt_eval_count"], values["prompt_eval_duration"], values["eval_count"],
                    values["eval_duration"], extra["load_duration"], extra["total_duration"])


def _not_pulled(exc: ServerError, tag: str) -> Exception:
    if exc.status == 404:
        return UsageError(f"{WHAT} has no model {shown(tag)} (not pulled)",
                          f"pull it with `ollama pull {tag}`, or see `ollama list`")
    return exc


def _context(model_info: dict[str, Any]) -> int | None:
    arch = model_info.get("general.architecture")
    value = model_info.get(f"{arch}.context_length") if isinstance(arch, str) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
