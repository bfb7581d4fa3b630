"""Find references to models in a project's source, config, Dockerfiles and caches."""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from ...core.errors import UsageError
from .base import Found, Places, Reference, ScanResult, line_at, ordered, read, relative, walk
from .names import CONFIG_KEYS, hub_id, model_value, ollama_value


def scan(paths: Sequence[Path], root: Path | None = None) -> ScanResult:
    """Scan files and directories (recursively) for model references.

    What is recognised:
    - Python (*.py, and the code cells of *.ipynb), parsed with `ast`: `X.from_pretrained(...)`,
      `pipeline(model=...)`, `hf_hub_download`, `snapshot_download`, `SentenceTransformer`, `CrossEncoder`,
      vLLM `LLM(model=...)`, Ollama clients (`ollama.chat(model=...)`, `ChatOllama`), any `model=`-style
      keyword or dict key (CONFIG_KEYS), argparse defaults of `--model`-style options, and the strings
      these receive through names (module constants, `self.x`, parameter defaults, `os.getenv` defaults,
      `field(default=...)`). A file that does not parse is scanned with patterns and listed in `fallbacks`.
    - YAML, JSON, TOML: string values under CONFIG_KEYS (`model`, `model_name`, `base_model`, ...).
    - Shell scripts, Dockerfiles, .env files, CI YAML: `huggingface-cli download`/`hf download` (not
      datasets), `ollama pull|run`, `vllm serve`, `--model-id X`-style options, `MODEL_ID=X` variables.
    - Ollama Modelfiles: `FROM name` (local weight files are ignored).
    Only strings shaped like a Hub repo id (`owner/name`; an owner-less legacy id in a model call) or an
    Ollama name are kept, and not those naming an existing file or directory (a local checkpoint).

    Paths in the result are relative to `root` (default: the current directory) when inside it.
    Raises UsageError for a path that does not exist; unreadable, binary and oversized files are skipped
    and listed, never fatal. Directories in SKIP_DIRS (.git, .venv, node_modules, ...) are not entered.
    """
    root = Path(os.path.abspath(root or Path.cwd()))
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise UsageError(f"scan path {missing[0]} does not exist", "give files or directories of the project")
    result = ScanResult()
    seen: set[Path] = set()
    for path, explicit in walk(paths, result, root):
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        scanner = scanner_for(path, explicit)
        if scanner is None:
            continue
        rel = relative(path, root)
        text = read(path, rel, result)
        if text is None:
            continue
        result.files_scanned += 1
        references, fallback = scanner(text, rel, (path.parent, root))
        result.references += references
        if fallback:
            result.fallbacks.append((rel, fallback))
    result.references = ordered(result.references)
    result.skipped.sort()
    result.fallbacks.sort()
    return result


