"""Shell scripts, Dockerfiles, Makefiles and .env files: commands and MODEL_ID=-style variables."""

from __future__ import annotations

from .base import Found, Places
from .commands import scan_commands
from .config import scan_config_lines


def scan_shell(text: str, rel: str, here: Places) -> Found:
    """Commands, and variables such as `MODEL_ID=owner/name` (shell, `ENV`/`ARG` in Dockerfiles, .env files)."""
    return scan_commands(text, rel, here)[0] + scan_config_lines(text, rel, here), None
