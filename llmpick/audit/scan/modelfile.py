"""Ollama Modelfiles: the model named by FROM (local weight files are not references)."""

from __future__ import annotations

import re

from .base import Found, Places, Reference, line_at
from .names import ollama_value

_FROM = re.compile(r"^[ \t]*FROM[ \t]+(?P<name>\S+)", re.IGNORECASE | re.MULTILINE)


def scan_modelfile(text: str, rel: str, here: Places) -> Found:
    references = []
    for match in _FROM.finditer(text):
        found = ollama_value(match["name"].strip("'\""), here)
        if found:
            references.append(Reference(found[1], found[0], rel, line_at(text, match.start("name")), "Modelfile FROM"))
    return references, None
