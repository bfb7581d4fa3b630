"""Exceptions of the library; the CLI turns each into one message and an exit code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FINDINGS = 1  # invalid cards, policy violations, drift
EXIT_USAGE = 2  # bad flags, unknown ids, unreadable or invalid user files
EXIT_SERVICE = 3  # the Hugging Face Hub or the network failed


class LlmpickError(Exception):
    """Base of every error llmpick reports to a user."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(LlmpickError):
    """A flag, argument or user-supplied file is wrong."""


class NotFoundError(UsageError):
    """An id or name that is not in the catalog."""

    def __init__(self, kind: str, name: str, suggestions: list[str]) -> None:
        hint = f"did you mean {' or '.join(suggestions)}?" if suggestions else None
        super().__init__(f"unknown {kind} {shown(name)}", hint)
        self.suggestions = suggestions


class ServiceError(LlmpickError):
    """A remote service (the Hugging Face Hub) failed."""

    exit_code = EXIT_SERVICE


@dataclass(frozen=True)
class Problem:
    """One located problem in a catalog or policy file."""

    path: Path | str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "line": self.line, "field": self.field, "message": self.message}


class CatalogError(LlmpickError):
    """One or more cards (or registry entries) are invalid."""

    exit_code = EXIT_FINDINGS

    def __init__(self, problems: list[Problem]) -> None:
        count = len(problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the catalog")
        self.problems = problems


class ConfigError(CatalogError):
    """A user's policy or manifest file is invalid: located problems, exit 2 like any bad user file."""

    exit_code = EXIT_USAGE

    def __init__(self, problems: list[Problem], what: str = "the policy") -> None:
        super().__init__(problems)
        count = len(problems)
        self.message = f"{count} problem{'s' if count != 1 else ''} in {what}"


def shown(value: object, limit: int = 60) -> str:
    """`value` quoted for a message, cut to `limit` characters: a message never echoes a huge argument in full."""
    if not isinstance(value, str) and isinstance(value, (list, dict, tuple, set)):
        return brief(value, limit)  # str() of an aliased YAML list can be exponentially long
    text = str(value)
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text):,} characters)"


def brief(value: object, limit: int = 60) -> str:
    """repr(value) cut to about `limit` characters, in time bounded by `limit` whatever the value's size."""
    import reprlib

    short = reprlib.Repr()
    short.maxlevel, short.maxlist, short.maxtuple, short.maxdict, short.maxset = 2, 4, 4, 4, 4
    short.maxstring = short.maxother = short.maxlong = limit
    text = short.repr(value)
    return text if len(text) <= limit + 10 else text[:limit] + "..."


def suggest(name: str, choices: list[str] | tuple[str, ...], n: int = 3) -> list[str]:
    """Close matches for a mistyped name."""
    import difflib

    lowered = {c.lower(): c for c in choices}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)
    return [lowered[h] for h in hits]


def unknown_choice(kind: str, value: str, choices: list[str] | tuple[str, ...], otherwise: str) -> str:
    """'unknown task 'cod'; did you mean 'code'?', or the `otherwise` advice when nothing is close."""
    hint = suggest(value, choices) if len(value) <= 200 else []
    return f"unknown {kind} {shown(value)}" + (f"; did you mean {hint[0]!r}?" if hint else f"; {otherwise}")


# A pydantic error type -> llmpick's words (the type codes are pydantic's stable API; its sentences are not ours).
_TYPE_WORDS = {
    "missing": "required field is missing",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "set_type": "expected a list",
    "dict_type": "expected a mapping of keys to values",
    "model_type": "expected a mapping of keys to values",
    "model_attributes_type": "expected a mapping of keys to values",
    "date_type": "expected a date (YYYY-MM-DD)",
    "date_parsing": "expected a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "expected a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "expected a date (YYYY-MM-DD), not a time",
    "url_parsing": "expected a URL",
    "url_scheme": "expected an http(s) URL",
}
_BOUND_WORDS = {
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "string_too_short": "must have at least {min_length} characters",
    "string_too_long": "must have at most {max_length} characters",
    "too_short": "must have at least {min_length} items",
    "too_long": "must have at most {max_length} items",
    "string_pattern_mismatch": "must match the pattern {pattern}",
}


def validation_message(error: Mapping[str, Any], known_fields: Sequence[str] = ()) -> str:
    """One pydantic error (from `ValidationError.errors()`) in llmpick's words; `known_fields` feeds
    "did you mean" for an unknown key."""
    kind = error["type"]
    if kind == "extra_forbidden":
        hint = suggest(str(error["loc"][-1]), known_fields) if error["loc"] else []
        return "unknown key" + (f"; did you mean {hint[0]!r}?" if hint else "")
    if kind in ("literal_error", "enum"):
        given = error["input"]
        expected = error.get("ctx", {}).get("expected", "another value")
        return f"{shown(given) if isinstance(given, str) else brief(given)} is not allowed; expected {expected}"
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind]
    if kind in _BOUND_WORDS:
        return _BOUND_WORDS[kind].format_map(error.get("ctx", {}))
    return str(error["msg"]).removeprefix("Value error, ")  # our own validators' words, or a rare type
