"""Write a file whole or not at all (a temporary file beside it, then a rename), or to stdout; never replace what
is not a regular file."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from .errors import UsageError

STDOUT = "-"


def write_text(path: Path, text: str, *, overwrite: bool = True) -> None:
    """Write `text` to `path` atomically; with overwrite=False an existing file is an error, never replaced.

    A failure (full disk, interrupt) leaves the previous file as it was and no temporary file behind."""
    write_with(path, lambda handle: handle.write(text), overwrite=overwrite)


def write_with(path: Path, write: Callable[[TextIO], object], *, overwrite: bool = True) -> None:
    """Like write_text, with the text written piece by piece by `write(handle)` (a large export).

    `-` is stdout. A device, FIFO or socket (`/dev/null`, `/dev/stdout`, a named pipe) is written to, never
    replaced; a symlink to a regular file updates the file it points to; a dangling symlink and a write-protected
    file are refused."""
    if str(path) == STDOUT:
        write_stdout(write)
        return
    path = Path(path)
    target, through = _target(path, overwrite)
    if through:
        _write_through(path, write)
        return
    if not target.parent.is_dir():
        raise UsageError(f"cannot write {path}: directory {target.parent} does not exist", "create it first")
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        # mkstemp makes the file private; give it the mode a normal write would have
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # fails if the target exists, unlike a rename
    except FileExistsError:
        raise UsageError(f"{path} already exists; not overwriting it", "remove it or choose another file") from None
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _target(path: Path, overwrite: bool) -> tuple[Path, bool]:
    """The file to replace, or (path, True) when `path` must be written through (not a regular file)."""
    try:
        info = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        if os.path.islink(path):
            raise UsageError(f"cannot write {path}: it is a symlink to {os.readlink(path)}, which does not exist",
                             "remove the link or write to its target") from None
        return path, False
    except OSError as exc:  # a symlink loop, a name too long, a parent that is a file
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"cannot write {path}: it is a directory", "give a file name")
    if not overwrite:
        raise UsageError(f"{path} already exists; not overwriting it", "remove it or choose another file")
    if not stat.S_ISREG(info.st_mode):
        return path, True
    if not info.st_mode & 0o222:  # checked by mode, since root may write anything
        raise UsageError(f"cannot write {path}: it is write-protected (mode {stat.filemode(info.st_mode)})",
                         "make it writable (chmod u+w) or choose another file")
    return (Path(os.path.realpath(path)) if os.path.islink(path) else path), False


def _write_through(path: Path, write: Callable[[TextIO], object]) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            write(handle)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_stdout(write: Callable[[TextIO], object]) -> None:
    """`write(sys.stdout)`, flushed, with a closed stdout, a full disk or an encoding that cannot show the
    text as one message. A reader that went away (`| head`) is not an error: BrokenPipeError is left to the
    caller."""
    out = sys.stdout
    if out is None:
        raise UsageError("cannot write the output: stdout is closed", "run with stdout open, or use --output FILE")
    try:
        write(out)
        out.flush()
    except BrokenPipeError:
        _drop_buffered(out)
        raise
    except UnicodeEncodeError as exc:
        raise UsageError(f"cannot write the output: stdout's encoding {exc.encoding} cannot show it",
                         "set PYTHONIOENCODING=utf-8, or use --output FILE (always UTF-8)") from None
    except OSError as exc:
        _drop_buffered(out)
        raise UsageError(f"cannot write the output to stdout: {exc.strerror or exc}") from None
    except ValueError:
        if not out.closed:
            raise
        raise UsageError("cannot write the output: stdout is closed",
                         "run with stdout open, or use --output FILE") from None


def _drop_buffered(out: TextIO) -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush does not fail again on exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
