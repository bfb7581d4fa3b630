"""Python source: model calls, model= keywords and the strings they receive, parsed with ast."""

from __future__ import annotations

import ast
import re

from .base import Found, Places, Reference, line_at
from .names import CONFIG_KEYS, model_value, ollama_value

# call name -> (label, keyword arguments naming the model, index of the positional argument naming it)
MODEL_CALLS: dict[str, tuple[str, tuple[str, ...], int | None]] = {
    "from_pretrained": ("from_pretrained", ("pretrained_model_name_or_path", "model_id", "repo_id"), 0),
    "pipeline": ("pipeline(model=)", ("model",), 1),
    "hf_hub_download": ("hf_hub_download", ("repo_id",), 0),
    "snapshot_download": ("snapshot_download", ("repo_id",), 0),
    "SentenceTransformer": ("SentenceTransformer", ("model_name_or_path",), 0),
    "CrossEncoder": ("CrossEncoder", ("model_name", "model_name_or_path"), 0),
    "LLM": ("vllm.LLM", ("model",), 0),
}
# Ollama clients: the ollama package's functions and LangChain's wrappers
OLLAMA_CALLS = frozenset({"ChatOllama", "OllamaLLM", "Ollama", "OllamaEmbeddings"})
OLLAMA_FUNCTIONS = frozenset({"chat", "generate", "pull", "embed", "embeddings", "show", "push"})


# Without one of these, a Python file cannot name a model the scanner would report: it is not parsed.
_PYTHON_CANDIDATE = re.compile(r"""["'][A-Za-z0-9][\w.\-]*/[A-Za-z0-9]|\b(?:""" + "|".join(MODEL_CALLS)
                               + r"|" + "|".join(OLLAMA_CALLS) + r"|ollama)\b")


def scan_python(text: str, rel: str, here: Places) -> Found:
    if not _PYTHON_CANDIDATE.search(text):
        return [], None
    try:
        return _PythonScan(rel, here, ast.parse(text)).references, None
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        reason = f"syntax error{f' at line {line}' if line else ''}; scanned with patterns"
    except (RecursionError, MemoryError):
        reason = "nested too deeply to parse; scanned with patterns"
    return _scan_python_fallback(text, rel, here), reason


