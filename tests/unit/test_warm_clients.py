"""notifications.warm: a notification function's clients made at init, only with a region."""

from __future__ import annotations

from typing import Any

import pytest

from microwish.notifications import warm


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(warm, "create_table_client", lambda: calls.append("table"))
    monkeypatch.setattr(warm, "aws_client", lambda service: calls.append(service))
    return calls


def test_with_a_region_each_named_client_is_made_once(made: list[str], monkeypatch: Any) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    warm.create_clients("dynamodb", "ssm")
    assert made == ["table", "ssm"]


def test_without_a_region_nothing_is_made(made: list[str], monkeypatch: Any) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    warm.create_clients("sqs")
    assert made == []
