"""The Idempotency-Key records (the idempotency table): one item per (caller, route, key).

Written first inside the transaction of the change the request makes (`repository.idempotency_record_put`),
then completed with the answer once the answer is known (`remember_answer`). Items hold hashes and the
public part of an answer, never personal data; the table's TTL drops them after a day.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from .once import KeyedRequest
from .repository import dynamodb_client, from_dynamo, to_dynamo


class IdempotencyRecords:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or dynamodb_client()

    def get(self, record_id: str) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table_name, Key={"id": {"S": record_id}},
                                    ConsistentRead=True).get("Item")
        return from_dynamo(item) if item else None

    def remember_answer(self, request: KeyedRequest, answer: str) -> None:
        """Complete the record with its answer (creating it, for a route whose change needed no transaction).

        A duplicate that answered first keeps its answer: both are answers to the same change.
        """
        try:
            self.client.update_item(
                TableName=self.table_name, Key={"id": {"S": request.record_id}},
                UpdateExpression="SET answer = :answer, payload_hash = :hash, expiration = :expires, #status = :done",
                ConditionExpression="attribute_not_exists(answer) AND (attribute_not_exists(payload_hash) "
                                    "OR payload_hash = :hash)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_dynamo({":answer": answer, ":hash": request.payload_hash,
                                                     ":expires": request.expires_at, ":done": "COMPLETED"}))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
