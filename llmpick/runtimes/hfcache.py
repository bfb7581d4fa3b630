"""Models in the Hugging Face cache (huggingface_hub.scan_cache_dir): one per model repository, with the GGUF
quantizations it holds."""

from __future__ import annotations

import os
from pathlib import Path

from .local import LocalModel, quant_in_name


def cache_folder() -> Path:
    """Where huggingface_hub keeps its cache: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                                            / "huggingface")
    return Path(home).expanduser() / "hub"


def _strays(folder: Path) -> int:
    """Entries of the cache folder that are no repository folder (scan_cache_dir warns about each): llama.cpp's own
    files beside its Hub-layout downloads under LLAMA_CACHE, say. They are not incomplete or corrupt entries."""
    try:
        return sum(1 for path in folder.iterdir() if path.name != ".locks"
                   and not (path.is_dir() and path.name.split("--")[0] in ("models", "datasets", "spaces")))
    except OSError:
        return 0


def installed(notes: list[str], folder: Path | None = None) -> list[LocalModel]:
    """The model repositories in the cache; a missing cache is no model, an unreadable one a note."""
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    folder = folder or cache_folder()
    try:
        info = scan_cache_dir(folder)
    except CacheNotFound:
        return []
    except OSError as exc:
        notes.append(f"Hugging Face cache {folder}: cannot read it ({exc.strerror or exc})")
        return []
    count = len(info.warnings) - _strays(folder)
    if count > 0:
        notes.append(f"Hugging Face cache {folder}: {count} entr{'y' if count == 1 else 'ies'} skipped as incomplete "
                     "or corrupt (see `hf cache scan`)")
    found = []
    for repo in sorted(info.repos, key=lambda r: r.repo_id.lower()):
        if repo.repo_type != "model":
            continue
        names = {f.file_name for revision in repo.revisions for f in revision.files}
        quants = sorted({q for name in names if name.lower().endswith(".gguf") and (q := quant_in_name(name))})
        found.append(LocalModel("hf-cache", repo.repo_id, str(repo.repo_path), ",".join(quants) or None,
                                repo.size_on_disk, repo.repo_id, ((repo.repo_id, "hf"),)))
    return found
