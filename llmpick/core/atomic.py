"""Write a file whole or not at all: a temporary file beside it, then a rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from .errors import UsageError


def write_text(path: Path, text: str, *, overwrite: bool = True) -> None:
    """Write `text` to `path` atomically; with overwrite=False an existing file is an error, never replaced.

    A failure (full disk, interrupt) leaves the previous file as it was and no temporary file behind."""
    write_with(path, lambda handle: handle.write(text), overwrite=overwrite)


def write_with(path: Path, write: Callable[[TextIO], object], *, overwrite: bool = True) -> None:
    """Like write_text, with the text written piece by piece by `write(handle)` (a large export)."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a directory", "give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: directory {path.parent} does not exist", "create it first")
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        # mkstemp makes the file private; give it the mode a normal write would have
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the target exists, unlike a rename
    except FileExistsError:
        raise UsageError(f"{path} already exists; not overwriting it", "remove it or choose another file") from None
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
