"""YAML, JSON and TOML configuration: string values under model keys (and commands in CI YAML)."""

from __future__ import annotations

import re

from .base import Found, Places, Reference
from .commands import scan_commands
from .names import CONFIG_KEYS, model_value


def _config_hit(key: object, value: object, here: Places) -> tuple[str, str] | None:
    if isinstance(key, str) and key.lower() in CONFIG_KEYS and isinstance(value, str):
        return model_value(value, here)
    return None


def scan_yaml(text: str, rel: str, here: Places) -> Found:
    import yaml

    from ...core.yamlio import SafeLoader

    commands, _ = scan_commands(text, rel, here)  # CI workflows and compose files run commands
    try:
        stack = [node for node in yaml.compose_all(text, Loader=SafeLoader) if node is not None]
    except (yaml.YAMLError, RecursionError):
        return scan_config_lines(text, rel, here) + commands, "invalid YAML; scanned line by line"
    references = []
    seen: set[int] = set()  # an alias is the same node again: visiting it once keeps a billion laughs linear
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                hit = _config_hit(key.value, value.value, here) if isinstance(value, yaml.ScalarNode) else None
                if hit:
                    references.append(Reference(hit[1], hit[0], rel, value.start_mark.line + 1, f"config:{key.value}"))
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return references + commands, None


def scan_json(text: str, rel: str, here: Places) -> Found:
    import json

    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return scan_config_lines(text, rel, here), "invalid JSON; scanned line by line"
    return scan_config_lines(text, rel, here, _config_pairs(data)), None


def scan_toml(text: str, rel: str, here: Places) -> Found:
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        data = tomllib.loads(text)
    except (ValueError, RecursionError):
        return scan_config_lines(text, rel, here), "invalid TOML; scanned line by line"
    return scan_config_lines(text, rel, here, _config_pairs(data)), None


def _config_pairs(data: object) -> set[tuple[str, str]]:
    """Every (key, string value) pair of a parsed document, keys lowercased."""
    pairs: set[tuple[str, str]] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            pairs.update((k.lower(), v) for k, v in item.items() if isinstance(k, str) and isinstance(v, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return pairs


# Only the model keys are tried, each where a word starts, and the value is bounded and taken whole or not at all
# (the lookahead is atomic: no backtracking into it), so each position of a long line costs a bounded amount. As
# written before (any word as the key, unbounded), a 100,000-character line took minutes. MAX_NAME covers a Hub id
# with a revision.
MAX_NAME = 300
_KEYS = "|".join(re.escape(key) for key in sorted(CONFIG_KEYS, key=len, reverse=True))
_CONFIG_LINE = re.compile(rf"""["']?(?<![A-Za-z_])(?P<key>(?i:{_KEYS}))(?![A-Za-z_])["']?\s*[:=]\s*"""
                          rf"""(?P<q>["']?)(?=(?P<s>[^"'\s,#}}\]]{{1,{MAX_NAME}}}))(?P=s)(?![^"'\s,#}}\]])(?P=q)""")


def scan_config_lines(text: str, rel: str, here: Places, parsed: set[tuple[str, str]] | None = None) -> list:
    """`key: value` / `key = "value"` lines under a model key; with `parsed`, only pairs the parser confirmed."""
    references = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in _CONFIG_LINE.finditer(line):
            hit = _config_hit(match["key"], match["s"], here)
            if hit and (parsed is None or (match["key"].lower(), match["s"]) in parsed):
                references.append(Reference(hit[1], hit[0], rel, number, f"config:{match['key']}"))
    return references
