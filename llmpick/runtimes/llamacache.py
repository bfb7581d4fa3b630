"""GGUF files llama.cpp downloaded (`llama-server -hf REPO:QUANT`, `--hf-repo`/`--hf-file`): flat in its cache folder
as OWNER_REPO_FILE.gguf (llama.cpp's common/arg.cpp joins repo and file and turns each / into _), and, since llama.cpp
keeps downloads in the Hugging Face cache layout (common/hf-cache.cpp), as models--OWNER--REPO under LLAMA_CACHE.
Without LLAMA_CACHE those go to the Hugging Face cache itself, which the hf-cache source lists."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from ..core.errors import UsageError
from .local import LocalModel, file_size, name_references, quant_in_name, split_part

_REPO_END = re.compile(r"-GGUF_", re.IGNORECASE)  # OWNER_NAME-GGUF_FILE: where the repo's name ends


def cache_folder(platform: str | None = None) -> Path:
    """llama.cpp's fs_get_cache_directory (common/common.cpp): LLAMA_CACHE, else XDG_CACHE_HOME or ~/.cache on Linux,
    ~/Library/Caches on macOS, LOCALAPPDATA on Windows, each followed by llama.cpp."""
    if os.environ.get("LLAMA_CACHE"):
        return Path(os.environ["LLAMA_CACHE"]).expanduser()
    platform = platform or sys.platform
    if platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    elif platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "llama.cpp"


def installed(notes: list[str], folder: Path | None = None) -> list[LocalModel]:
    """The GGUF models in llama.cpp's cache folder; a missing folder is none, an unreadable one a UsageError, a file
    whose header is corrupt a note."""
    from . import gguf_header, hfcache

    folder = folder or cache_folder()
    try:
        entries = [(entry.name, entry.is_file()) for entry in os.scandir(folder)]
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise UsageError(f"{folder}: cannot read it ({exc.strerror or exc})",
                         "it is llama.cpp's download cache: fix its permissions, or set LLAMA_CACHE to the folder "
                         "llama.cpp uses") from None
    firsts = sorted(folder / name for name, is_file in entries if is_file and name.lower().endswith(".gguf")
                    and (split_part(Path(name)) or (1, 1))[0] == 1)
    headers = bool(firsts) and gguf_header.readable_here(notes)
    found = [_model(path, header) for path, header in gguf_header.readable(firsts, notes, headers)]
    hub = any(name.startswith("models--") and not is_file for name, is_file in entries)
    if hub and folder.resolve() != hfcache.cache_folder().resolve():
        found += [_relabel(model) for model in hfcache.installed(notes, folder)]  # the Hub layout under LLAMA_CACHE
    return found


def split_name(stem: str) -> tuple[str | None, str]:
    """(owner/repo, file stem) of a flat cache name, where the repo's name ends in -GGUF (as most GGUF repos' do);
    (None, the name after the owner) otherwise, since an _ may stand for a / or be part of a name."""
    match = _REPO_END.search(stem)
    if match is not None and "_" in stem[:match.start()]:
        owner, repo = stem[:match.start() + len("-GGUF")].split("_", 1)
        return f"{owner}/{repo}", stem[match.end():]
    return None, stem.split("_", 1)[-1]


def _model(path: Path, header) -> LocalModel:
    repo, rest = split_name(path.name[:-5])
    refs = ([(repo, "hf")] if repo else []) + name_references(rest, header.name if header else None)
    quant = (header.quant if header else None) or quant_in_name(path.name)
    return LocalModel("llama.cpp", f"{repo}/{rest}.gguf" if repo else path.name, str(path), quant, file_size(path),
                      repo, tuple(refs), header.context_length if header else None,
                      header.architecture if header else None)


def _relabel(model: LocalModel) -> LocalModel:
    from dataclasses import replace

    return replace(model, source="llama.cpp")
