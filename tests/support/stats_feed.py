"""Test support: hand the wish table's audit items to the stats consumer as stream records.

A test-only Scan reads every audit item (never on a request path); the records are built as the
stream delivers them (infra.local.events.dynamodb_stream_event) and given to the real handler.
"""

from __future__ import annotations

import uuid

from infra.local.events import dynamodb_stream_event
from tests.support.people import all_items

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/wishes/stream/2024-01-01T00:00:00.000"


def audit_items(table: str) -> list[dict]:
    """Every audit item (low-level shape), in trail order."""
    return sorted(
        (item for item in all_items(table) if item.get("type", {}).get("S") == "audit"),
        key=lambda item: (item["PK"]["S"], item["SK"]["S"]),
    )


def counting_items(items: list[dict]) -> list[dict]:
    """The audit items (low-level shape) that move a counter: the others get no marker (a pledge short of
    the target, a reminder: services/stats.py units_of)."""
    from microwish.repository import from_dynamo
    from microwish.services import stats

    return [item for item in items if stats.units_of(from_dynamo(item))]


def stream_items(table: str) -> list[dict]:
    """Every item the stats consumer's filter lets through: audit items and recognition events (issue 12)."""
    return sorted(
        (item for item in all_items(table) if item.get("type", {}).get("S") in ("audit", "recognition_event")),
        key=lambda item: (item["PK"]["S"], item["SK"]["S"]),
    )


def records_of(items: list[dict]) -> list[dict]:
    return [
        {
            "eventID": uuid.uuid4().hex,
            "eventName": "INSERT",
            "dynamodb": {
                "Keys": {"PK": item["PK"], "SK": item["SK"]},
                "NewImage": item,
                "SequenceNumber": str(index),
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
        }
        for index, item in enumerate(items)
    ]


def feed(api, records: list[dict], batch: int = 100) -> list[dict]:
    """Invoke the consumer batch by batch; returns each batch's response."""
    responses = []
    for start in range(0, len(records), batch):
        event = dynamodb_stream_event(records[start : start + batch], stream_arn=STREAM_ARN)
        response = api.invoke("StatsConsumerFunction", event)
        assert response == {"batchItemFailures": []}, response
        responses.append(response)
    return responses


def count_all(api, table: str) -> int:
    """Feed every audit item once (what the deployed stream would have delivered)."""
    records = records_of(audit_items(table))
    feed(api, records)
    return len(records)
