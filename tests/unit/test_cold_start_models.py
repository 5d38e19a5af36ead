"""A function's cold start builds only the models it uses (issue 15 goal 6): each pydantic class costs ~1 ms of CPU.

`import app` of a function, in a fresh interpreter, must not load the model modules of aggregates it does not
serve. A service that needs one of them on some requests only (a unit's claim, a campaign's pledge) imports it
there, with a function-level import ("why: cold start"). Powertools' batch utility imports its parser models
(24 classes) when pydantic is already imported: the stream and queue consumers import it before microwish.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POWERTOOLS_PARSER = "powertools-parser"  # aws_lambda_powertools.utilities.parser.models
ONLY_WISHES = frozenset({"claims", "units", "reports", "campaigns", "profiles"})

# Function → aggregates (microwish.models.<name>), or Powertools' parser, whose models its `import app` must not build.
NOT_LOADED: dict[str, frozenset[str]] = {
    "submit_wish": ONLY_WISHES,
    "review_wish": ONLY_WISHES,
    "wish_query": ONLY_WISHES,
    "escalation_sweep": ONLY_WISHES,
    "claims": frozenset({"units", "reports", "campaigns", "profiles"}),
    "fulfilment": frozenset({"units", "reports", "campaigns"}),
    "campaigns": frozenset({"claims", "units", "reports"}),
    "stats_consumer": frozenset({"claims", "units", "reports", "campaigns"}),
    "event_router": frozenset({"claims", "units", "reports", "campaigns", POWERTOOLS_PARSER}),
    "notifier": frozenset({"claims", "units", POWERTOOLS_PARSER}),
    "chat_reply": frozenset({"units", "reports", "campaigns", POWERTOOLS_PARSER}),
}

_LOADED = (
    "import sys\n"
    "import app\n"
    "loaded = {m.rpartition('.')[2] for m in sys.modules if m.startswith('microwish.models.')}\n"
    "if 'aws_lambda_powertools.utilities.parser.models' in sys.modules:\n"
    f"    loaded.add({POWERTOOLS_PARSER!r})\n"
    "print(','.join(sorted(loaded)))\n"
)


def loaded_models(function: str) -> set[str]:
    folder = ROOT / "functions" / function
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT / "shared")]),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "TABLE_NAME": "wishes",
    }.items():
        env.setdefault(name, value)
    done = subprocess.run(
        [sys.executable, "-c", _LOADED], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(done.stdout.strip().split(","))


@pytest.mark.parametrize("function", sorted(NOT_LOADED))
def test_a_functions_import_builds_no_models_it_does_not_use(function: str) -> None:
    loaded = loaded_models(function)
    assert "wishes" in loaded  # the import worked and loaded models: the check below can fail
    assert not loaded & NOT_LOADED[function], (
        f"{function} builds the models of {sorted(loaded & NOT_LOADED[function])} at import: "
        "import them where they are used (python -X importtime shows the chain)"
    )
