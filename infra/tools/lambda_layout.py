"""A Lambda-like file layout on this machine, built from the dev venv: for cold-start measurements and tests.

    layout = build_layout(tmp_dir, precompiled=True)
    layout.python_path("submit_wish")  # [function dir, layer/python, runtime]

What Lambda puts on sys.path, and what it can write (nothing):
- `task/<name>/`: the function's folder (/var/task), copied from functions/<name>/;
- `layer/python/`: the layer (/opt/python): microwish and the closure of shared/requirements.txt, exactly
  as `make build` ships it (boto3's closure removed, infra/tools/precompile.py), compiled or not;
- `runtime/`: what the Lambda runtime brings (boto3 and its dependencies), with its bytecode.
Every file is made read-only. The packages are copied from the venv that runs this (the files each
distribution's RECORD lists), so nothing is downloaded; a requirement missing from the layer is missing
here too (the interpreter gets only these folders and the standard library: run it with -S).
"""

from __future__ import annotations

import compileall
import os
import py_compile
import re
import shutil
import stat
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.tools.precompile import RUNTIME_PROVIDED, prune_runtime_provided

ROOT = Path(__file__).resolve().parents[2]
LAYER_REQUIREMENTS = ROOT / "shared" / "requirements.txt"
RUNTIME_ROOTS = ("boto3",)  # the Lambda runtime's own packages: boto3 and what it needs


def _requirements(path: Path) -> list[Requirement]:
    lines = (re.sub(r"\s+#.*$", "", line).strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith(("#", "-"))]


def closure(roots: list[Requirement]) -> list[metadata.Distribution]:
    """The installed distributions `roots` need (markers and extras evaluated here)."""
    found: dict[str, metadata.Distribution] = {}
    pending = [(root, frozenset(root.extras)) for root in roots]
    while pending:
        requirement, extras = pending.pop()
        name = canonicalize_name(requirement.name)
        key = f"{name}[{','.join(sorted(extras))}]"
        if key in found:
            continue
        dist = metadata.distribution(requirement.name)
        found[key] = dist
        for entry in dist.requires or []:
            needed = Requirement(entry)
            base = {key: str(value) for key, value in default_environment().items()}
            environments = [{**base, "extra": extra} for extra in (extras or {""})]
            if needed.marker is None or any(needed.marker.evaluate(env) for env in environments):
                pending.append((needed, frozenset(needed.extras)))
    unique: dict[str, metadata.Distribution] = {}
    for dist in found.values():
        unique[canonicalize_name(dist.metadata["Name"])] = dist
    return list(unique.values())


def copy_distribution(dist: metadata.Distribution, target: Path, *, with_bytecode: bool) -> None:
    for file in dist.files or []:
        if file.parts[0] == ".." or (not with_bytecode and (file.suffix == ".pyc" or "__pycache__" in file.parts)):
            continue
        source = Path(str(dist.locate_file(file)))
        if source.is_file():
            destination = target / file
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def _copy_sources(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"), dirs_exist_ok=True)


def read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def writable(root: Path) -> None:
    """Undo read_only (to delete the layout)."""
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


@dataclass(frozen=True)
class Layout:
    root: Path
    precompiled: bool

    @property
    def layer(self) -> Path:
        return self.root / "layer" / "python"

    @property
    def runtime(self) -> Path:
        return self.root / "runtime"

    def task(self, function: str) -> Path:
        return self.root / "task" / function

    def python_path(self, function: str | None) -> list[str]:
        folders = [self.layer, self.runtime] if function is None else [self.task(function), self.layer, self.runtime]
        return [str(folder) for folder in folders]

    def remove(self) -> None:
        if self.root.exists():
            writable(self.root)
            shutil.rmtree(self.root)


def build_layout(root: Path, *, precompiled: bool, requirements: Path = LAYER_REQUIREMENTS) -> Layout:
    """The layer, the runtime's packages and every function folder under `root` (made read-only)."""
    layout = Layout(root, precompiled)
    layout.remove()
    layout.layer.mkdir(parents=True)
    for dist in closure(_requirements(requirements)):
        copy_distribution(dist, layout.layer, with_bytecode=False)
    prune_runtime_provided(layout.layer)  # as `make build` does
    _copy_sources(ROOT / "shared" / "microwish", layout.layer / "microwish")
    layout.runtime.mkdir(parents=True)
    for dist in closure([Requirement(name) for name in RUNTIME_ROOTS]):
        copy_distribution(dist, layout.runtime, with_bytecode=True)
    for folder in sorted((ROOT / "functions").iterdir()):
        if (folder / "app.py").is_file():
            _copy_sources(folder, layout.task(folder.name))
    if precompiled:
        for folder in (layout.layer, layout.root / "task"):
            compileall.compile_dir(
                str(folder), quiet=2, workers=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
            )
    read_only(root)
    return layout


def child_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment for the measured interpreter: no PYTHONPATH, no bytecode writing (as /opt)."""
    keep = {name: value for name, value in os.environ.items() if name in ("PATH", "HOME", "LANG", "TZ")}
    return {**keep, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1", **(extra or {})}


__all__ = ["RUNTIME_PROVIDED", "Layout", "build_layout", "child_environment", "closure"]
