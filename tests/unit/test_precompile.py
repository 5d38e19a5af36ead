"""`make build` ships bytecode Lambda uses (infra/tools/precompile.py), and the layer without boto3's closure."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.tools import precompile

ROOT = Path(__file__).resolve().parents[2]
HERE = precompile.interpreter_runtime()
UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, source not checked


def pyc_of(source: Path) -> Path:
    return Path(importlib.util.cache_from_source(str(source)))


def pyc_header(pyc: Path) -> tuple[bytes, int]:
    data = pyc.read_bytes()
    return data[:4], int.from_bytes(data[4:8], "little")


def fake_build(root: Path) -> Path:
    build = root / ".aws-sam" / "build"
    layer = build / "SharedLayer" / "python"
    (layer / "microwish").mkdir(parents=True)
    (layer / "microwish" / "__init__.py").write_text("")
    (layer / "microwish" / "answer.py").write_text("VALUE = 1\n")
    for name in ("botocore", "urllib3"):
        (layer / name).mkdir()
        (layer / name / "__init__.py").write_text("")
    (layer / "botocore-1.0.0.dist-info").mkdir()
    (layer / "six.py").write_text("")
    (build / "SubmitWishFunction").mkdir()
    (build / "SubmitWishFunction" / "app.py").write_text("from microwish.answer import VALUE\n")
    return build


def test_every_source_gets_unchecked_hash_bytecode_and_the_runtime_packages_go(tmp_path: Path) -> None:
    build = fake_build(tmp_path)
    assert precompile.main([str(build), "--runtime", HERE]) == 0

    layer = build / "SharedLayer" / "python"
    assert sorted(path.name for path in layer.iterdir()) == ["microwish"]
    for source in [layer / "microwish" / "answer.py", build / "SubmitWishFunction" / "app.py"]:
        magic, flags = pyc_header(pyc_of(source))
        assert magic == importlib.util.MAGIC_NUMBER
        assert flags == UNCHECKED_HASH


def test_the_bytecode_is_used_as_lambda_would_use_it(tmp_path: Path) -> None:
    """An unchecked .pyc is imported whatever the source's time: change the source (same size) after
    compiling, and the import still gives the compiled value: the interpreter never compiled it."""
    build = fake_build(tmp_path)
    precompile.precompile(build, HERE)
    answer = build / "SharedLayer" / "python" / "microwish" / "answer.py"
    answer.write_text("VALUE = 2\n")
    os.utime(answer, (1, 1))
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1"}
    path = [str(build / "SubmitWishFunction"), str(build / "SharedLayer" / "python")]
    code = f"import sys; sys.path[:0] = {path!r}; import app; print(app.VALUE)"
    done = subprocess.run([sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "1"


def test_it_refuses_an_interpreter_of_another_minor_version(tmp_path: Path) -> None:
    build = fake_build(tmp_path)
    with pytest.raises(SystemExit, match="bytecode is per minor version"):
        precompile.precompile(build, "python3.9")
    assert not pyc_of(build / "SubmitWishFunction" / "app.py").exists()


def test_it_needs_a_build(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="run sam build first"):
        precompile.precompile(tmp_path / "missing", HERE)


def test_the_runtime_is_read_from_the_template(tmp_path: Path) -> None:
    assert precompile.template_runtime(ROOT / "template.yaml") == "python3.13"
    empty = tmp_path / "template.yaml"
    empty.write_text("Resources: {}\n")
    with pytest.raises(SystemExit, match="no python Runtime"):
        precompile.template_runtime(empty)


BUILT = ROOT / ".aws-sam" / "build"


@pytest.mark.skipif(not (BUILT / "SharedLayer").is_dir(), reason="no `make build` output here (.aws-sam/build)")
def test_make_build_output_ships_bytecode_for_the_lambda_runtime() -> None:
    """Inspects what `make build` (sam build + precompile) made, when it was run in this checkout."""
    runtime = precompile.template_runtime(ROOT / "template.yaml")
    tag = "cpython-" + runtime.removeprefix("python").replace(".", "")
    layer = BUILT / "SharedLayer" / "python"
    assert (layer / "aws_xray_sdk").is_dir(), "the tracer's SDK is in the layer"
    for name in precompile.RUNTIME_PROVIDED:
        assert not (layer / name).exists(), f"{name} comes with the Lambda runtime"
    sources = [path for path in BUILT.rglob("*.py") if "__pycache__" not in path.parts]
    assert len(sources) > 100
    missing = []
    for source in sources:
        pyc = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        if not pyc.is_file():
            missing.append(str(source.relative_to(BUILT)))
            continue
        assert pyc_header(pyc)[1] == UNCHECKED_HASH, pyc
    # sources that do not compile under the runtime (if any) are never imported; everything else is there
    assert len(missing) <= len(sources) // 100, missing[:10]
    functions = [path for path in BUILT.iterdir() if (path / "app.py").is_file()]
    assert functions
    for function in functions:
        assert (function / "__pycache__" / f"app.{tag}.pyc").is_file()