class _PythonScan:
    def __init__(self, rel: str, here: Places, tree: ast.AST) -> None:
        self.rel, self.here = rel, here
        self.references: list[Reference] = []
        # NAME = value, self.NAME = value and def f(NAME=value), anywhere in the module
        self.assigned: dict[str, list[ast.expr]] = {}
        calls, dicts = [], []
        for node in ast.walk(tree):  # one walk: a function may use a constant defined below it
            for target, value in _bindings(node):
                self.assigned.setdefault(target, []).append(value)
            if isinstance(node, ast.Call):
                calls.append(node)
            elif isinstance(node, ast.Dict):
                dicts.append(node)
        for call in calls:
            self._call(call)
        for mapping in dicts:
            for key, value in zip(mapping.keys, mapping.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.lower() in CONFIG_KEYS:
                    self._add(value, f"dict:{key.value}", ollama=False)
        for target, values in self.assigned.items():  # MODEL_ID = "owner/name", however it is used
            if target.lower() in CONFIG_KEYS:
                for value in values:
                    self._add(value, f"assignment:{target}", ollama=False, follow=False)

    def _call(self, node: ast.Call) -> None:
        name, owner = _callee(node.func)
        keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}
        if name in MODEL_CALLS:
            label, names, position = MODEL_CALLS[name]
            argument = next((keywords[k] for k in names if k in keywords), None)
            if argument is None and position is not None and len(node.args) > position:
                argument = node.args[position]
            if argument is not None:
                self._add(argument, label, ollama=False, owner_optional=True)
        elif name in OLLAMA_CALLS or (owner == "ollama" and name in OLLAMA_FUNCTIONS):
            argument = keywords.get("model") or (node.args[0] if node.args else None)
            if argument is not None:
                self._add(argument, f"{owner + '.' if owner else ''}{name}(model=)", ollama=True)
        for key in CONFIG_KEYS & keywords.keys():  # other libraries' model= style arguments
            self._add(keywords[key], f"{name or 'call'}({key}=)", ollama=False)
        option = _option_name(node) if name == "add_argument" else None
        if option in CONFIG_KEYS and "default" in keywords:  # parser.add_argument("--model", default="...")
            self._add(keywords["default"], f"argparse --{option}", ollama=False)

    def _add(self, argument: ast.expr, via: str, *, ollama: bool, owner_optional: bool = False,
             follow: bool = True) -> None:
        for literal, through in self._strings(argument, depth=0 if follow else 3):
            value = literal.value
            found = ollama_value(value, self.here) if ollama else model_value(value, self.here, owner_optional)
            if found:
                label = f"{via} via {through}" if through else via
                self.references.append(Reference(found[1], found[0], self.rel, literal.lineno, label))

    def _strings(self, node: ast.expr, through: str | None = None,
                 depth: int = 0) -> list[tuple[ast.Constant, str | None]]:
        """The string literals an argument can evaluate to, and the name it was passed through."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [(node, through)]
        name = _bound_name(node)
        if name and depth < 3:
            return [hit for value in self.assigned.get(name, [])
                    for hit in self._strings(value, through or name, depth + 1)]
        if isinstance(node, ast.Call) and _is_getenv(node) and len(node.args) >= 2:
            return self._strings(node.args[1], through, depth)  # os.getenv("MODEL", "owner/name"): the default
        if isinstance(node, ast.Call) and _callee(node.func)[0] == "field":
            default = next((kw.value for kw in node.keywords if kw.arg == "default"), None)
            return self._strings(default, through, depth) if default else []  # dataclass field(default=...)
        return []


def _bindings(node: ast.AST) -> list[tuple[str, ast.expr]]:
    """(name, value) for `NAME = value`, `NAME: T = value`, `self.NAME = value` and parameter defaults."""
    if isinstance(node, ast.Assign):
        return [(name, node.value) for target in node.targets if (name := _bound_name(target))]
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        name = _bound_name(node.target)
        return [(name, node.value)] if name else []
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults, strict=True))
        pairs += [(arg, default) for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True) if default]
        return [(arg.arg, default) for arg, default in pairs]
    return []


def _bound_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
        return node.attr  # an attribute shares the bare name's table: simple, and class bodies bind bare names
    return None


def _option_name(node: ast.Call) -> str | None:
    flags = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    long = next((f for f in flags if f.startswith("--")), None)
    return long[2:].replace("-", "_").lower() if long else None


def _callee(func: ast.expr) -> tuple[str | None, str | None]:
    if isinstance(func, ast.Name):
        return func.id, None
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return func.attr, owner
    return None, None


def _is_getenv(node: ast.Call) -> bool:
    name, owner = _callee(node.func)
    return name == "getenv" or (name == "get" and isinstance(node.func, ast.Attribute)
                                and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "environ")


_QUOTED = re.compile(r"""(?P<q>["'])(?P<s>[^"'\n]{1,300})(?P=q)""")
_FALLBACK_CALL = re.compile(r"\b(?P<call>" + "|".join(sorted(MODEL_CALLS)) + r")\s*\(")
_FALLBACK_CONSTANT = re.compile(
    r"^[ \t]*(?P<name>[A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=[ \t]*(?P<q>[\"'])(?P<s>[^\"'\n]+)(?P=q)", re.MULTILINE)


def _scan_python_fallback(text: str, rel: str, here: Places) -> list[Reference]:
    """For a file `ast` cannot parse: string literals and simple constants inside the model calls' parentheses."""
    constants: dict[str, list[tuple[str, int]]] = {}
    for match in _FALLBACK_CONSTANT.finditer(text):
        constants.setdefault(match["name"], []).append((match["s"], line_at(text, match.start("s"))))
    references = []
    for call in _FALLBACK_CALL.finditer(text):
        label = MODEL_CALLS[call["call"]][0] + " (fallback)"
        arguments = _balanced(text, call.end())
        start = call.end()
        found = [(m["s"], line_at(text, start + m.start("s")), None) for m in _QUOTED.finditer(arguments)]
        for word in re.findall(r"\b[A-Za-z_]\w*\b", _QUOTED.sub("", arguments)):
            found += [(value, line, word) for value, line in constants.get(word, [])]
        for value, line, through in found:
            model = model_value(value, here, owner_optional=True)
            if model:
                via = f"{label} via {through}" if through else label
                references.append(Reference(model[1], model[0], rel, line, via))
    return references


def _balanced(text: str, start: int, limit: int = 2000) -> str:
    depth = 1
    for index in range(start, min(len(text), start + limit)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return text[start:index]
    return text[start:start + limit]
