"""Command lines in any text: hf download, ollama pull|run, vllm serve, and --model-style options."""

from __future__ import annotations

import re

from .base import Found, Places, Reference, line_at
from .names import CONFIG_KEYS, model_value, ollama_value

_COMMAND = re.compile(r"\b(?:(?P<hf>huggingface-cli|hf)\s+download|ollama\s+(?P<verb>pull|run)|vllm\s+serve)\b"
                      r"(?P<rest>[^\n;&|#]*)")
_OPTION = re.compile(r"(?<![\w-])--(?P<option>[A-Za-z][\w-]*)(?:=|[ \t]+)(?P<value>[^\s;&|]+)")
# options whose value is a separate word, so that it is not taken for the model
_VALUE_OPTIONS = frozenset({"--repo-type", "--revision", "--include", "--exclude", "--local-dir", "--cache-dir",
                            "--token", "--max-workers", "--local-dir-use-symlinks", "--format", "--keepalive",
                            "--think", "--host", "--port", "--dtype", "--tensor-parallel-size", "--max-model-len"})


def scan_commands(text: str, rel: str, here: Places) -> Found:
    """`huggingface-cli download`, `hf download`, `ollama pull|run`, `vllm serve`, and options such as
    `--model-id owner/name`, also inside RUN lines and across `\\` continuations."""
    joined = text.replace("\\\r\n", "   ").replace("\\\n", "  ")  # same length: offsets still give lines
    references = []
    for match in _COMMAND.finditer(joined):
        words, repo_type, index = list(re.finditer(r"\S+", match["rest"])), "model", 0
        positional = None
        while index < len(words):
            option, _, value = words[index][0].partition("=")
            if option in _VALUE_OPTIONS and not value and index + 1 < len(words):
                index += 1
                value = words[index][0]
            if option == "--repo-type":
                repo_type = value.strip("'\"")
            elif not option.startswith("-") and positional is None:
                positional = words[index]
            index += 1
        if positional is None or repo_type != "model":
            continue
        value = positional[0].strip("'\"")
        found = ollama_value(value, here) if match["verb"] else model_value(value, here)
        if found:
            via = " ".join(match[0].split()[:2])  # "hf download", "ollama pull", "vllm serve", ...
            line = line_at(text, match.start("rest") + positional.start())
            references.append(Reference(found[1], found[0], rel, line, via))
    for match in _OPTION.finditer(joined):
        option = match["option"].replace("-", "_").lower()
        found = model_value(match["value"].strip("'\""), here) if option in CONFIG_KEYS else None
        if found:
            references.append(Reference(found[1], found[0], rel, line_at(text, match.start("value")),
                                        f"--{match['option']}"))
    return references, None