def default_hf_cache() -> Path:
    """Where huggingface_hub keeps downloads: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "huggingface" / "hub"


def scan_hf_cache(directory: Path | None = None) -> ScanResult:
    """The models in a Hugging Face cache: one `models--owner--name` directory with snapshots per repo."""
    directory = directory or default_hf_cache()
    if not directory.is_dir():
        raise UsageError(f"no Hugging Face cache at {directory}",
                         "pass the cache directory, or set HF_HUB_CACHE or HF_HOME")
    result = ScanResult()
    try:
        entries = sorted(directory.iterdir())
    except OSError as exc:
        raise UsageError(f"cannot read the Hugging Face cache {directory}: {exc.strerror or exc}") from None
    for entry in entries:
        if not entry.name.startswith("models--") or not entry.is_dir():
            continue
        result.files_scanned += 1
        repo = "/".join(entry.name.removeprefix("models--").split("--", 1))
        try:
            complete = any((entry / "snapshots").iterdir())
        except OSError:
            complete = False
        if not complete:
            result.skipped.append((entry.name, "no snapshot (download incomplete or deleted)"))
        elif hub_id(repo, owner_optional=True):
            result.references.append(Reference(repo, "hf", "", 0, "hf-cache"))
    result.references = ordered(result.references)
    return result

# --- which scanner reads which file

def scanner_for(path: Path, explicit: bool) -> Callable[[str, str, Places], Found] | None:
    name = path.name.lower()
    suffix = path.suffix.lower()
    if suffix in (".py", ".pyi"):
        return scan_python
    if suffix == ".ipynb":
        return scan_notebook
    if suffix in (".yaml", ".yml"):
        return scan_yaml
    if suffix == ".json":
        return scan_json
    if suffix == ".toml":
        return scan_toml
    if name == "modelfile" or name.startswith("modelfile.") or suffix == ".modelfile":
        return scan_modelfile
    if (name in ("dockerfile", "containerfile") or name.startswith(("dockerfile.", "containerfile."))
            or suffix in (".dockerfile", ".sh", ".bash", ".zsh", ".env") or name in ("makefile", "justfile", ".env")):
        return scan_shell
    return scan_shell if explicit else None


# --- what a model name looks like

# --- Python


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


def scan_notebook(text: str, rel: str, here: Places) -> Found:
    """A Jupyter notebook's code cells as one module (a name set in one cell is used in another); lines are
    the notebook file's own, so that a report points into the .ipynb."""
    import json

    try:
        cells = json.loads(text)["cells"]
        sources = [cell["source"] for cell in cells if cell.get("cell_type") == "code"]
    except (ValueError, RecursionError, KeyError, TypeError, AttributeError):
        return scan_commands(text, rel, here)[0], "not a valid notebook; scanned for commands only"
    lines: list[str] = []
    where: list[int] = []  # notebook file line of each line of the joined code
    cursor = 0
    for source in sources:
        for line in (source if isinstance(source, list) else str(source).splitlines(keepends=True)):
            line = str(line)
            for ascii_only in (False, True):
                encoded = json.dumps(line, ensure_ascii=ascii_only)[1:-1]
                at = text.find(encoded, cursor)
                if at >= 0:
                    where.append(line_at(text, at))
                    cursor = at + len(encoded)
                    break
            else:
                where.append(line_at(text, cursor))
            stripped = line.lstrip().rstrip("\n")
            if stripped.startswith("!"):  # a shell command: kept as a comment, scanned as shell below
                lines.append("#" + stripped + "\n")
            else:
                lines.append("\n" if stripped.startswith("%") else line.rstrip("\n") + "\n")  # magics
    code = "".join(lines)
    references, fallback = scan_python(code, rel, here)
    shell = "".join(line[1:] if line.startswith("#!") else "\n" for line in lines)
    references += scan_commands(shell, rel, here)[0]
    located = [replace(ref, line=where[ref.line - 1]) for ref in references if 0 < ref.line <= len(where)]
    return located, fallback


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

# --- YAML, JSON, TOML configuration


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
    while stack:
        node = stack.pop()
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


_CONFIG_LINE = re.compile(r"""["']?(?P<key>[A-Za-z_]+)["']?\s*[:=]\s*(?P<q>["']?)(?P<s>[^"'\s,#}\]]+)(?P=q)""")


def scan_config_lines(text: str, rel: str, here: Places, parsed: set[tuple[str, str]] | None = None) -> list:
    """`key: value` / `key = "value"` lines under a model key; with `parsed`, only pairs the parser confirmed."""
    references = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in _CONFIG_LINE.finditer(line):
            hit = _config_hit(match["key"], match["s"], here)
            if hit and (parsed is None or (match["key"].lower(), match["s"]) in parsed):
                references.append(Reference(hit[1], hit[0], rel, number, f"config:{match['key']}"))
    return references


# --- shell scripts, Dockerfiles, Modelfiles
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


def scan_shell(text: str, rel: str, here: Places) -> Found:
    """Commands, and variables such as `MODEL_ID=owner/name` (shell, `ENV`/`ARG` in Dockerfiles, .env files)."""
    return scan_commands(text, rel, here)[0] + scan_config_lines(text, rel, here), None


_FROM = re.compile(r"^[ \t]*FROM[ \t]+(?P<name>\S+)", re.IGNORECASE | re.MULTILINE)


def scan_modelfile(text: str, rel: str, here: Places) -> Found:
    references = []
    for match in _FROM.finditer(text):
        found = ollama_value(match["name"].strip("'\""), here)
        if found:
            references.append(Reference(found[1], found[0], rel, line_at(text, match.start("name")), "Modelfile FROM"))
    return references, None
