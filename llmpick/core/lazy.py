"""Names a package exports but imports only when first used, so that importing the package stays cheap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, modules: dict[str, str]) -> Callable[[str], Any]:
    """A module-level `__getattr__` for `package` that imports `name` from `package.<modules[name]>` on use."""

    def __getattr__(name: str) -> Any:
        if name in modules:
            from importlib import import_module

            return getattr(import_module(f"{package}.{modules[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
