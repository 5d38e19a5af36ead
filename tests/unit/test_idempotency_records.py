"""The idempotency records' store: a duplicate's later answer never replaces the first; other errors surface."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from microwish.once import KeyedRequest
from microwish.repository.idempotency import IdempotencyRecords

KEYED = KeyedRequest(record_id="r-1", payload_hash="h", expires_at=2_000_000_000, table_name="records")


class RefusingClient:
    """A DynamoDB client whose update_item fails with the given error code, and says what it was asked."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.calls: list[dict] = []

    def update_item(self, **params):
        self.calls.append(params)
        raise ClientError({"Error": {"Code": self.code, "Message": "no"}}, "UpdateItem")


def test_an_answer_kept_first_stays_kept():
    client = RefusingClient("ConditionalCheckFailedException")
    IdempotencyRecords("records", client).remember_answer(KEYED, '{"status": 201}')  # no error: the first stays
    condition = client.calls[0]["ConditionExpression"]
    assert "attribute_not_exists(answer)" in condition and "payload_hash = :hash" in condition


def test_any_other_failure_is_not_swallowed():
    with pytest.raises(ClientError):
        IdempotencyRecords("records", RefusingClient("ProvisionedThroughputExceededException")).remember_answer(
            KEYED, "{}"
        )
