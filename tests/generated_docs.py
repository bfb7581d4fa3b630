"""Tables in docs/ that tests render from data: the text between two markers is rewritten or compared."""

from __future__ import annotations

import os
from pathlib import Path


def check_section(doc: Path, begin: str, end: str, content: str, update_env: str, stale: str) -> None:
    """Assert that `doc` holds `content` between `begin` and `end`; with `update_env` set, write it there instead."""
    text = doc.read_text(encoding="utf-8")
    assert begin in text and end in text, f"{doc.name} lacks the {begin!r} ... {end!r} markers"
    before, rest = text.split(begin, 1)
    current, after = rest.split(end, 1)
    if os.environ.get(update_env):
        doc.write_text(f"{before}{begin}\n{content}\n{end}{after}", encoding="utf-8")
        return
    assert current.strip() == content, stale
