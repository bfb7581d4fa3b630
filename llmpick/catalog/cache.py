"""A cache of the validated catalog, keyed by every file's resolved path and content.

Stored with pickle in the user cache directory, and authenticated: the pickle is unpickled only if its HMAC under
a per-user key (a 0600 file outside the cache directory) is right, so whoever can write the cache directory cannot
make llmpick run code. A cache directory that is not the user's own, or that others may write, is not used.
Rebuilt silently when stale, corrupt, unreadable or written by another version of llmpick. Failing to write it
never fails a command. Large byte strings (`Spill`) are written after the pickle and read back from the file part by
part, when asked for; their digests are inside the authenticated pickle.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import io
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from .. import __version__
from ..core.files import Refused, read_regular

ENV_CACHE_DIR = "LLMPICK_CACHE_DIR"
ENV_NO_CACHE = "LLMPICK_NO_CACHE"
FORMAT = 5
MAGIC = b"LLMPICK\x05"
KEY_BYTES = 32
_HEAD = len(MAGIC) + 32 + 8  # magic, HMAC-SHA256 of the pickle, the pickle's length


def disabled() -> bool:
    """LLMPICK_NO_CACHE set to anything but "", 0, false, no or off."""
    return os.environ.get(ENV_NO_CACHE, "").strip().lower() not in ("", "0", "false", "no", "off")


def cache_dir() -> Path:
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR])
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "llmpick"


def key_file() -> Path:
    """The per-user secret that authenticates cache files: in the state directory, never in the cache directory
    (a restored or shared cache directory must not carry the key that vouches for it)."""
    base = os.environ.get("XDG_STATE_HOME") or (Path.home() / ".local" / "state")
    return Path(base) / "llmpick" / "cache-key"


def _private(st: os.stat_result) -> bool:
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022 if hasattr(os, "geteuid") else True


def _secret(create: bool) -> bytes | None:
    """The key (made on first use, mode 0600), or None when it is missing, not a private regular file of this user,
    or cannot be made: then no cache is read or written."""
    path = key_file()
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        if not create:
            return None
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(os.urandom(KEY_BYTES))
            fd = os.open(path, flags)
        except OSError:
            return None
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o077 or not _private(st) or st.st_size != KEY_BYTES:
            return None
        return handle.read(KEY_BYTES)


def usable_dir(directory: Path) -> bool:
    """The cache directory is this user's and only this user may write it (so no one else can swap its files)."""
    try:
        return stat.S_ISDIR((st := os.stat(directory)).st_mode) and _private(st)
    except OSError:
        return False


def _code_fingerprint() -> tuple:
    # the schema's source files: a cache built by different code is never trusted
    here = Path(__file__).resolve().parent
    files = [*sorted(here.glob("*.py")), here.parent / "core" / "vocab.py", here.parent / "core" / "parse.py"]
    return tuple((path.name, path.stat().st_size, path.stat().st_mtime_ns) for path in files)


def fingerprint(files: list[str]) -> tuple:
    """The key a catalog built from `files` is stored under: the code, every file's content, and (last) a
    signature of their stat; taken before the files are read, so that a change meanwhile invalidates it."""
    signature = _stat_signature(files)
    return (*_key(_digest(files)), signature)


def _key(digest: str) -> tuple:
    return (FORMAT, __version__, sys.version_info[:2], _code_fingerprint(), digest)


