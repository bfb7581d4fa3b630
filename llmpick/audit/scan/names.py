"""What a model name looks like: Hub repo ids, Ollama names, model keys, and not local paths."""

from __future__ import annotations

import re

from .base import Places

CONFIG_KEYS = frozenset({
    "model", "model_name", "model_id", "model_path", "base_model", "repo_id", "pretrained_model_name_or_path",
    "model_name_or_path", "tokenizer_name", "hub_model_id",
})
# Names with a file extension, or one of these, are local files rather than Hub repositories.
FILE_SUFFIXES = (".gguf", ".ggml", ".bin", ".safetensors", ".pt", ".pth", ".ckpt", ".onnx", ".json", ".yaml",
                 ".yml", ".py", ".txt", ".zip", ".tar", ".gz", ".model", ".h5", ".msgpack")
HUB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.\-]{0,95}")
# Legacy Hub ids without an owner (gpt2, t5-small, bert-base-uncased) all carry a digit or a hyphen; words such
# as "output" or "model" are local directories. checkpoint-500 is what transformers' Trainer writes.
CANONICAL_ID = re.compile(r"(?!checkpoint-\d)(?=[^-]*[-0-9])[A-Za-z0-9][A-Za-z0-9_.\-]{0,95}")
REVISION = re.compile(r"@[A-Za-z0-9_.\-/]{1,100}")
OLLAMA_NAME = re.compile(r"[a-z0-9][a-z0-9_.\-]*(/[a-z0-9][a-z0-9_.\-]*){0,2}(:[A-Za-z0-9_.\-]+)?", re.IGNORECASE)
OLLAMA_HF_HOSTS = ("hf.co/", "huggingface.co/")
# LiteLLM-style prefixes in config values: "ollama/llama2", "huggingface/org/name"
PROVIDER_PREFIXES = {"ollama/": "ollama", "ollama_chat/": "ollama", "huggingface/": "hf"}


def hub_id(value: str, owner_optional: bool = False) -> str | None:
    """The Hub repo id in `value` (revision kept), or None for anything else: local paths, files, URLs."""
    value = value.strip()
    for prefix in ("https://huggingface.co/", "http://huggingface.co/", "hf://"):
        if value.startswith(prefix):
            value = value[len(prefix):].rstrip("/")
    bare = value.split("@", 1)[0]
    revision = value[len(bare):]
    if revision and not REVISION.fullmatch(revision):
        return None
    pattern = CANONICAL_ID if owner_optional and "/" not in bare else HUB_ID
    if not pattern.fullmatch(bare) or ".." in bare or "--" in bare:
        return None
    if bare.lower().endswith(FILE_SUFFIXES) or bare.endswith(".") or bare.isdigit():
        return None
    return value


def model_value(value: str, here: Places, owner_optional: bool = False) -> tuple[str, str] | None:
    """(kind, name) for a string used as a model, or None when it is a local path or not a model name."""
    for prefix, kind in PROVIDER_PREFIXES.items():
        if value.startswith(prefix):
            rest = value[len(prefix):]
            if kind == "ollama":
                return ("ollama", rest) if OLLAMA_NAME.fullmatch(rest) else None
            value = rest
    repo = hub_id(value, owner_optional)
    if repo is None or _exists_locally(repo, here):
        return None
    return "hf", repo


def ollama_value(value: str, here: Places) -> tuple[str, str] | None:
    value = value.strip()
    for host in OLLAMA_HF_HOSTS:
        if value.lower().startswith(host):
            repo = hub_id(value[len(host):].split(":", 1)[0])
            return ("hf", repo) if repo else None
    if _looks_like_path(value) or not OLLAMA_NAME.fullmatch(value) or _exists_locally(value, here):
        return None
    return "ollama", value


def _looks_like_path(value: str) -> bool:
    return value.startswith((".", "/", "~", "\\")) or value.lower().endswith(FILE_SUFFIXES) or ":\\" in value


def _exists_locally(value: str, here: Places) -> bool:
    try:
        return any((directory / value).exists() for directory in here)
    except (OSError, ValueError):
        return False
