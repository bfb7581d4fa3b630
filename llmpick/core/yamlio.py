"""Safe, bounded YAML reading with file:line locations for errors.

Every YAML file llmpick reads (cards, registries, gpus.yaml, manifests, policies, profiles, --set values) goes
through `parse`, whose loader differs from PyYAML's safe loader in three ways: a key given twice in one mapping
is an error at its line (a later value would silently replace the earlier one); plain scalars resolve as in
YAML 1.2's core schema, so only true/false are booleans (`no`, `yes`, `on`, `off` stay words: `no` is
Norwegian), integers are decimal, 0o octal or 0x hex (no sexagesimal `1:30` = 90, no octal `010` = 8) and floats
have no sexagesimal form; and a date that does not exist is reported at its line."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem
from .files import MAX_FILE_BYTES, NotRegular, TooLarge, read_regular

try:  # libyaml's C parser is several times faster; the pure-Python one is the fallback
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

class _Located(yaml.MarkedYAMLError):
    """A problem the loader found at a node: reported in llmpick's words at the node's line."""

    def __init__(self, problem: str, mark: yaml.Mark, key: str | None = None) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.key = key


class _Loader(SafeLoader):  # type: ignore[misc,valid-type]
    """The safe loader, with duplicate keys refused, YAML 1.2 core-schema scalars and dates that do not exist
    (2025-02-30) reported at their line instead of raised."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        first: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *base` then a key of its own overrides the merged one, as intended
            key = self.construct_object(key_node, deep=True)
            try:
                earlier = first.setdefault(key, key_node)
            except TypeError:  # an unhashable key: the safe loader says so in its own words below
                continue
            if earlier is not key_node:
                raise _Located(f"duplicate key (first on line {earlier.start_mark.line + 1}): the later value "
                               "would silently replace the earlier one; keep one", key_node.start_mark,
                               _shorten(str(key), quote=False))
        return super().construct_mapping(node, deep)


