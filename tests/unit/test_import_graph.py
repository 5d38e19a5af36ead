"""The import graph of shared/microwish: no cycles, and services below the routes and the runtime.

Every `import` and `from ... import` counts, at any depth (a function-local import is still an edge:
hiding a cycle in a function does not remove it), except those under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "shared"
PACKAGE = "microwish"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(path: Path, modules: set[str], root: Path = ROOT) -> set[str]:
    """The modules (of `modules`, or anything outside them by its full name) that `path` imports."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in modules else target)
    return found


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    paths = sorted((root / PACKAGE).rglob("*.py"))
    modules = {module_name(path, root) for path in paths}
    return {module_name(path, root): imports_of(path, modules, root) for path in paths}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, or a module importing itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in edges:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_shared_has_no_import_cycle():
    assert cycles(graph()) == []


@pytest.mark.parametrize("forbidden", ["microwish.api", "infra", "boto3", "botocore"])
def test_no_service_imports_a_route_the_runtime_or_the_aws_sdk(forbidden):
    offenders = {
        module: sorted(target for target in targets if target == forbidden or target.startswith(forbidden + "."))
        for module, targets in graph().items()
        if module.startswith("microwish.services")
    }
    assert {module: targets for module, targets in offenders.items() if targets} == {}


def test_only_the_data_access_layer_talks_to_dynamodb():
    """No module outside repository/ (and photo_store, the S3 one) imports the AWS SDK."""
    allowed = ("microwish.repository", "microwish.photo_store", "microwish.notifications")
    offenders = {
        module
        for module, targets in graph().items()
        if any(t.split(".")[0] in ("boto3", "botocore") for t in targets) and not module.startswith(allowed)
    }
    assert offenders == set()


def test_the_checks_can_fail(tmp_path):
    """A deliberately introduced cycle (a → b → a, one side function-local) and a service importing a
    route are both found."""
    package = tmp_path / PACKAGE
    (package / "services").mkdir(parents=True)
    (package / "api").mkdir()
    for init in (package / "__init__.py", package / "services" / "__init__.py", package / "api" / "__init__.py"):
        init.write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("def later():\n    from .a import thing\n")
    (package / "api" / "routes.py").write_text("")
    (package / "services" / "uses_route.py").write_text("from ..api import routes\n")
    edges = graph(tmp_path)
    assert cycles(edges) == [["microwish.a", "microwish.b"]]
    assert "microwish.api.routes" in edges["microwish.services.uses_route"]
