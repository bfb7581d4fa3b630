"""LM Studio's models: `lms ls --json` when the `lms` tool is on PATH, else its model folders
(~/.lmstudio/models, ~/.cache/lm-studio/models; publisher/repo/file.gguf)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from .local import LocalModel, file_size, gguf_files, quant_in_name, repo_reference

LMS_SECONDS = 15.0


def folders(home: Path | None = None) -> list[Path]:
    home = home or Path.home()
    return [home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models"]


def installed(notes: list[str], home: Path | None = None, use_lms: bool = True) -> list[LocalModel]:
    """LM Studio's models, from `lms ls --json` if it answers, else from its folders."""
    if use_lms and shutil.which("lms"):
        listed = _lms(notes)
        if listed is not None:
            return listed
    found: list[LocalModel] = []
    for root in folders(home):
        if root.is_dir():
            found += _folder(root, notes)
    return found


def _folder(root: Path, notes: list[str]) -> list[LocalModel]:
    found = []
    for path in gguf_files(root, notes, f"LM Studio folder {root}"):
        repo = repo_reference(path, root)
        refs = ((repo, "hf"),) if repo else ()
        found.append(LocalModel("lmstudio", path.name, str(path), quant_in_name(path.name), file_size(path), repo,
                                refs))
    return found


def _lms(notes: list[str]) -> list[LocalModel] | None:
    try:
        done = subprocess.run(["lms", "ls", "--json"], capture_output=True, text=True, timeout=LMS_SECONDS)
    except (OSError, subprocess.SubprocessError) as exc:
        notes.append(f"LM Studio: `lms ls --json` failed ({type(exc).__name__}); reading its folders instead")
        return None
    try:
        entries = json.loads(done.stdout) if done.returncode == 0 else None
    except ValueError:
        entries = None
    if not isinstance(entries, list):
        notes.append(f"LM Studio: `lms ls --json` gave no list (exit {done.returncode}); reading its folders instead")
        return None
    return [model for entry in entries if (model := _entry(entry)) is not None]


def _entry(entry: Any) -> LocalModel | None:
    if not isinstance(entry, dict) or entry.get("type", "llm") != "llm":
        return None  # embedding models are not what llmpick recommends
    key, path = entry.get("modelKey"), entry.get("path")
    key = key if isinstance(key, str) and key else None
    path = path if isinstance(path, str) and path else None
    if key is None and path is None:
        return None
    parts = Path(path).parts if path else ()
    repo = f"{parts[0]}/{parts[1]}" if len(parts) >= 2 else None
    refs = tuple((ref, "hf") for ref in dict.fromkeys(r for r in (repo, key) if r and "/" in r))
    size = entry.get("sizeBytes")
    context = entry.get("maxContextLength")
    quant = quant_in_name(Path(path).name) if path else None
    if quant is None and isinstance(entry.get("quantization"), dict):
        quant = quant_in_name(str(entry["quantization"].get("name", "")))
    return LocalModel("lmstudio", key or Path(path or "").name, path or key or "", quant,
                      size if isinstance(size, int) and size >= 0 else None, repo, refs,
                      context if isinstance(context, int) and context > 0 else None,
                      entry.get("architecture") if isinstance(entry.get("architecture"), str) else None)

