"""Which files make up a catalog: a directory's YAML files (or a single card file), with every entry that cannot
be read as one reported at once: a FIFO or device (reading it would block or never end), a dangling symlink or a
symlink loop, a directory that cannot be listed, a path that is neither a directory nor a YAML file."""

from __future__ import annotations

import os
from pathlib import Path

from ..core.errors import CatalogError, Problem, UsageError, shown
from ..core.files import problem_with


def check_path(path: Path) -> None:
    """UsageError unless `path` is a directory or a YAML file (validate and --catalog take a single card file)."""
    why = problem_with(path, "a directory")
    if why is None and not path.is_dir() and not path.name.endswith((".yaml", ".yml")):
        why = "it is a file, not a directory (a single card file must end in .yaml or .yml)"
    if why is not None:
        where = str(path) if len(str(path)) <= 200 else shown(str(path), 200)  # a name too long is cut
        raise UsageError(f"catalog path {where}: {why}",
                         "check --catalog and the LLMPICK_CATALOG environment variable")


def yaml_files(root: Path) -> list[str]:
    """The YAML files under `root` (or `root` itself, a card file). Raises CatalogError naming every entry that
    cannot be read as one: a FIFO or device (reading it would block or never end), a dangling symlink or a
    symlink loop, a directory that cannot be listed."""
    # strings, not Paths: on a warm start with a large catalog, pathlib would cost more than the walk itself
    if not root.is_dir():
        return [str(root)]
    found: list[str] = []
    problems: list[Problem] = []
    folders = [str(root)]
    while folders:  # os.scandir gives each entry's full path ready-made: twice as fast as os.walk + join
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    _sort_entry(entry, folders, found, problems)
        except OSError as exc:
            problems.append(Problem(folder, None, None, f"cannot list this directory: {exc.strerror or exc}"))
    if problems:
        raise CatalogError(sorted(problems, key=lambda p: str(p.path)))
    return sorted(found)


def _sort_entry(entry: os.DirEntry, folders: list[str], found: list[str], problems: list[Problem]) -> None:
    try:
        if entry.is_dir():
            if not entry.is_symlink():  # like os.walk: symlinked folders are not entered
                folders.append(entry.path)
        elif entry.name.endswith((".yaml", ".yml")):
            if entry.is_file():  # a regular file, or a symlink to one
                found.append(entry.path)
            else:
                why = problem_with(Path(entry.path), "a regular file") or "it is not a regular file"
                problems.append(Problem(entry.path, None, None, f"cannot read: {why}"))
    except OSError as exc:  # a symlink loop, a name too long
        if entry.name.endswith((".yaml", ".yml")) or not entry.is_symlink():
            problems.append(Problem(entry.path, None, None, f"cannot read: {exc.strerror or exc}"))
