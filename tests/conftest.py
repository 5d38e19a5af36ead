"""Fixtures: a stack created in moto from template.yaml, and the API served by its real handlers."""

from __future__ import annotations

import json

import pytest
from moto import mock_aws

from infra.local import motopatch
from tests.support.harness import Api, Signer, deploy_template


@pytest.fixture
def aws(monkeypatch):
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("MICROWISH_CLOCK_FILE", raising=False)
    # The same moto as the local runtime's: transactions back up only the items they touch
    # (moto copies whole tables per item, which makes large tests crawl). See infra/local/motopatch.py.
    motopatch.apply()
    try:
        with mock_aws():
            yield
    finally:
        motopatch.revert()


@pytest.fixture
def stack(aws):
    return deploy_template()  # translated once per session (tests/support/harness.py)


@pytest.fixture(scope="session")
def signer():
    signer = Signer()
    yield signer
    signer.close()


@pytest.fixture
def api(stack, signer):
    return Api(stack, signer)


@pytest.fixture
def table(stack):
    """The wish table's name, for tests that look at what was stored."""
    return stack.outputs["WishTableName"]


@pytest.fixture
def shift(tmp_path, monkeypatch):
    """Sets the platform clock `days` ahead of real time, as POST /dev/clock does in the local runtime."""
    clock_file = tmp_path / "clock.json"
    monkeypatch.setenv("MICROWISH_CLOCK_FILE", str(clock_file))

    def to(days: float) -> None:
        clock_file.write_text(json.dumps({"offset_seconds": days * 86400}))

    to(0)
    return to
