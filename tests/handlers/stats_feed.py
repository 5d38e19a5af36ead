"""Test support: hand the wish table's audit items to the stats consumer as stream records.

A test-only Scan reads every audit item (never on a request path); the records are built as the
stream delivers them (infra.local.events.dynamodb_stream_event) and given to the real handler.
"""

from __future__ import annotations

import uuid

from infra.local.events import dynamodb_stream_event
from tests.handlers.helpers import all_items

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/wishes/stream/2024-01-01T00:00:00.000"


def audit_items(table: str) -> list[dict]:
    """Every audit item (low-level shape), in trail order."""
    return sorted((item for item in all_items(table) if item.get("type", {}).get("S") == "audit"),
                  key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def records_of(items: list[dict]) -> list[dict]:
    return [{"eventID": uuid.uuid4().hex, "eventName": "INSERT",
             "dynamodb": {"Keys": {"PK": item["PK"], "SK": item["SK"]}, "NewImage": item,
                          "SequenceNumber": str(index), "StreamViewType": "NEW_AND_OLD_IMAGES"}}
            for index, item in enumerate(items)]


def feed(api, records: list[dict], batch: int = 100) -> list[dict]:
    """Invoke the consumer batch by batch; returns each batch's response."""
    responses = []
    for start in range(0, len(records), batch):
        event = dynamodb_stream_event(records[start:start + batch], stream_arn=STREAM_ARN)
        response = api.invoke("StatsConsumerFunction", event)
        assert response == {"batchItemFailures": []}, response
        responses.append(response)
    return responses


def count_all(api, table: str) -> int:
    """Feed every audit item once (what the deployed stream would have delivered)."""
    records = records_of(audit_items(table))
    feed(api, records)
    return len(records)


class _NoTableCopy:
    """Stands in for `copy` in moto's DynamoDB backend while a transaction runs: the table is not copied."""

    def __init__(self, real) -> None:
        self.real = real

    def deepcopy(self, value, memo=None):  # noqa: ANN001, ANN201
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else self.real.deepcopy(value, memo)


def copy_tables_once_per_transaction(monkeypatch) -> None:
    """moto backs up the WHOLE table (items and stream history) with a deep copy once per ITEM of a
    TransactWriteItems, to roll back on failure (moto/dynamodb/models/__init__.py,
    transact_write_items): its cost grows with the table times the transaction's size, which makes a
    few hundred wishes take many minutes. Here the backup is of the items the transaction names and
    the stream's length — the same rollback, all or nothing — so the run takes a test's time."""
    import copy

    import moto.dynamodb.models as models
    from moto.dynamodb.models.dynamo_type import DynamoType

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):  # noqa: ANN001, ANN202
        saved, streams = [], {}
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            attrs = op.get("Key") or op.get("Item") or {}
            hash_value = DynamoType(attrs[table.hash_key_attr])
            range_value = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
            current = table.get_item(hash_value, range_value)
            saved.append((table, hash_value, range_value, copy.deepcopy(current) if current else None))
            if table.stream_shard is not None:
                streams[id(table)] = (table.stream_shard, len(table.stream_shard.items))
        monkeypatch.setattr(models, "copy", _NoTableCopy(copy))
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_value, range_value, item in reversed(saved):
                bucket = table.items[hash_value] if range_value is not None else table.items
                key = range_value if range_value is not None else hash_value
                if item is None:
                    bucket.pop(key, None)
                else:
                    bucket[key] = item
            for shard, length in streams.values():
                del shard.items[length:]
            raise
        finally:
            monkeypatch.setattr(models, "copy", copy)

    monkeypatch.setattr(models.DynamoDBBackend, "transact_write_items", transact_write_items)
