"""A cache of the validated catalog, keyed by every file's path, size and modification time.

Stored with pickle in the user cache directory; rebuilt silently when stale, corrupt, unreadable or
written by another version of llmpick. Failing to write it never fails a command. Large byte strings
(`Spill`) are written after the pickle and read back from the file part by part, when asked for.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from .. import __version__

ENV_CACHE_DIR = "LLMPICK_CACHE_DIR"
ENV_NO_CACHE = "LLMPICK_NO_CACHE"
FORMAT = 4


def cache_dir() -> Path:
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR])
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "llmpick"


def _code_fingerprint() -> tuple:
    # the schema's source files: a cache built by different code is never trusted
    here = Path(__file__).resolve().parent
    files = [*sorted(here.glob("*.py")), here.parent / "core" / "vocab.py"]
    return tuple((path.name, path.stat().st_size, path.stat().st_mtime_ns) for path in files)


def fingerprint(files: list[str]) -> tuple:
    return _key(_digest(files))


def _key(digest: str) -> tuple:
    return (FORMAT, __version__, sys.version_info[:2], _code_fingerprint(), digest)


def _digest(files: list[str]) -> str:
    stats = []
    for path in files:
        st = os.stat(path)
        stats.append((path, st.st_size, st.st_mtime_ns))
    # a digest, not the list itself: 100,000 stored entries cost more to unpickle than to hash
    return hashlib.sha256(marshal.dumps(stats)).hexdigest()


# A cache file this large holds thousands of cards: listing and stat-ing their files (0.4 s at 100,000 on the
# benchmark machine) then runs in a forked child while this process unpickles the cache, on another core.
BACKGROUND_CHECK_BYTES = 16 << 20


def _single_threaded() -> bool:
    """No other Python thread runs: forking a threaded process (llmpick used as a library in a server) can leave
    the child blocked on a lock some other thread held."""
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


class _Later:
    """`compute()`, in a forked child process started now when `background` (and fork works here), read back when
    `result()` is called; else computed by `result()` itself. `close()` ends an unread child."""

    def __init__(self, compute: Callable[[], str], background: bool) -> None:
        self.compute, self.pid, self.pipe = compute, 0, -1
        if background and sys.platform == "linux" and _single_threaded():
            self._start()

    def _start(self) -> None:
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # the child: compute, write, and leave without running any of the parent's exit handlers
            status = 1
            try:
                os.close(read_end)
                os.write(write_end, self.compute().encode())
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self.pid, self.pipe = pid, read_end

    def result(self) -> str:
        if not self.pid:
            return self.compute()
        with os.fdopen(self.pipe, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        # the child could not list or stat a file (say, one removed meanwhile): see for ourselves
        return data.decode() if os.waitstatus_to_exitcode(status) == 0 and data else self.compute()

    def close(self) -> None:
        if self.pid:
            os.close(self.pipe)
            os.waitpid(self.pid, 0)
            self.pid = 0


def _path_for(layers: list[Path]) -> Path:
    key = hashlib.sha256("\0".join(str(p.resolve()) for p in layers).encode()).hexdigest()[:16]
    return cache_dir() / f"catalog-{key}.pickle"


class Spill:
    """Bytes that the cache writes after the pickle instead of inside it. Loaded from the cache, they stay in the
    file and each part is read when asked for: at 100,000 cards the pickled cards are 290 MB, of which a
    `recommend` reads a few."""

    def __init__(self, data: bytes | bytearray = b"") -> None:
        self.data = data

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, part: slice) -> bytes:
        return bytes(memoryview(self.data)[part])


class _Source:
    """The open cache file that spilled bytes are read from, and where they start in it."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle, self.start, self.size = handle, 0, 0

    def read(self, offset: int, size: int) -> bytes:
        self.handle.seek(self.start + offset)
        return self.handle.read(size)  # short if the file was cut meanwhile: the reader's checksum tells

    def __del__(self) -> None:
        self.handle.close()


class _InFile(Spill):
    def __init__(self, source: _Source | None, offset: int, size: int) -> None:
        self.source, self.offset, self.size = source, offset, size
        if source is not None:
            source.size += size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, part: slice) -> bytes:
        start, stop, _ = part.indices(self.size)
        return self.source.read(self.offset + start, stop - start) if self.source and stop > start else b""


def _spilled(offset: int, size: int) -> Spill:
    return _InFile(None, offset, size)  # read by plain pickle.load: not attached to a file, so it reads as empty


class _Writer(pickle.Pickler):
    def __init__(self, handle: BinaryIO) -> None:
        super().__init__(handle, pickle.HIGHEST_PROTOCOL)
        self.spilled: list[bytes | bytearray] = []
        self.size = 0

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is not Spill:
            return NotImplemented
        self.spilled.append(obj.data)
        self.size += len(obj.data)
        return _spilled, (self.size - len(obj.data), len(obj.data))


class _Reader(pickle.Unpickler):
    def __init__(self, handle: BinaryIO) -> None:
        super().__init__(handle)
        self.source = _Source(handle)

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, "_spilled"):
            return partial(_InFile, self.source)
        return super().find_class(module, name)


def load(layers: list[Path], list_files: Callable[[], list[str]]) -> Any | None:
    """The cached catalog of `layers` if it was built from the files `list_files()` lists as they are now."""
    if os.environ.get(ENV_NO_CACHE):
        return None
    collecting = gc.isenabled()
    gc.disable()  # unpickling makes millions of objects and no garbage: collecting meanwhile only costs time
    handle = None
    current: _Later | None = None
    try:
        handle = open(_path_for(layers), "rb")
        current = _Later(lambda: _digest(list_files()), os.fstat(handle.fileno()).st_size >= BACKGROUND_CHECK_BYTES)
        reader = _Reader(handle)
        stored_key, catalog = reader.load()
        source = reader.source
        source.start = handle.tell()
        whole = os.fstat(handle.fileno()).st_size == source.start + source.size  # the spilled bytes not cut short
        if stored_key != _key(current.result()) or not whole:
            return None
        handle = None  # the spilled bytes read from it from now on
        gc.freeze()  # and no later collection need rescan them (measured: 0.5 s per full pass at 100,000 cards)
        return catalog
    except Exception:  # corrupt, truncated, unreadable or from another version: rebuild
        return None
    finally:
        if current is not None:
            current.close()
        if handle is not None:
            handle.close()
        if collecting:
            gc.enable()


def store(layers: list[Path], key: tuple, catalog: Any) -> None:
    if os.environ.get(ENV_NO_CACHE):
        return
    target = _path_for(layers)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".catalog-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                writer = _Writer(handle)
                writer.dump((key, catalog))
                for data in writer.spilled:
                    handle.write(data)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:  # read-only or full cache directory: work without a cache
        pass
