"""Find references to models in a project's source, config, Dockerfiles and caches."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from ...core.errors import UsageError
from .base import Found, Places, Reference, ScanResult, ordered, read, relative, walk
from .config import scan_json, scan_toml, scan_yaml
from .hf_cache import default_hf_cache, scan_hf_cache
from .modelfile import scan_modelfile
from .notebook import scan_notebook
from .python import scan_python
from .shell import scan_shell


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


# --- YAML, JSON, TOML configuration

# --- shell scripts, Dockerfiles, Modelfiles






__all__ = ["Reference", "ScanResult", "default_hf_cache", "relative", "scan", "scan_hf_cache"]
