"""Measure a model's speed on this machine: one short fixed prompt on Ollama (its own counters) or an
OpenAI-compatible server (llama-server's own timings when it sends them, else usage tokens over wall time)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from ..core.errors import ServiceError
from .http import Deadline, ServerError, base_url, stream

# A fixed task that makes any chat model write; the run number in front keeps a server's prompt cache from
# skipping the prompt (prompt speed is then measured on every run).
PROMPT = ("Run {run}. Explain, in about two hundred words and plain English, how a lighthouse keeper in the "
          "nineteenth century kept the lamp burning through a winter storm: the fuel, the wick, the lens, the "
          "clockwork that turned it, and what could go wrong during the night. Do not use lists.")
MAX_TOKENS = 256
DEFAULT_SECONDS = 300.0  # loading a large model from disk can take minutes before the first token


@dataclass(frozen=True)
class BenchResult:
    server: str  # "ollama" or the OpenAI-compatible endpoint's URL
    model: str  # the tag or model name the server ran
    prompt_tokens: int
    prompt_tokens_per_s: float | None
    generated_tokens: int
    tokens_per_s: float
    method: str  # how the speeds were computed: whose counters
    load_seconds: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def prompt(run: str | None = None) -> str:
    return PROMPT.format(run=run or secrets.token_hex(3))


def run_ollama(address: str, tag: str, seconds: float = DEFAULT_SECONDS, max_tokens: int = MAX_TOKENS,
               progress: Callable[[int], None] | None = None, streamed: bool = True) -> BenchResult:
    """Generation and prompt speed from Ollama's own counters: eval_count / eval_duration and
    prompt_eval_count / prompt_eval_duration (durations in ns)."""
    from . import ollama

    counts = ollama.generate(address, tag, prompt(), max_tokens, seconds, streamed=streamed, progress=progress)
    if counts.generated_tokens <= 0 or counts.generate_ns <= 0:
        raise ServiceError(f"Ollama at {address} generated no tokens for {tag}", "try again, or another model")
    prompt_speed = counts.prompt_tokens / (counts.prompt_ns / 1e9) if counts.prompt_ns > 0 else None
    return BenchResult("ollama", tag, counts.prompt_tokens, prompt_speed, counts.generated_tokens,
                       counts.generated_tokens / (counts.generate_ns / 1e9),
                       "Ollama's counters (eval_count / eval_duration)", counts.load_ns / 1e9 or None)


def chat_url(endpoint: str) -> str:
    base = base_url(endpoint, "--endpoint")
    return base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")


def run_openai(endpoint: str, model: str, seconds: float = DEFAULT_SECONDS, max_tokens: int = MAX_TOKENS,
               progress: Callable[[int], None] | None = None) -> BenchResult:
    """Speed from a streamed /v1/chat/completions: llama-server's `timings` when it sends them, else the usage
    token counts over the wall time measured here (first token to last for generation; request to first token,
    which includes the network and any queueing, for the prompt)."""
    url = chat_url(endpoint)
    body = {"model": model, "messages": [{"role": "user", "content": prompt()}], "max_tokens": max_tokens,
            "temperature": 0, "stream": True, "stream_options": {"include_usage": True}}
    start = time.monotonic()
    first = last = None
    usage: dict[str, Any] = {}
    timings: dict[str, Any] = {}
    pieces = 0
    try:
        for item in stream("POST", url, body, what="the server", deadline=Deadline(seconds)):
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("usage"), dict):
                usage = item["usage"]
            if isinstance(item.get("timings"), dict):
                timings = item["timings"]
            choices = item.get("choices")
            if isinstance(choices, list) and choices and isinstance(choices[0], dict):
                delta = choices[0].get("delta")
                if isinstance(delta, dict) and (delta.get("content") or delta.get("reasoning_content")):
                    last = time.monotonic()
                    first = first or last
                    pieces += 1
                    if progress is not None:
                        progress(pieces)
    except ServerError as exc:
        if exc.status == 404:
            raise ServiceError(f"{exc.message}", f"is {model!r} a model this server serves? is the URL right?") \
                from None
        raise
    return _openai_result(endpoint, model, start, first, last, pieces, usage, timings)


def _openai_result(endpoint: str, model: str, start: float, first: float | None, last: float | None, pieces: int,
                   usage: dict[str, Any], timings: dict[str, Any]) -> BenchResult:
    origin = base_url(endpoint, "--endpoint")
    if _number(timings.get("predicted_n")) and _number(timings.get("predicted_ms")):
        prompt_n, prompt_ms = _number(timings.get("prompt_n")), _number(timings.get("prompt_ms"))
        return BenchResult(origin, model, int(prompt_n or 0), prompt_n / prompt_ms * 1000 if prompt_n and prompt_ms
                           else None, int(timings["predicted_n"]), timings["predicted_n"] / timings["predicted_ms"]
                           * 1000, "the server's own timings (llama-server predicted_n / predicted_ms)")
    if first is None or last is None:
        raise ServiceError(f"the server at {origin} streamed no text for {model!r}", "is the model name right?")
    generated = _number(usage.get("completion_tokens")) or pieces
    prompt_n = int(_number(usage.get("prompt_tokens")) or 0)
    if last <= first or generated < 2:
        raise ServiceError(f"the server at {origin} sent its whole answer at once; no speed can be measured",
                           "does it stream? (stream: true)")
    counted = "usage tokens" if usage else "streamed pieces (no usage sent)"
    return BenchResult(origin, model, prompt_n, prompt_n / (first - start) if prompt_n and first > start else None,
                       int(generated), (generated - 1) / (last - first),
                       f"{counted} over wall time measured by llmpick (an estimate of the server's speed)")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else None
