"""Import a third-party package without running its `__init__`'s re-exports: each name loads its own submodule.

Python runs a package's `__init__` before any submodule, so `from aws_lambda_powertools.event_handler.api_gateway
import Router` also imports every other resolver Powertools has (AppSync, Bedrock, VPC Lattice, ... and asyncio),
and the HTTP resolver's `from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2` every
event class (Kafka, S3, SES, ...): together about a fifth of an API function's cold start, for code it never runs.

`defer_init(package)` puts in `sys.modules` the package's module object with its `__path__` (so its submodules
import as usual) and, instead of running its `__init__`, a PEP 562 `__getattr__` that imports the submodule a
re-exported name comes from when the name is first asked for. Only for an `__init__` that does nothing but
re-export (a docstring, `from <its own submodule> import names`, `__all__`): anything else it might do is not
deferred, so the package is left to import as usual. The names stay the same objects, in every process.
"""

from __future__ import annotations

import ast
import sys
from importlib import import_module
from importlib.util import find_spec, module_from_spec, resolve_name
from pathlib import Path
from typing import Any


def re_exports(package: str, source: str) -> tuple[dict[str, tuple[str, str]], list[str]] | None:
    """`name -> (submodule, name there)` and `__all__` of an `__init__` that only re-exports; else None."""
    found: dict[str, tuple[str, str]] = {}
    exported: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            continue  # the docstring
        if isinstance(node, ast.ImportFrom) and node.module and all(alias.name != "*" for alias in node.names):
            submodule = resolve_name("." * node.level + node.module, package) if node.level else node.module
            if submodule.startswith(package + "."):
                found.update({alias.asname or alias.name: (submodule, alias.name) for alias in node.names})
                continue
        if isinstance(node, ast.Assign) and [ast.unparse(target) for target in node.targets] == ["__all__"]:
            try:
                exported = [str(name) for name in ast.literal_eval(node.value)]
            except ValueError:
                return None
            continue
        return None  # an __init__ that does more than re-export: not deferred
    return found, exported


def defer_init(package: str) -> bool:
    """Make `package`'s re-exported names load on first use; True if deferred (False: imported already, or not
    an `__init__` that only re-exports; it then imports as usual)."""
    if package in sys.modules:
        return False
    spec = find_spec(package)  # imports the parent packages (not this one)
    if spec is None or spec.origin is None or spec.submodule_search_locations is None or spec.loader is None:
        return False
    try:
        source = Path(spec.origin).read_text(encoding="utf-8")
    except OSError:  # a package without its source: leave it as it is
        return False
    parsed = re_exports(package, source)
    if parsed is None:
        return False
    names, exported = parsed
    module = module_from_spec(spec)

    def __getattr__(name: str) -> Any:
        where = names.get(name)
        if where is None:  # a submodule (`from package import submodule` goes on to import it) or a typo
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(where[0]), where[1])
        setattr(module, name, value)  # once: later look-ups are plain attribute reads
        return value

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    if exported:
        module.__all__ = exported  # type: ignore[attr-defined]
    sys.modules[package] = module
    parent, _, child = package.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return True


__all__ = ["defer_init", "re_exports"]
