"""Registry entries (licenses, benchmarks, GPUs) that replace an entry of an earlier catalog file: allowed only with
`override: true` on the entry, then recorded so that every command can say so and `audit` can refuse it."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from ..core.errors import Problem
from .builtin import is_builtin

OVERRIDE_HINT = "set override: true to replace the built-in entry"


class Override(NamedTuple):
    """One entry that replaces another of the same kind and id (a tuple: it is cached with the catalog)."""

    kind: str  # license, benchmark, gpu
    id: str
    path: str  # the file of the replacing entry
    line: int | None
    replaced: str  # the file of the entry it replaces

    @property
    def builtin(self) -> bool:
        return is_builtin(self.replaced)

    def warning(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        whose = "the built-in entry" if self.builtin else f"the entry in {self.replaced}"
        return f"{where}: {self.kind} {self.id} replaces {whose} (override: true)"


class Registry:
    """Which file defined each id so far, across the files of one registry kind read in layer order: a later file's
    entry with a known id must say `override: true`; one file may not define an id twice."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.defined: dict[str, str] = {}  # id -> file
        self.problems: list[Problem] = []
        self.overrides: list[Override] = []

    def add(self, entry_id: str, override: bool, path: Path, text: str, index: int) -> bool:
        """Whether the entry at `index` of the list in `path` may be used; a problem is recorded when not."""
        from ..core.yamlio import line_of

        earlier = self.defined.get(entry_id)
        if earlier == str(path):
            self.problems.append(Problem(path, line_of(text, (index, "id")), "id",
                                         f"duplicate {self.kind} id {entry_id!r}"))
            return False
        if earlier is not None and not override:
            whose = "a built-in entry" if is_builtin(earlier) else f"an entry in {earlier}"
            hint = OVERRIDE_HINT if is_builtin(earlier) else "set override: true to replace it"
            self.problems.append(Problem(path, line_of(text, (index, "id")), "id",
                                         f"{self.kind} {entry_id!r} redefines {whose}; {hint}"))
            return False
        if earlier is not None:
            self.overrides.append(Override(self.kind, entry_id, str(path), line_of(text, (index, "override")),
                                           earlier))
        self.defined[entry_id] = str(path)
        return True