def _core_schema() -> None:
    """Resolve plain booleans, integers and floats as YAML 1.2's core schema does, not as YAML 1.1 does."""
    replaced = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                "tag:yaml.org,2002:value"}
    _Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in replaced]
        for first, resolvers in SafeLoader.yaml_implicit_resolvers.items()}
    import re

    for tag, pattern, firsts in (
            ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
            ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
            ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                      r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+.0123456789")):
        _Loader.add_implicit_resolver(f"tag:yaml.org,2002:{tag}", re.compile(pattern), list(firsts))


def _int(loader: SafeLoader, node: yaml.ScalarNode) -> int:
    value = node.value
    if value.startswith(("0o", "0x")):
        return int(value[2:], 8 if value[1] == "o" else 16)
    return int(value, 10)  # 010 is ten, as a reader expects, not YAML 1.1's octal eight


_core_schema()
_Loader.add_constructor("tag:yaml.org,2002:int", _int)


def _timestamp(loader: SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        raise _Located(f"{_shorten(node.value)} is not a date that exists{_why_not_a_date(node.value)}",
                       node.start_mark) from None


def _why_not_a_date(value: str) -> str:
    import calendar
    import re

    match = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if not match:
        return ""
    year, month, day = map(int, match.groups())
    if not 1 <= month <= 12:
        return f" (there is no month {month})"
    days = calendar.monthrange(year, month)[1]
    return f" ({calendar.month_name[month]} {year} has {days} days)" if day > days or day < 1 else ""


def _shorten(value: str, limit: int = 40, quote: bool = True) -> str:
    value = value if len(value) <= limit else value[:limit] + "..."
    return repr(value) if quote else value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

MAX_DEPTH = 32


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_text(path: Path) -> str:
    """The file's text, or YamlProblem for a file too large, unreadable, not a regular file or not UTF-8."""
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except TooLarge as exc:
        raise YamlProblem(Problem(path, None, None,
            f"file is {exc.size / 1048576:.1f} MB; the limit is {MAX_FILE_BYTES // 1048576} MB")) from None
    except NotRegular as exc:
        raise YamlProblem(Problem(path, None, None, f"cannot read: {exc}")) from None
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
        data = yaml.load(text, Loader=_Loader)
    except _Located as exc:
        key = exc.key and _dotted(text, exc.problem_mark.index, exc.key)
        raise YamlProblem(Problem(path, exc.problem_mark.line + 1, key, str(exc.problem))) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise YamlProblem(_problem_of(exc, text, path)) from None
    too_deep = _too_deep_at(data)
    if too_deep is not None:
        raise YamlProblem(Problem(path, line_of(text, too_deep), None, _TOO_DEEP))
    return data


_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"


def _problem_of(exc: yaml.YAMLError | RecursionError, text: str, path: Path | str) -> Problem:
    mark = (exc.problem_mark or exc.context_mark) if isinstance(exc, yaml.MarkedYAMLError) else None
    # A parser may give up on deep nesting in words of its own, or by recursing too far: say it in ours.
    too_deep_line = _line_nested_too_deep(text if mark is None else text[: mark.index])
    if too_deep_line is not None:
        return Problem(path, too_deep_line, None, _TOO_DEEP)
    if isinstance(exc, yaml.MarkedYAMLError):
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        if "constructor" in message and "tag" in message:
            message = f"tags such as {_tag_of(exc)} are not allowed in llmpick files"
        return Problem(path, mark.line + 1 if mark else None, None, f"YAML syntax: {message}")
    return Problem(path, None, None, f"YAML: {exc}")


def _line_nested_too_deep(text: str) -> int | None:
    """The line where collections first nest deeper than MAX_DEPTH in `text`, read event by event up to there.

    Given the text before a parser error, the parser reaches the error's cause without stopping at it."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    return None


def _dotted(text: str, index: int, key: str) -> str:
    """The dotted location (architecture.layers, policy.exceptions.0.model) of the key that starts at `index`."""
    try:
        stack = [(yaml.compose(text, Loader=SafeLoader), ())]
    except (yaml.YAMLError, RecursionError):
        return key
    seen: set[int] = set()
    while stack:
        node, loc = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value in node.value:
                here = (*loc, str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?")
                if key_node.start_mark.index == index:
                    return ".".join(here)
                stack.append((value, here))
        elif isinstance(node, yaml.SequenceNode):
            # entries of a top-level list (a registry) are named by their line alone, as validation names them
            stack.extend((item, (*loc, str(number)) if loc else ()) for number, item in enumerate(node.value))
    return key


def load_file(path: Path) -> tuple[Any, str]:
    text = read_text(path)
    return parse(text, path), text


def _tag_of(exc: yaml.MarkedYAMLError) -> str:
    problem = str(exc.problem or "")
    start = problem.find("'")
    return problem[start:] if start >= 0 else "!!python/..."


def _too_deep_at(node: Any) -> tuple[str | int, ...] | None:
    """The keys and indices of the first container nested deeper than MAX_DEPTH, or None."""
    # iterative, and each container counted once, so aliases cannot blow it up
    seen: set[int] = set()
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(node, ())]
    while stack:
        item, loc = stack.pop()
        if isinstance(item, (dict, list)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            if len(loc) >= MAX_DEPTH:
                return loc
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            stack.extend((child, (*loc, key)) for key, child in pairs)
    return None


def line_of(text: str, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the node at `loc` (keys and list indices), or of its nearest parent."""
    tree = _tree(text)
    if tree is None:
        return None
    node = tree.root
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = tree.pairs(node).get(key)
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


class _Tree:
    """A composed document with each mapping's keys indexed on first use: a line per field of a file with
    thousands of problems (or manifest entries) costs one parse, not one each."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root
        self._pairs: dict[int, dict[Any, tuple[yaml.Node, yaml.Node]]] = {}

    def pairs(self, node: yaml.MappingNode) -> dict[Any, tuple[yaml.Node, yaml.Node]]:
        if id(node) not in self._pairs:
            index: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
            for pair in node.value:
                if isinstance(pair[0], yaml.ScalarNode):
                    index.setdefault(pair[0].value, pair)  # the first wins, as a search from the top would find
            self._pairs[id(node)] = index
        return self._pairs[id(node)]


@lru_cache(maxsize=2)  # the text of the file being reported on; a str's hash is computed once and kept
def _tree(text: str) -> _Tree | None:
    try:
        return _Tree(yaml.compose(text, Loader=SafeLoader))
    except yaml.YAMLError:
        return None
