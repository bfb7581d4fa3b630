"""Audit report formats: one module per format, each with `format_result(AuditResult) -> str`."""

from __future__ import annotations

import enum
from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...audit.findings import AuditResult


class AuditFormat(str, enum.Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"

    def formatter(self) -> Callable[[AuditResult], str]:
        return import_module(f"{__name__}.{_MODULES[self]}").format_result


_MODULES = {
    AuditFormat.text: "text",
    AuditFormat.json: "json_format",
    AuditFormat.sarif: "sarif",
    AuditFormat.junit: "junit",
    AuditFormat.markdown: "markdown",
}


def render(result: AuditResult, fmt: AuditFormat | str) -> str:
    return AuditFormat(fmt).formatter()(result)
