"""The Hugging Face cache: one models--owner--name directory per downloaded repo."""

from __future__ import annotations

import os
from pathlib import Path

from ...core.errors import UsageError
from .base import Reference, ScanResult, ordered
from .names import hub_id


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
