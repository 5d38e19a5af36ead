"""The Idempotency-Key records (the idempotency table): one item per (caller, route, key).

Written inside the transaction of the change the request makes (`TableStore.commit`, the item from
`items.idempotency_record`), with the answer the use case said before committing (`once.answering`).
Two other ways, for requests whose answer is not known at their commit: `keep_first` for one that committed
nothing (the change was made before, or is one write outside a transaction), `remember_answer` for one that
committed several changes (a batch claimed wish by wish). Items hold hashes and the public part of an
answer, never personal data; the table's TTL drops them after a day.
"""

from __future__ import annotations

import zlib
from typing import Any

from botocore.exceptions import ClientError

from ..once import KeyedRequest
from .codec import from_dynamo, to_dynamo
from .items import packed_answer
from .table import dynamodb_client

# The answer is kept zlib-compressed (binary `answer_z`): a wish's view is ~1 KB of JSON and the record is
# written in the change's transaction, twice billed per started KB; compressed it stays under 1 KB (README
# "Performance and cost"). Records written before keep a plain `answer` for their day, read as before.
ANSWER = "answer_z"


def answer_of(record: dict[str, Any]) -> str | None:
    """The answer a record keeps (compressed or, in a record written before, plain); None if it has none."""
    packed = record.get(ANSWER)
    if packed is not None:
        return zlib.decompress(bytes(getattr(packed, "value", packed))).decode("utf-8")
    plain = record.get("answer")
    return str(plain) if plain is not None else None


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
                        ANSWER: packed_answer(answer),
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
                "ConditionExpression": "attribute_not_exists(answer) AND attribute_not_exists(answer_z) "
                "AND (attribute_not_exists(payload_hash) OR payload_hash = :hash)"
            }
        )
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"id": {"S": request.record_id}},
                UpdateExpression="SET answer_z = :answer, payload_hash = :hash, expiration = :expires, #status = :done "
                "REMOVE answer",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_dynamo(
                    {
                        ":answer": packed_answer(answer),
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
