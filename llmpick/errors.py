"""Exceptions of the library; the CLI turns each into one message and an exit code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
        super().__init__(f"unknown {kind} {name!r}", hint)
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


def suggest(name: str, choices: list[str] | tuple[str, ...], n: int = 3) -> list[str]:
    """Close matches for a mistyped name."""
    import difflib

    lowered = {c.lower(): c for c in choices}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)
    return [lowered[h] for h in hits]


def unknown_choice(kind: str, value: str, choices: list[str] | tuple[str, ...], otherwise: str) -> str:
    """'unknown task 'cod'; did you mean 'code'?', or the `otherwise` advice when nothing is close."""
    hint = suggest(value, choices)
    return f"unknown {kind} {value!r}" + (f"; did you mean {hint[0]!r}?" if hint else f"; {otherwise}")
