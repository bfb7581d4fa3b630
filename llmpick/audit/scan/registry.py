"""Which scanner reads which file (one entry per file kind), and scan(): a project's files through them."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ...core.errors import UsageError
from .base import Found, Places, ScanResult, ordered, read, relative, walk
from .config import scan_json, scan_toml, scan_yaml
from .modelfile import scan_modelfile
from .notebook import scan_notebook
from .python import scan_python
from .shell import scan_shell

Scanner = Callable[[str, str, Places], Found]  # (text, path relative to the root, places) -> found


@dataclass(frozen=True)
class Kind:
    """A file kind: the file names, name prefixes and suffixes (all lowercase) that its scanner reads."""

    scanner: Scanner
    suffixes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()


# The first kind that matches a file reads it: modelfile.sh is a Modelfile, Dockerfile.yaml is YAML.
KINDS = (
    Kind(scan_python, suffixes=(".py", ".pyi")),
    Kind(scan_notebook, suffixes=(".ipynb",)),
    Kind(scan_yaml, suffixes=(".yaml", ".yml")),
    Kind(scan_json, suffixes=(".json",)),
    Kind(scan_toml, suffixes=(".toml",)),
    Kind(scan_modelfile, suffixes=(".modelfile",), names=("modelfile",), prefixes=("modelfile.",)),
    Kind(scan_shell, suffixes=(".dockerfile", ".sh", ".bash", ".zsh", ".env"),
         names=("dockerfile", "containerfile", "makefile", "justfile", ".env"),
         prefixes=("dockerfile.", "containerfile.")),
)
EXPLICIT = scan_shell  # a file named on the command line that is of no kind above


def scanner_for(path: Path, explicit: bool) -> Scanner | None:
    name = path.name.lower()
    suffix = path.suffix.lower()
    for kind in KINDS:
        if suffix in kind.suffixes or name in kind.names or name.startswith(kind.prefixes):
            return kind.scanner
    return EXPLICIT if explicit else None


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
