"""Read what a GGUF file says about itself (architecture, name, quantization, context) with ggml's `gguf` package,
and GGUF files in folders a user names (`llmpick installed --path DIR`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .local import LocalModel, file_size, gguf_files, name_references, quant_in_name, quant_word

INSTALL_HINT = "pip install 'llmpick[gguf]'"


class NotGguf(Exception):
    """The file's header could not be read as GGUF; the message says why in llmpick's words."""


@dataclass(frozen=True)
class Header:
    architecture: str | None
    name: str | None
    quant: str | None  # from general.file_type, in llmpick's words
    context_length: int | None


def available() -> bool:
    try:
        import gguf  # noqa: F401
    except ImportError:
        return False
    return True


def readable_here(notes: list[str]) -> bool:
    """Whether GGUF headers can be read here (the gguf package); when not, `notes` says so."""
    if available():
        return True
    notes.append(f"GGUF headers not read (the gguf package is missing: {INSTALL_HINT}); quantization from the file "
                 "names")
    return False


def read_header(path: Path) -> Header:
    """The header of one GGUF file; NotGguf when it is not one (wrong magic, cut short, unreadable)."""
    from gguf import GGUFReader, LlamaFileType

    try:
        reader = GGUFReader(path, "r")
    except PermissionError as exc:
        raise NotGguf(f"cannot read it ({exc.strerror})") from None
    except Exception as exc:  # noqa: BLE001 - the reader raises ValueError, struct.error, IndexError... on garbage
        reason = "not a GGUF file (bad magic)" if "magic" in str(exc).lower() else "its GGUF header is corrupt"
        raise NotGguf(reason) from None
    arch = _string(reader, "general.architecture")
    file_type = _int(reader, "general.file_type")
    quant = None
    if file_type is not None:
        try:
            quant = quant_word(LlamaFileType(file_type).name)
        except ValueError:
            quant = f"file type {file_type}"
    context = _int(reader, f"{arch}.context_length") if arch else None
    return Header(arch, _string(reader, "general.name"), quant, context)


def _value(reader: Any, key: str) -> Any:
    field = reader.fields.get(key)
    if field is None or not field.data:
        return None
    return field.parts[field.data[0]]


def _string(reader: Any, key: str) -> str | None:
    value = _value(reader, key)
    try:
        return bytes(value).decode("utf-8", "replace") if value is not None else None
    except (TypeError, ValueError):
        return None


def _int(reader: Any, key: str) -> int | None:
    value = _value(reader, key)
    try:
        return int(value[0]) if value is not None and len(value) == 1 else None
    except (TypeError, ValueError):
        return None


def readable(paths: Iterable[Path], notes: list[str], headers: bool = True) -> Iterator[tuple[Path, Header | None]]:
    """Each file with its header (None when headers are not read); a file whose header is unreadable goes to
    `notes`, named by its path, and is skipped."""
    for path in paths:
        header = None
        if headers:
            try:
                header = read_header(path)
            except NotGguf as exc:
                notes.append(f"{path}: {exc}")
                continue
        yield path, header


def scan_folder(root: Path, notes: list[str], headers: bool = True) -> list[LocalModel]:
    """One LocalModel per GGUF model under `root`; a file whose header is unreadable is noted, not listed."""
    label = f"--path {root}"
    if not root.is_dir():
        notes.append(f"{label}: not a folder")
        return []
    found = []
    for path, header in readable(gguf_files(root, notes, label), notes, headers):
        quant = (header.quant if header else None) or quant_in_name(path.name)
        refs = name_references(path.name[:-5], header.name if header else None)
        folder = path.parent.name
        if path.parent != root and "/" not in folder:  # a folder named for its repo: Qwen3-8B-GGUF/...
            refs.insert(0, (f"local/{folder}", "hf"))
        found.append(LocalModel("gguf", path.name, str(path), quant, file_size(path), None, tuple(refs),
                                header.context_length if header else None, header.architecture if header else None))
    return found
