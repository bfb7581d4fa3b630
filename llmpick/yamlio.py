"""Safe, bounded YAML reading with file:line locations for errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import Problem

try:  # libyaml's C parser is several times faster; the pure-Python one is the fallback
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 2 * 1024 * 1024  # a card is a few KB; anything this big is a mistake or an attack
MAX_DEPTH = 32


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_text(path: Path) -> str:
    """The file's text, or YamlProblem for a file too large, unreadable or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise YamlProblem(Problem(path, None, None,
                f"file is {size / 1048576:.1f} MB; the limit is {MAX_FILE_BYTES // 1048576} MB"))
        data = path.read_bytes()
    except OSError as exc:
        raise YamlProblem(Problem(path, None, None, f"cannot read: {exc.strerror or exc}")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise YamlProblem(Problem(path, line, None,
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8")) from None


def parse(text: str, path: Path | str) -> Any:
    """Parse one YAML document safely; never constructs arbitrary Python objects."""
    try:
        data = yaml.load(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        if "constructor" in message and "tag" in message:
            message = f"tags such as {_tag_of(exc)} are not allowed in llmpick files"
        raise YamlProblem(Problem(path, line, None, f"YAML syntax: {message}")) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(path, None, None, f"YAML: {exc}")) from None
    except RecursionError:
        raise YamlProblem(Problem(path, None, None, f"nested more than {MAX_DEPTH} levels deep")) from None
    if _depth(data) > MAX_DEPTH:
        raise YamlProblem(Problem(path, None, None, f"nested more than {MAX_DEPTH} levels deep"))
    return data


def load_file(path: Path) -> tuple[Any, str]:
    text = read_text(path)
    return parse(text, path), text


def _tag_of(exc: yaml.MarkedYAMLError) -> str:
    problem = str(exc.problem or "")
    start = problem.find("'")
    return problem[start:] if start >= 0 else "!!python/..."


def _depth(node: Any) -> int:
    # iterative, and each container counted once, so aliases cannot blow it up
    seen: set[int] = set()
    deepest = 0
    stack = [(node, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def line_of(text: str, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the node at `loc` (keys and list indices), or of its nearest parent."""
    try:
        node = yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((pair for pair in node.value if pair[0].value == key), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line
