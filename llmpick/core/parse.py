"""Parsing of user-typed values shared by flags and profile files, and the rule that true/false is not a number."""

from __future__ import annotations

import re
import types
import typing
from typing import Any

from .errors import UsageError, shown

_TOKENS = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*")


def tokens(text: str | int, flag: str = "--context") -> int:
    """'8k' -> 8192, '128K' -> 131072, '1m' -> 1048576, '4096' -> 4096."""
    if isinstance(text, int):
        value = text
    else:
        match = _TOKENS.fullmatch(str(text))
        if not match:
            raise UsageError(f"{flag} {shown(text)} is not a token count", "use a number such as 4096, 8k, 32k or 128k")
        number, unit = float(match.group(1)), match.group(2).lower()
        value = int(number * {"": 1, "k": 1024, "m": 1024 * 1024}[unit])
    if value <= 0:
        raise UsageError(f"{flag} must be positive, not {shown(text)}")
    if value > 10_000_000:
        raise UsageError(f"{flag} {shown(text)} is larger than any model's context (10M tokens)")
    return value


def headroom(value: float | None) -> float | None:
    if value is None:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f"--headroom must be a finite number of GB, not {value:g}".replace("nan", "NaN"))
    if value < 0:
        raise UsageError(f"--headroom must be 0 or more GB, not {value:g}")
    return value


def items(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated flag values as one list: ['zh,en', 'fr'] -> ['zh', 'en', 'fr']."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


# GPU and unified memory is built from chips of binary sizes, so a card sold as "12 GB" holds 12 GiB (JEDEC's
# "GB" for memory capacity is 2^30 bytes): a bare number and "GB" are both read as GiB, and the reading is said.
_MEMORY = re.compile(r"\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)\s*")
_MEMORY_UNITS = {"": 1.0, "g": 1.0, "gb": 1.0, "gib": 1.0, "m": 1 / 1024, "mb": 1 / 1024, "mib": 1 / 1024,
                 "t": 1024.0, "tb": 1024.0, "tib": 1024.0}
MAX_MEMORY_GIB = 100_000


def memory(value: str | float | None, flag: str) -> tuple[float | None, str]:
    """'12', '12GB', '12 GiB', '24576MiB' -> (GiB, what was assumed); '' when the unit was explicit GiB."""
    if value is None:
        return None, ""
    if (isinstance(value, float) and value != value) or str(value).strip().lower().lstrip("+-") == "nan":
        raise UsageError(f"{flag} must be a number of GB, not NaN")
    text = f"{value:g}" if isinstance(value, (int, float)) else str(value)
    match = _MEMORY.fullmatch(text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _MEMORY_UNITS:
        raise UsageError(f"{flag} {shown(text)} is not an amount of memory",
                         "write a number of GiB such as 12, 12GiB or 12GB (a card sold as '12 GB' holds 12 GiB)")
    gib = float(match.group(1)) * _MEMORY_UNITS[unit]
    if gib <= 0:
        raise UsageError(f"{flag} must be a positive amount of memory, not {shown(text)}")
    if gib > MAX_MEMORY_GIB:
        raise UsageError(f"{flag} {shown(text)} is not a plausible amount of memory (at most {MAX_MEMORY_GIB:,} GiB)")
    if unit in ("", "g", "gb"):
        why = " (memory is sold in binary GB: a card sold as '12 GB' holds 12 GiB)" if unit else ""
        return gib, f"{flag} {text.strip()} read as {gib:g} GiB{why}"
    return gib, ""


def gigabytes(value: str | float | None, flag: str) -> float | None:
    """An amount of memory in GiB (see `memory`), without saying what was assumed."""
    return memory(value, flag)[0]


def positive(value: float | None, flag: str, unit: str, limit: float = 100_000) -> float | None:
    """A rate such as --min-speed 20 (tokens/s) or --mem-bandwidth 100 (GB/s): positive and plausible."""
    if value is None:
        return None
    if value != value:
        raise UsageError(f"{flag} must be a number of {unit}, not NaN")
    if not value > 0:
        raise UsageError(f"{flag} must be a positive number of {unit}, not {value:g}")
    if value > limit:
        raise UsageError(f"{flag} {value:g} {unit} is not plausible (at most {limit:g})")
    return value


def count(value: int | None, flag: str, what: str, limit: int = 4096) -> int | None:
    """A whole number of things such as --parallel 4 (sequences served at once): 1 or more, and plausible."""
    if value is None:
        return None
    if value < 1:
        raise UsageError(f"{flag} must be 1 or more {what}, not {value}")
    if value > limit:
        raise UsageError(f"{flag} {value} {what} is not plausible (at most {limit})")
    return value


# Bidirectional formatting characters: they reorder how text is shown (a name can look like another, a table cell
# can appear to say something it does not), so a file that names things may not contain them.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def hidden_character(text: str, multiline: bool = False) -> str | None:
    """What is wrong with `text` if it holds a control character (an escape, a NUL; newlines and tabs too unless
    `multiline`) or a bidi override, as words naming the first one; else None."""
    import unicodedata

    for index, char in enumerate(text):
        if multiline and char in "\n\t":
            continue
        if char in BIDI_CONTROLS:
            return f"contains a bidirectional control character (U+{ord(char):04X}) at position {index + 1}"
        if unicodedata.category(char) == "Cc":
            return f"contains a control character (U+{ord(char):04X}) at position {index + 1}"
    return None


def visible(text: str) -> str:
    """`text` when it hides nothing; else a ValueError (for pydantic validators) saying what it hides."""
    problem = hidden_character(text)
    if problem:
        raise ValueError(problem)
    return text


def visible_lines(text: str) -> str:
    problem = hidden_character(text, multiline=True)
    if problem:
        raise ValueError(problem)
    return text


def no_bool_for_number(cls: Any, value: Any, info: Any) -> Any:
    """A pydantic before-validator for every field of a model: true or false where the field wants a number (or a
    list or mapping of numbers) is an error, where pydantic alone would read it as 1 or 0."""
    if info.field_name is None or not isinstance(value, (bool, list, dict)):
        return value
    number, inside = _numeric(cls, info.field_name)
    values = [value] if number else value.values() if inside and isinstance(value, dict) else value if inside else ()
    if any(isinstance(item, bool) for item in values):
        raise ValueError("expected a number, not true or false")
    return value


_NUMERIC: dict[tuple[type, str], tuple[bool, bool]] = {}


def _numeric(cls: Any, name: str) -> tuple[bool, bool]:
    """Whether field `name` of model `cls` holds a number, and whether it holds a list or mapping of numbers."""
    key = (cls, name)
    if key not in _NUMERIC:
        annotation = cls.model_fields[name].annotation
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        inside = origin in (list, tuple, set, frozenset, dict) and bool(args) and _number(args[-1])
        _NUMERIC[key] = (_number(annotation), inside)
    return _NUMERIC[key]


def _number(annotation: Any) -> bool:
    """int or float, possibly Annotated or optional; not bool, and not a union with anything else."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    members = [a for a in typing.get_args(annotation) if a is not type(None)] \
        if typing.get_origin(annotation) in (typing.Union, types.UnionType) else [annotation]
    return bool(members) and all(_number(m) if typing.get_origin(m) is typing.Annotated else m in (int, float)
                                 for m in members)
