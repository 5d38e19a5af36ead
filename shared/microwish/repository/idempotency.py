"""The Idempotency-Key records (the idempotency table): one item per (caller, route, key).

Written inside the transaction of the change the request makes (`TableStore.commit`, the item from
`items.idempotency_record`), with the answer the use case said before committing (`once.answering`).
Two other ways, for requests whose answer is not known at their commit: `keep_first` for one that committed
nothing (the change was made before, or is one write outside a transaction), `remember_answer` for one that
committed several changes (a batch claimed wish by wish). Items hold hashes and the public part of an
answer, never personal data; the table's TTL drops them after a day.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ..once import KeyedRequest
from .codec import from_dynamo, to_dynamo
from .table import dynamodb_client


class IdempotencyRecords:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or dynamodb_client()

    def get(self, record_id: str) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table_name, Key={"id": {"S": record_id}}, ConsistentRead=True).get(
            "Item"
        )
        return from_dynamo(item) if item else None

    def keep_first(self, request: KeyedRequest, answer: str) -> dict[str, Any] | None:
        """The record with its answer, unless the key has one: then that record (the first answer stands).

        One conditional put; the record it found comes back with the failure, so a duplicate needs no read.
        """
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=to_dynamo(
                    {
                        "id": request.record_id,
                        "payload_hash": request.payload_hash,
                        "expiration": request.expires_at,
                        "status": "COMPLETED",
                        "answer": answer,
                    }
                ),
                ConditionExpression="attribute_not_exists(id)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            found = error.response.get("Item")
            return from_dynamo(found) if found else self.get(request.record_id)
        return None

    def remember_answer(self, request: KeyedRequest, answer: str, *, replace: bool = False) -> None:
        """Complete the record with its answer (creating it, for a route whose change needed no transaction).

        A duplicate that answered first keeps its answer: both are answers to the same change. `replace`:
        the answer the change committed with was not the route's; the route's replaces it.
        """
        condition = (
            {}
            if replace
            else {
                "ConditionExpression": "attribute_not_exists(answer) AND (attribute_not_exists(payload_hash) "
                "OR payload_hash = :hash)"
            }
        )
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"id": {"S": request.record_id}},
                UpdateExpression="SET answer = :answer, payload_hash = :hash, expiration = :expires, #status = :done",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_dynamo(
                    {
                        ":answer": answer,
                        ":hash": request.payload_hash,
                        ":expires": request.expires_at,
                        ":done": "COMPLETED",
                    }
                ),
                **condition,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
