"""Names a package exports but loads only on first use (PEP 562): a function imports what it touches.

    __getattr__, __dir__ = lazy.exports(__name__, _MODULE_OF, globals())

`_MODULE_OF` maps each exported name to the submodule defining it; the first look-up imports that
submodule and keeps the name in the package's namespace, so later look-ups are plain attribute reads.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def exports(
    package: str, module_of: dict[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    def __getattr__(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f".{module}", package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *module_of})

    return __getattr__, __dir__
