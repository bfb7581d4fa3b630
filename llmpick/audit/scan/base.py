"""What every scanner shares: Reference, ScanResult, walking the tree, reading a file within the limits."""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ...core.files import MAX_FILE_BYTES, NotRegular, TooLarge, read_regular

SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", "site-packages", ".eggs",
})


@dataclass(frozen=True)
class Reference:
    name: str  # as written, e.g. "huggyllama/llama-7b", "TheBloke/Llama-2-7B-GGUF", "llama2:7b"
    kind: str  # "hf" (Hub repo id), "ollama" (Ollama model name), "id" (catalog id, from a manifest)
    path: str  # relative to the scan root, posix separators; "" for the Hugging Face cache root
    line: int  # 1-based; 0 when not applicable
    via: str  # how it was found: "from_pretrained", "config:model_name", "ollama pull", "hf-cache", ...

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass
class ScanResult:
    references: list[Reference] = field(default_factory=list)
    files_scanned: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): unreadable, binary, too large
    fallbacks: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): scanned without a parser

    def merge(self, other: ScanResult) -> None:
        self.references = ordered([*self.references, *other.references])
        self.files_scanned += other.files_scanned
        self.skipped = sorted({*self.skipped, *other.skipped})
        self.fallbacks = sorted({*self.fallbacks, *other.fallbacks})


# A scanner reads one file's text and returns its references, and why it fell back to patterns (if it did).
Found = tuple[list[Reference], str | None]
Places = tuple[Path, ...]  # the file's directory and the scan root: where a relative local path would be


def ordered(references: list[Reference]) -> list[Reference]:
    unique = {(r.path, r.line, r.kind, r.name): r for r in reversed(references)}  # the first `via` wins
    return sorted(unique.values(), key=lambda r: (r.path, r.line, r.name, r.kind, r.via))


def walk(paths: Sequence[Path], result: ScanResult, root: Path) -> Iterator[tuple[Path, bool]]:
    for top in paths:
        top = Path(top)
        if not top.is_dir():
            yield top, True
            continue

        def unreadable(exc: OSError) -> None:
            result.skipped.append((relative(Path(exc.filename), root), f"unreadable: {exc.strerror or exc}"))

        for current, dirs, files in os.walk(top, onerror=unreadable):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
            for name in sorted(files):
                yield Path(current) / name, False


def relative(path: Path, root: Path | None = None) -> str:
    """`path` relative to `root` (default: the current directory) in posix form when it is inside it,
    as written or through symlinks; otherwise the path itself, normalised."""
    path, root = Path(path), Path(root or Path.cwd())
    for inside, base in ((Path(os.path.abspath(path)), Path(os.path.abspath(root))), (path.resolve(), root.resolve())):
        try:
            return inside.relative_to(base).as_posix()
        except ValueError:
            continue
    return Path(os.path.normpath(path)).as_posix()


def read(path: Path, rel: str, result: ScanResult) -> str | None:
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except NotRegular:
        result.skipped.append((rel, "not a regular file"))
        return None
    except TooLarge as exc:
        result.skipped.append((rel, f"too large ({exc.size} bytes; the limit is {exc.limit})"))
        return None
    except OSError as exc:
        result.skipped.append((rel, f"unreadable: {exc.strerror or exc}"))
        return None
    if b"\0" in data:
        result.skipped.append((rel, "binary"))
        return None
    return data.decode("utf-8", errors="replace")


def line_at(text: str, offset: int) -> int:
    return bisect.bisect_right(_newlines(text), offset - 1) + 1


@lru_cache(maxsize=2)  # the file being scanned; counting from the start per reference was quadratic
def _newlines(text: str) -> list[int]:
    return [match.start() for match in re.finditer("\n", text)]
