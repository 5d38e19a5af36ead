"""Three fixes to moto's DynamoDB, applied in the runtime's moto server (motoserver.py).

`apply()` is idempotent and may be used in-process too; `revert()` undoes it.

1. TransactWriteItems backs up every table it touches with copy.deepcopy (the whole table, its
   indexes' items and its stream's records) before running, and on a cancelled transaction puts
   the copies back in place of the tables. That costs O(table size) per transaction (hundreds of
   milliseconds at a few thousand items, and with one request at a time everything waits), and
   it replaces the stream shard object, so a stream reader that holds an older shard iterator
   never sees another record. Here the backup is a journal of just the items the transaction
   names (a deep copy of each) plus the stream's length; on a cancel those items are put back and
   the stream is cut back to its length. Same outcome, O(items in the transaction).
2. An UpdateItem that creates its item writes two INSERT stream records: one for the bare key
   (moto puts the key first), then one for the item. DynamoDB writes one: we drop the first.
3. GetRecords answers through moto's generic serializer, which walks the output shape value by value:
   ~18 ms per record of a ~8 KB item (old and new images), 700 ms per stream batch under a giving day's
   load, half of all moto's time in tests/e2e/test_burst.py, with every other call waiting on it (one
   request at a time). The records are already in DynamoDB's wire form: they are written as JSON as they
   are (dates as epoch seconds, bytes as base64, as the serializer does): ~100x faster.
"""

from __future__ import annotations

import base64
import copy as _copy
import json
from datetime import datetime
from typing import Any
from unittest import mock

# The patches in place (started by apply, stopped by revert). mock.patch.object sets (and puts back)
# attributes of moto's module and backend class that are not ours to assign in typed code.
_PATCHES: list[Any] = []


class _BackupJournal:
    """What the patched TransactWriteItems must restore when the transaction is cancelled."""

    def __init__(self, backend: Any, transact_items: list[dict[str, Any]]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        self.items: list[tuple[Any, Any, Any, Any]] = []  # (table, hash, range, Item copy or None)
        self.streams: dict[int, tuple[Any, int]] = {}
        for entry in transact_items:
            try:
                _, op = next(iter(entry.items()))
                table = backend.tables[op["TableName"]]
                key = op.get("Key") or {
                    name: op["Item"][name] for name in (table.hash_key_attr, table.range_key_attr) if name is not None
                }
                hash_value = DynamoType(key[table.hash_key_attr])
                range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            except (KeyError, TypeError, StopIteration, AttributeError):
                continue  # moto reports a malformed entry itself
            current = (
                table.get_item(hash_value, range_value)
                if (range_value is not None or not table.has_range_key)
                else None
            )
            self.items.append((table, hash_value, range_value, _copy.deepcopy(current)))
            shard = table.stream_shard
            if shard is not None and id(shard) not in self.streams:
                self.streams[id(shard)] = (shard, len(shard.items))

    def restore(self) -> None:
        for table, hash_value, range_value, saved in reversed(self.items):
            if range_value is not None:
                bucket = table.items[hash_value]
                if saved is None:
                    bucket.pop(range_value, None)
                    if not bucket:
                        table.items.pop(hash_value, None)
                else:
                    bucket[range_value] = saved
            elif saved is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = saved
        for shard, length in self.streams.values():
            del shard.items[length:]


class _TableKeepingCopy:
    """Stands in for the `copy` module inside moto.dynamodb.models while a journal is active:
    deepcopy of a Table returns the table itself (so moto's "rollback" assigns it to itself)."""

    def __init__(self) -> None:
        self.active = False

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        if self.active and isinstance(value, Table):
            return value
        return _copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(_copy, name)


def _wire(value: Any) -> Any:
    """What json.dumps cannot write itself, as the DynamoDB Streams wire format has it."""
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000) / 1000  # milliseconds, cut as moto cuts them (never rounded up)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _get_records(self: Any) -> str:
    limit = self._get_param("Limit")
    result = self.backend.get_records(self._get_param("ShardIterator"), 1000 if limit is None else limit)
    return json.dumps(result, default=_wire)


def apply() -> None:
    import moto.dynamodb.models as models
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    if _PATCHES:
        return

    shim = _TableKeepingCopy()
    backend_class = models.DynamoDBBackend
    original_transact = backend_class.transact_write_items
    original_update = backend_class.update_item

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        journal = _BackupJournal(self, transact_items)
        shim.active = True
        try:
            return original_transact(self, transact_items)
        except BaseException:
            journal.restore()
            raise
        finally:
            shim.active = False

    def update_item(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        shard = getattr(self.tables.get(table_name), "stream_shard", None)
        before = len(shard.items) if shard is not None else 0
        result = original_update(self, table_name, *args, **kwargs)
        if shard is not None and len(shard.items) == before + 2:
            first, second = shard.items[before], shard.items[before + 1]
            if first.record["eventName"] == "INSERT" and second.record["eventName"] == "INSERT":
                second.record["dynamodb"]["SequenceNumber"] = first.record["dynamodb"]["SequenceNumber"]
                del shard.items[before]
        return result

    transact_write_items.__doc__ = original_transact.__doc__
    for patch in (
        mock.patch.object(models, "copy", shim),  # the name moto's module uses for `copy`
        mock.patch.object(backend_class, "transact_write_items", transact_write_items),
        mock.patch.object(backend_class, "update_item", update_item),
        mock.patch.object(DynamoDBStreamsHandler, "get_records", _get_records),
    ):
        patch.start()
        _PATCHES.append(patch)


def revert() -> None:
    while _PATCHES:
        _PATCHES.pop().stop()
