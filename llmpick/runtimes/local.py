"""What every source of installed models reports (LocalModel), quantization names in llmpick's words, and a
bounded walk of model folders that notes what it cannot read."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_FILES = 20_000  # files looked at under one folder; a home directory given by mistake stops here (and says so)

# GGUF quantization names as llama.cpp writes them in file names (Q4_K_M, IQ3_XS, F16, BF16, Q8_0, MXFP4)
_QUANT_IN_NAME = re.compile(r"(?:^|[-_.])((?:I?Q\d(?:_[A-Z0-9]+)*)|BF16|F16|F32|FP16|FP32|MXFP4)(?=$|[-_.])",
                            re.IGNORECASE)
_SPLIT_PART = re.compile(r"-(\d{5})-of-(\d{5})$")
_WORDS = {"f16": "fp16", "f32": "fp32", "mostly_f16": "fp16", "all_f32": "fp32"}


@dataclass(frozen=True)
class LocalModel:
    """One model found on this machine, before it is mapped to a card."""

    source: str  # "ollama", "lmstudio", "hf-cache", "gguf"
    name: str  # what the source calls it: an Ollama tag, a Hub repo id, a file name
    location: str  # the tag, or the path on disk
    quant: str | None = None  # in llmpick's words where it has them (q4_k_m, fp16), else as the source says
    size_bytes: int | None = None
    repo: str | None = None  # the Hub repo it came from, when known (llmpick import REPO)
    references: tuple[tuple[str, str], ...] = ()  # (name, kind) tried in order by catalog/resolve.py
    context_length: int | None = None
    architecture: str | None = None


def quant_word(text: str | None) -> str | None:
    """A quantization as llmpick names it: "Q4_K_M" -> q4_k_m, "F16"/"MOSTLY_F16" -> fp16; None stays None."""
    if not text:
        return None
    word = text.strip().lower().removeprefix("mostly_")
    return _WORDS.get(word, word) or None


def quant_in_name(name: str) -> str | None:
    """The quantization a GGUF file's name states (`Qwen3-8B-Q4_K_M.gguf` -> q4_k_m), if any."""
    stem = name[:-5] if name.lower().endswith(".gguf") else name
    found = _QUANT_IN_NAME.findall(_SPLIT_PART.sub("", stem))
    return quant_word(found[-1]) if found else None


def split_part(path: Path) -> tuple[int, int] | None:
    """(part, of) for a split GGUF file (`...-00001-of-00003.gguf`), else None."""
    match = _SPLIT_PART.search(path.name[:-5] if path.name.lower().endswith(".gguf") else path.stem)
    return (int(match[1]), int(match[2])) if match else None


def gguf_files(root: Path, notes: list[str], label: str) -> Iterator[Path]:
    """The .gguf files under `root` (a split model once, by its first part), sorted; what cannot be read goes to
    `notes` once, naming `label`."""
    seen = 0
    problems: list[str] = []

    def refuse(exc: OSError) -> None:
        problems.append(f"{exc.filename or root}: {exc.strerror or exc}")

    found = []
    for folder, dirs, files in os.walk(root, onerror=refuse):
        dirs.sort()
        for name in sorted(files):
            seen += 1
            if seen > MAX_FILES:
                notes.append(f"{label}: stopped after {MAX_FILES:,} files under {root}; give a narrower folder")
                return iter(sorted(found))
            part = split_part(Path(name)) if name.lower().endswith(".gguf") else None
            if name.lower().endswith(".gguf") and (part is None or part[0] == 1):
                found.append(Path(folder) / name)
    if problems:
        notes.append(f"{label}: cannot read {problems[0]}" + (f" (and {len(problems) - 1} more)"
                                                               if len(problems) > 1 else ""))
    return iter(sorted(found))


def file_size(path: Path) -> int | None:
    """The size of a GGUF file, all parts of a split one together."""
    try:
        part = split_part(path)
        if part is None:
            return path.stat().st_size
        stem = _SPLIT_PART.sub("", path.name[:-5])
        return sum(p.stat().st_size for p in path.parent.glob(f"{glob_escape(stem)}-*-of-{part[1]:05d}.gguf"))
    except OSError:
        return None


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def repo_reference(path: Path, root: Path) -> str | None:
    """owner/repo when `path` lies two folders below `root` (LM Studio's publisher/repo/file.gguf layout)."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return None
    return f"{parts[0]}/{parts[1]}" if len(parts) >= 3 else None


def name_references(stem: str, general_name: str | None = None) -> list[tuple[str, str]]:
    """References a GGUF file's own names give: its file name and its header's general.name, each read as a GGUF
    conversion of a Hub repo of that name (catalog/resolve.py's quantized-fork rule)."""
    names = [_SPLIT_PART.sub("", stem)]
    if general_name:
        names.append(re.sub(r"\s+", "-", general_name.strip()))
    return [(f"local/{name}-GGUF", "hf") for name in dict.fromkeys(n for n in names if n and "/" not in n)]
