"""Ship bytecode with the built Lambda code: `make build` runs this over sam build's output.

    python3.13 -m infra.tools.precompile .aws-sam/build [--runtime python3.13]

sam build ships only sources, and Lambda's /opt (the layer) and /var/task (the function) are
read-only: every cold start compiled Powertools, pydantic and microwish again, and threw the result
away (imports 1.7-1.8x slower than with bytecode; README "Performance"). This writes
`__pycache__/*.cpython-3XY.pyc` beside every source under the build directory:

- with the interpreter of the functions' runtime (bytecode is per minor version: a 3.12 .pyc is
  ignored by 3.13), so it refuses to run under another one;
- as unchecked-hash .pyc: a deployment zip keeps file times to 2 s only, so a timestamp .pyc could
  be judged stale on Lambda and compiled again on every cold start; an unchecked one is always used
  (the build directory is written once per build, never edited in place);
- and drops from the layer what the Lambda runtime provides itself: boto3 and its dependencies
  (aws-xray-sdk asks for botocore; a second, different botocore in /opt would shadow the runtime's).
"""

from __future__ import annotations

import argparse
import compileall
import py_compile
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# boto3 and what it depends on: in every Lambda Python runtime, so not in the layer.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
_DIST_NAMES = {"dateutil": "python_dateutil"}


def template_runtime(template: Path) -> str:
    """The functions' runtime as the template's Globals name it (e.g. python3.13)."""
    found = re.search(r"^\s+Runtime:\s*(python3\.\d+)", template.read_text(encoding="utf-8"), re.MULTILINE)
    if not found:
        raise SystemExit(f"{template}: no python Runtime found")
    return found.group(1)


def interpreter_runtime() -> str:
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def prune_runtime_provided(layer_python: Path) -> list[str]:
    """Remove boto3 and its dependencies from a layer's python/ folder; the names removed."""
    removed = []
    for name in RUNTIME_PROVIDED:
        dist = _DIST_NAMES.get(name, name)
        for path in [
            layer_python / name,
            layer_python / f"{name}.py",
            *layer_python.glob(f"{dist}-*.dist-info"),
            *layer_python.glob(f"{dist}-*.data"),
        ]:
            if path.is_dir():
                shutil.rmtree(path)
                removed.append(path.name)
            elif path.exists():
                path.unlink()
                removed.append(path.name)
    return removed


def precompile(build_dir: Path, runtime: str) -> int:
    """Prune the layers, compile every source under build_dir; the number of sources compiled."""
    if interpreter_runtime() != runtime:
        raise SystemExit(
            f"precompile: the functions run {runtime} but this is {interpreter_runtime()} ({sys.executable}); "
            f"bytecode is per minor version: run it with {runtime}"
        )
    if not build_dir.is_dir():
        raise SystemExit(f"precompile: {build_dir} does not exist (run sam build first)")
    for layer_python in sorted(build_dir.glob("*/python")):
        removed = prune_runtime_provided(layer_python)
        if removed:
            print(f"precompile: {layer_python}: removed {', '.join(removed)} (the Lambda runtime has them)")
    sources = [path for path in build_dir.rglob("*.py") if "__pycache__" not in path.parts]
    ok = compileall.compile_dir(
        str(build_dir),
        quiet=2,
        workers=1,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    if not ok:
        # A source that does not compile (vendored test data, py2 leftovers) is left as it is: Lambda
        # never imports it, and compiling it there would fail the same way.
        print("precompile: some files did not compile (see above); the rest did", file=sys.stderr)
    print(f"precompile: {len(sources)} sources under {build_dir} compiled for {runtime} (unchecked-hash .pyc)")
    return len(sources)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", type=Path, nargs="?", default=ROOT / ".aws-sam" / "build")
    parser.add_argument("--runtime", help="the functions' runtime (default: the template's Globals Runtime)")
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    args = parser.parse_args(argv)
    precompile(args.build_dir, args.runtime or template_runtime(args.template))
    return 0


if __name__ == "__main__":
    sys.exit(main())
