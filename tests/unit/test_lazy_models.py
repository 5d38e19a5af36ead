"""microwish.models loads an aggregate's module only when one of its names is asked for (PEP 562)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import microwish.models as models

SHARED = Path(__file__).resolve().parents[2] / "shared"


def test_every_exported_name_resolves_to_its_defining_module() -> None:
    for name in models.__all__:
        module = importlib.import_module(f"microwish.models.{models._MODULE_OF[name]}")
        assert getattr(models, name) is getattr(module, name), name
    assert set(models._MODULE_OF) == set(models.__all__)
    assert set(models.__all__) <= set(dir(models))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchModel"):
        _ = models.NoSuchModel


def test_importing_one_model_leaves_the_other_aggregates_unloaded() -> None:
    code = (
        "import sys\n"
        "from microwish.models import Health\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('microwish.models.'))\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=SHARED, capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "microwish.models.base,microwish.models.meta"