def _stat_signature(files: list[str]) -> str:
    """Every file's path, size, modification and change times and inode. A user can keep a file's size and
    modification time through an edit, but not its change time (only the kernel sets it): when the signature
    matches, the contents are the same, and a warm start reads no file but the cache."""
    digest = hashlib.blake2b(digest_size=32)
    for path in files:
        st = os.stat(path)
        digest.update(b"%d:%s\0%d %d %d %d\0" % (len(path), path.encode("utf-8", "surrogateescape"), st.st_size,
                                                  st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return digest.hexdigest()


def _digest(files: list[str]) -> str:
    """Every file's path and content: an edit is seen even when it keeps the size and the modification time."""
    digest = hashlib.blake2b(digest_size=32)
    for path in files:
        try:
            data = read_regular(path)
        except Refused as exc:  # a FIFO or device swapped in since the listing, or a huge file: the build says so
            data = f"refused: {exc}".encode()
        digest.update(b"%d:%s\0%d:" % (len(path), path.encode("utf-8", "surrogateescape"), len(data)))
        digest.update(data)
    return digest.hexdigest()


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
    def __init__(self, pickled: bytes, handle: BinaryIO) -> None:
        super().__init__(io.BytesIO(pickled))
        self.source = _Source(handle)

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, "_spilled"):
            return partial(_InFile, self.source)
        return super().find_class(module, name)


def _authentic(handle: BinaryIO, secret: bytes) -> bytes | None:
    """The pickle at the start of the cache file if its HMAC is right, else None (read nothing else from it)."""
    st = os.fstat(handle.fileno())
    head = handle.read(_HEAD)
    if not stat.S_ISREG(st.st_mode) or len(head) != _HEAD or not head.startswith(MAGIC):
        return None
    mac, size = head[len(MAGIC):len(MAGIC) + 32], int.from_bytes(head[-8:], "little")
    if size > st.st_size - _HEAD:
        return None
    pickled = handle.read(size)
    expected = hmac.new(secret, pickled, hashlib.sha256).digest()
    return pickled if len(pickled) == size and hmac.compare_digest(mac, expected) else None


def load(layers: list[Path], list_files: Callable[[], list[str]]) -> Any | None:
    """The cached catalog of `layers` if it was built from the files `list_files()` lists as they are now."""
    if disabled() or not usable_dir(cache_dir()):
        return None
    secret = _secret(create=False)
    if secret is None:
        return None
    collecting = gc.isenabled()
    gc.disable()  # unpickling makes millions of objects and no garbage: collecting meanwhile only costs time
    handle = None
    current: _Later | None = None
    try:
        handle = open(_path_for(layers), "rb", opener=_no_follow)
        current = _Later(lambda: _stat_signature(list_files()),
                         os.fstat(handle.fileno()).st_size >= BACKGROUND_CHECK_BYTES)
        pickled = _authentic(handle, secret)
        if pickled is None:
            return None
        reader = _Reader(pickled, handle)
        stored_key, catalog = reader.load()
        source = reader.source
        source.start = _HEAD + len(pickled)
        whole = os.fstat(handle.fileno()).st_size == source.start + source.size  # the spilled bytes not cut short
        if not whole or not _fresh(stored_key, current.result(), list_files):
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


def _fresh(stored: tuple, signature: str, list_files: Callable[[], list[str]]) -> bool:
    """Whether the cached catalog was built from the files as they are now: the same code, and the same stat
    signature, or else (a file touched but not changed) the same contents."""
    if stored[:-2] != _key("")[:-1]:
        return False
    return stored[-1] == signature or stored[-2] == _digest(list_files())


def _no_follow(path: str, flags: int) -> int:
    # a FIFO or device planted at the cache path must not block or feed us: opened without waiting, then fstat-ed
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))


def store(layers: list[Path], key: tuple, catalog: Any) -> None:
    if disabled():
        return
    target = _path_for(layers)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        secret = _secret(create=True)
        if secret is None or not usable_dir(target.parent):
            return
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".catalog-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                body = io.BytesIO()
                writer = _Writer(body)
                writer.dump((key, catalog))
                pickled = body.getbuffer()
                mac = hmac.new(secret, pickled, hashlib.sha256).digest()
                handle.write(MAGIC + mac + len(pickled).to_bytes(8, "little"))
                handle.write(pickled)
                del pickled
                for data in writer.spilled:
                    handle.write(data)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:  # read-only or full cache directory: work without a cache
        pass
