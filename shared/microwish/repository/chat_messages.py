"""The chat callbacks' records (issue 11): the nonces of signed requests, and each platform message
acted on with its reply. Both carry `expires_at` (epoch seconds, the table's TTL attribute); an expired
record that TTL has not deleted yet counts as absent. Type `chat_*`: no stream consumer passes them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

from . import keys
from .codec import from_dynamo, to_dynamo
from .table import TableStore

PENDING = "pending"  # being answered by the first delivery
REPLIED = "replied"  # answered: `reply` is what a retry gets again
SENT_LATER = "sent_later"  # answered late through the platform's send API: a retry gets an empty answer


@cache
def sqs_client() -> Any:
    return boto3.client("sqs")


def enqueue_reply(queue_url: str, body: str) -> None:
    """A late reply for the chat reply worker (the chat reply queue)."""
    sqs_client().send_message(QueueUrl=queue_url, MessageBody=body)


def _failed_condition(error: ClientError) -> bool:
    return bool(error.response["Error"]["Code"] == "ConditionalCheckFailedException")


class ChatMessageStore(TableStore):
    def claim_nonce(self, platform: str, timestamp: str, nonce: str, digest: str, now: int, expires_at: int) -> bool:
        """Record a signed request's nonce. True: first seen, or seen with the same request (the platform
        retrying it); False: another request under a nonce already used (a replay)."""
        item = {
            **keys.chat_nonce_key(platform, timestamp, nonce),
            "type": "chat_nonce",
            "digest": digest,
            "expires_at": expires_at,
        }
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=to_dynamo(item),
                ConditionExpression="attribute_not_exists(PK) OR expires_at < :now OR digest = :digest",
                ExpressionAttributeValues=to_dynamo({":now": now, ":digest": digest}),
            )
        except ClientError as error:
            if _failed_condition(error):
                return False
            raise
        return True

    def start(self, platform: str, message_id: str, now: int, expires_at: int) -> dict[str, Any] | None:
        """Take a message to act on it: None if it is ours now, else the record of the delivery that took it."""
        item = {
            **keys.chat_message_key(platform, message_id),
            "type": "chat_message",
            "status": PENDING,
            "expires_at": expires_at,
        }
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=to_dynamo(item),
                ConditionExpression="attribute_not_exists(PK) OR expires_at < :now",
                ExpressionAttributeValues=to_dynamo({":now": now}),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if _failed_condition(error):
                old = error.response.get("Item")
                return from_dynamo(old) if old else {"status": PENDING}
            raise
        return None

    def finish(self, platform: str, message_id: str, status: str, reply: str) -> None:
        self.client.update_item(
            TableName=self.table_name,
            Key=to_dynamo(keys.chat_message_key(platform, message_id)),
            UpdateExpression="SET #status = :status, reply = :reply",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=to_dynamo({":status": status, ":reply": reply}),
        )

    def release(self, platform: str, message_id: str) -> None:
        """Forget a message whose answer failed, so that the platform's retry acts on it again."""
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key=to_dynamo(keys.chat_message_key(platform, message_id)),
                ConditionExpression="#status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_dynamo({":pending": PENDING}),
            )
        except ClientError as error:
            if not _failed_condition(error):
                raise

    def take_send(self, platform: str, message_id: str) -> bool:
        """Before a late reply is sent: False if a delivery of the same job already sent (or is sending) it."""
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=to_dynamo(keys.chat_message_key(platform, message_id)),
                UpdateExpression="SET sending = :yes",
                ConditionExpression="attribute_exists(PK) AND attribute_not_exists(sending)",
                ExpressionAttributeValues=to_dynamo({":yes": True}),
            )
        except ClientError as error:
            if _failed_condition(error):
                return False
            raise
        return True

    def untake_send(self, platform: str, message_id: str) -> None:
        """The send failed: let the queue's next delivery try again."""
        self.client.update_item(
            TableName=self.table_name,
            Key=to_dynamo(keys.chat_message_key(platform, message_id)),
            UpdateExpression="REMOVE sending",
        )
