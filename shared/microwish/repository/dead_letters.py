"""The AWS calls of the dead-letter replay (microwish.services.replay): the audit items written in a time
window (the sparse ByWritten index, then BatchGetItem: no Scan), and the dead-letter queues themselves.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .codec import from_dynamo
from .table import dynamodb_client
from .written import WRITTEN_INDEX, hour_partitions, written_iso

_BATCH_GET = 100  # keys per BatchGetItem
_RECEIVE = 10  # messages per ReceiveMessage


class AuditWindow:
    """Audit items of the wish table by when they were written."""

    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or dynamodb_client()

    def keys_written(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The keys of the audit items written from `start` to `end` (both included), oldest first."""
        keys: list[dict[str, Any]] = []
        low, high = written_iso(start), written_iso(end)
        for partition in hour_partitions(start, end):
            params: dict[str, Any] = {
                "TableName": self.table_name,
                "IndexName": WRITTEN_INDEX,
                "KeyConditionExpression": "WrittenPK = :hour AND WrittenSK BETWEEN :low AND :high",
                "ExpressionAttributeValues": {":hour": {"S": partition}, ":low": {"S": low}, ":high": {"S": high}},
            }
            while True:
                page = self.client.query(**params)
                keys += [{"PK": item["PK"], "SK": item["SK"]} for item in page.get("Items", [])]
                if not page.get("LastEvaluatedKey"):
                    break
                params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return keys

    def items_written(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The audit items themselves (plain), in the order they were written."""
        found: list[dict[str, Any]] = []
        keys = self.keys_written(start, end)
        for first in range(0, len(keys), _BATCH_GET):
            pending: dict[str, Any] = {self.table_name: {"Keys": keys[first : first + _BATCH_GET]}}
            pause = 0.05
            while pending:
                response = self.client.batch_get_item(RequestItems=pending)
                found += [from_dynamo(item) for item in response.get("Responses", {}).get(self.table_name, [])]
                pending = response.get("UnprocessedKeys") or {}
                if pending:  # throttled: back off, then ask again for what was left
                    time.sleep(pause)
                    pause = min(pause * 2, 2.0)
        return sorted(found, key=lambda item: (item.get("WrittenSK", ""), item["PK"], item["SK"]))


@dataclass
class Letter:
    """One message taken off a dead-letter queue (invisible to others until deleted or timed out)."""

    body: str
    receipt: str
    attributes: dict[str, Any]

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class DeadLetters:
    """One dead-letter queue."""

    def __init__(self, sqs: Any, url: str) -> None:
        self.sqs = sqs
        self.url = url

    def waiting(self) -> int:
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"
        ]
        return int(attributes.get("ApproximateNumberOfMessages", 0))

    def take(self, limit: int, hold_seconds: int) -> Generator[Letter, None, None]:
        """Up to `limit` messages, each hidden for `hold_seconds`: what a crash leaves comes back."""
        taken = 0
        while taken < limit:
            response = self.sqs.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=min(_RECEIVE, limit - taken),
                VisibilityTimeout=hold_seconds,
                WaitTimeSeconds=0,
                MessageAttributeNames=["All"],
            )
            messages = response.get("Messages") or []
            if not messages:
                return
            for index, message in enumerate(messages):
                taken += 1
                try:
                    yield Letter(message["Body"], message["ReceiptHandle"], message.get("MessageAttributes") or {})
                except GeneratorExit:  # the caller stopped early: give back what it was not handed
                    for rest in messages[index + 1 :]:
                        self.sqs.change_message_visibility(
                            QueueUrl=self.url, ReceiptHandle=rest["ReceiptHandle"], VisibilityTimeout=0
                        )
                    raise

    def release(self, letter: Letter) -> None:
        """Give a letter back at once (its work failed): the next run finds it."""
        self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=letter.receipt, VisibilityTimeout=0)

    def done(self, letter: Letter) -> None:
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=letter.receipt)

    def move_to(self, letter: Letter, target_url: str) -> None:
        """Send the message back to `target_url`, then take it off here: at worst it is there twice
        (a crash between the two), which its consumer dedupes."""
        attributes = {
            name: {key: value for key, value in attribute.items() if key in ("DataType", "StringValue", "BinaryValue")}
            for name, attribute in letter.attributes.items()
        }
        self.sqs.send_message(
            QueueUrl=target_url, MessageBody=letter.body, **({"MessageAttributes": attributes} if attributes else {})
        )
        self.done(letter)
