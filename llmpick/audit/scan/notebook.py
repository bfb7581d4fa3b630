"""Jupyter notebooks: the code cells as Python, their ! lines as shell commands."""

from __future__ import annotations

from dataclasses import replace

from .base import Found, Places, line_at
from .commands import scan_commands
from .python import scan_python


def scan_notebook(text: str, rel: str, here: Places) -> Found:
    """A Jupyter notebook's code cells as one module (a name set in one cell is used in another); lines are
    the notebook file's own, so that a report points into the .ipynb."""
    import json

    try:
        cells = json.loads(text)["cells"]
        sources = [cell["source"] for cell in cells if cell.get("cell_type") == "code"]
    except (ValueError, RecursionError, KeyError, TypeError, AttributeError):
        return scan_commands(text, rel, here)[0], "not a valid notebook; scanned for commands only"
    lines: list[str] = []
    where: list[int] = []  # notebook file line of each line of the joined code
    cursor = 0
    for source in sources:
        for line in (source if isinstance(source, list) else str(source).splitlines(keepends=True)):
            line = str(line)
            for ascii_only in (False, True):
                encoded = json.dumps(line, ensure_ascii=ascii_only)[1:-1]
                at = text.find(encoded, cursor)
                if at >= 0:
                    where.append(line_at(text, at))
                    cursor = at + len(encoded)
                    break
            else:
                where.append(line_at(text, cursor))
            stripped = line.lstrip().rstrip("\n")
            if stripped.startswith("!"):  # a shell command: kept as a comment, scanned as shell below
                lines.append("#" + stripped + "\n")
            else:
                lines.append("\n" if stripped.startswith("%") else line.rstrip("\n") + "\n")  # magics
    code = "".join(lines)
    references, fallback = scan_python(code, rel, here)
    shell = "".join(line[1:] if line.startswith("#!") else "\n" for line in lines)
    references += scan_commands(shell, rel, here)[0]
    located = [replace(ref, line=where[ref.line - 1]) for ref in references if 0 < ref.line <= len(where)]
    return located, fallback
