"""Reading files that may be hostile: regular files only, opened without blocking, read up to a size limit.

A FIFO would block the reader forever, /dev/zero or /dev/urandom would feed it until memory runs out, and a file
can be swapped for either between a check and a read: so the kind and size are checked on the open descriptor."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import shown

MAX_FILE_BYTES = 2 * 1024 * 1024  # a card is a few KB; anything this big is a mistake or an attack


class Refused(Exception):
    """The path is not a regular file, or is larger than the limit; OSErrors (missing, unreadable, a symlink
    loop, a name too long) are raised as they are."""


class NotRegular(Refused):
    def __init__(self, kind: str) -> None:
        super().__init__(f"it is {kind}, not a regular file")
        self.kind = kind


class TooLarge(Refused):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"it is {size} bytes; the limit is {limit}")
        self.size, self.limit = size, limit


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def kind_of(mode: int) -> str:
    """'a FIFO (named pipe)', 'a character device', ... for a stat mode; 'a regular file' for one."""
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


def read_regular(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at `path` (symlinks followed). Raises NotRegular, TooLarge or OSError."""
    if not stat.S_ISREG(mode := os.stat(path).st_mode):  # a device is not even opened
        raise NotRegular(kind_of(mode))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)  # what was opened, which may not be what was checked above
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(kind_of(info.st_mode))
        if info.st_size > limit:
            raise TooLarge(info.st_size, limit)
        chunks, size = [], 0
        while size <= limit:  # one byte past the limit tells a file that grew meanwhile
            chunk = os.read(fd, min(limit + 1 - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise TooLarge(size, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


def problem_with(path: Path, expect: str = "a directory") -> str | None:
    """Why `path` cannot be used where `expect` is wanted ('it does not exist', 'it is a FIFO (named pipe), not
    a directory', 'Too many levels of symbolic links'), or None when it is a directory or a regular file."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "it does not exist" if not os.path.islink(path) else \
            f"it is a symlink to {shown(os.readlink(path))}, which does not exist"
    except OSError as exc:
        return exc.strerror or str(exc)
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return None
    return f"it is {kind_of(mode)}, not {expect}"

