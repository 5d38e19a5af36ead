"""One moto stack (from template.yaml) shared by every test of a module, for the long proofs.

tests/conftest.py creates a fresh stack per test (~2.5 s each). The authorization matrix runs hundreds
of cases and the personal-data sweep one long story: both build their objects on one stack per module.
Safe because nothing else runs inside that module's moto (a module-scoped fixture is torn down before
the next module starts), and because each case of the matrix takes a fresh object when it needs one.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from moto import mock_aws

from infra.local import motopatch
from infra.local.stack import LocalStack
from tests.support.harness import deploy_template

_TICKS = itertools.count(time.time_ns(), 1_000_000)


@contextmanager
def shared_stack(clock_file: Path | None = None) -> Iterator[tuple[LocalStack, pytest.MonkeyPatch]]:
    """The stack, under a MonkeyPatch that lives as long as it (the `aws` fixture's environment)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
        }.items():
            patch.setenv(name, value)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        if clock_file is None:
            patch.delenv("MICROWISH_CLOCK_FILE", raising=False)
        else:
            patch.setenv("MICROWISH_CLOCK_FILE", str(clock_file))
        motopatch.apply()
        try:
            with mock_aws():
                yield deploy_template(), patch
        finally:
            motopatch.revert()


def set_clock(clock_file: Path, days: float) -> None:
    """The platform clock `days` ahead of real time (as the `shift` fixture, for a module-scoped stack)."""
    clock_file.write_text(json.dumps({"offset_seconds": days * 86400}))
    tick = next(_TICKS)
    os.utime(clock_file, ns=(tick, tick))
