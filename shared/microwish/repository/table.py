"""The one table: its client, and the reads and the commit every store shares."""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

from .. import once
from ..errors import InvalidInput
from .codec import from_dynamo, to_dynamo
from .items import idempotency_record
from .transaction import ConditionFailed, Guard, Transaction


@cache
def dynamodb_client() -> Any:
    """One client per process, created on first use."""
    return boto3.client("dynamodb")


class TableStore:
    """A view of the one table: its name and the process's client (or a given one)."""

    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or dynamodb_client()

    # ------------------------------------------------------------ writes
    def transaction(self) -> Transaction:
        return Transaction(self.table_name)

    def commit(self, transaction: Transaction) -> None:
        """All or nothing; a failed condition raises ConditionFailed naming the guard that failed.

        Inside a keyed request (microwish.once), its first change also writes the key's record, with the
        answer the use case said it gives (once.answering): a duplicate that committed first fails this one
        on the record's guard (once.AlreadyDone, with the record as found: no read to replay it).
        """
        keyed, audited = once.current(), once.audited()
        record = None
        answer = keyed.answer if keyed is not None else None
        entry = audited.pending if audited is not None else None
        if entry is not None or (keyed is not None and not keyed.recorded):
            transaction = transaction.extended()  # the caller's may be committed again (a retry)
        if entry is not None:  # the answer is a private view an officer is given: its read is logged with it
            transaction.record_access(entry)
        if keyed is not None and not keyed.recorded:
            record = transaction.put_new(
                "idempotency", idempotency_record(keyed), table_name=keyed.table_name, key_attribute="id"
            )
        # An answer (and its entry) goes with the commit it was said for, never a later one.
        if keyed is not None:
            keyed.answer = None
        if audited is not None:
            audited.pending = None
        try:
            self.client.transact_write_items(TransactItems=transaction.items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons", [])
            if (
                record is not None
                and record.index < len(reasons)
                and reasons[record.index].get("Code") == "ConditionalCheckFailed"
            ):
                found = reasons[record.index].get("Item")
                raise once.AlreadyDone(from_dynamo(found) if found else None) from None
            for index, reason in enumerate(reasons):
                if reason.get("Code") == "ConditionalCheckFailed":
                    item = reason.get("Item")
                    raise ConditionFailed(from_dynamo(item) if item else None, transaction.guard_at(index)) from None
            raise
        if keyed is not None and record is not None:  # a record is only added inside a keyed request
            keyed.recorded = True
            keyed.answered = answer
        if audited is not None and entry is not None:
            audited.logged.add(entry.wish_id)

    def commit_unless(self, transaction: Transaction, guard: Guard) -> bool:
        """Commits; False (nothing written) when `guard` is the condition that failed: done before."""
        try:
            self.commit(transaction)
        except ConditionFailed as failure:
            if guard.failed(failure):
                return False
            raise
        return True

    def _update_if(
        self,
        key: dict[str, str],
        expression: str,
        condition: str | None,
        values: dict[str, Any],
        names: dict[str, str] | None = None,
        returns: str = "NONE",
    ) -> dict[str, Any] | None:
        """One conditional UpdateItem; None when the condition failed, else the attributes asked for."""
        params: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": to_dynamo(key),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": to_dynamo(values),
            "ReturnValues": returns,
        }
        if condition:
            params["ConditionExpression"] = condition
        if names:
            params["ExpressionAttributeNames"] = names
        try:
            response = self.client.update_item(**params)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return from_dynamo(response.get("Attributes", {}))

    # ------------------------------------------------------------ reads
    def _get(self, key: dict[str, str], projection: str | None = None) -> dict[str, Any] | None:
        params: dict[str, Any] = {"TableName": self.table_name, "Key": to_dynamo(key)}
        if projection:
            params["ProjectionExpression"] = projection
        item = self.client.get_item(**params).get("Item")
        return from_dynamo(item) if item else None

    def _batch_get(self, keys: list[dict[str, str]], consistent: bool = False) -> dict[tuple[str, str], dict[str, Any]]:
        """Items by key, BatchGetItem 100 keys a call; absent keys are simply not there."""
        pending = [to_dynamo(key) for key in {(key["PK"], key["SK"]): key for key in keys}.values()]
        found: dict[tuple[str, str], dict[str, Any]] = {}
        while pending:
            request: dict[str, Any] = {"Keys": pending[:100]}
            if consistent:
                request["ConsistentRead"] = True
            response = self.client.batch_get_item(RequestItems={self.table_name: request})
            for item in response.get("Responses", {}).get(self.table_name, []):
                plain = from_dynamo(item)
                found[(plain["PK"], plain["SK"])] = plain
            unprocessed = response.get("UnprocessedKeys", {}).get(self.table_name, {}).get("Keys", [])
            if unprocessed:
                time.sleep(0.05)  # throttled: give the table a moment before asking again
            pending = pending[100:] + unprocessed
        return found

    def _query(self, **params: Any) -> dict[str, Any]:
        params = {key: value for key, value in params.items() if value is not None}
        try:
            response: dict[str, Any] = self.client.query(TableName=self.table_name, **params)
            return response
        except ClientError as error:
            # A cursor from another list (or edited by hand) names a key this query cannot start at.
            if params.get("ExclusiveStartKey") and error.response["Error"]["Code"] == "ValidationException":
                raise InvalidInput("cursor", "is not a cursor this list gave out") from None
            raise

    def _query_all(self, **params: Any) -> Iterator[dict[str, Any]]:
        start = None
        while True:
            response = self._query(**params, ExclusiveStartKey=start)
            yield from (from_dynamo(item) for item in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start:
                return

    def _partition(self, partition: str, sort_prefix: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item of one partition (of those whose sort key begins with `sort_prefix`)."""
        if sort_prefix is None:
            return self._query_all(
                KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": partition}}
            )
        return self._query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={":pk": {"S": partition}, ":prefix": {"S": sort_prefix}},
        )
