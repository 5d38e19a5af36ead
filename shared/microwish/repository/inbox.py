"""The in-app inbox and a person's notification preferences, in the wish table.

Items (no index keys, so no new index and nothing on the wish lists):
- notification  PK=INBOX#<owner>  SK=<created_at>#<id>   owner: user#<sub>, region#<code>, admins#<code>
- preferences   PK=PREFS#<sub>    SK=PREFERENCES
A notification's id starts with the digits of its creation time, so its sort key can be rebuilt
from the id alone (marking read needs no scan).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from botocore.exceptions import ClientError

from ..errors import InvalidInput
from . import keys
from .codec import from_dynamo, to_dynamo
from .keys import INBOX_PREFIX, PREFS_SK
from .table import TableStore

__all__ = ["INBOX_PREFIX", "PREFS_SK", "InboxStore", "created_at_of"]
_ID = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})-[0-9a-f]{16}$")
_SK = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#\d{17}-[0-9a-f]{16}$")


def created_at_of(notification_id: str) -> str | None:
    """The creation time an id names (RFC 3339, ms), or None if it is not an id we give out."""
    match = _ID.match(notification_id)
    if not match:
        return None
    year, month, day, hour, minute, second, millis = match.groups()
    return f"{year}-{month}-{day}T{hour}:{minute}:{second}.{millis}Z"


def _encode_cursor(sort_key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": sort_key}).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        data = None
    before = data.get("before") if isinstance(data, dict) and set(data) == {"before"} else None
    if not isinstance(before, str) or not _SK.match(before):  # (a non-string never matches the pattern)
        raise InvalidInput("cursor", "is not a cursor this list gave out")
    return before


class InboxStore(TableStore):
    # ------------------------------------------------------------ notifications
    def put_notification(self, owner: str, notification: dict[str, Any]) -> bool:
        """Store it unless it is there already (a redelivery must not mark it unread again)."""
        item = {
            **keys.notification_key(owner, notification["created_at"], notification["id"]),
            "type": "inbox",
            "owner": owner,
            "read": False,
            **notification,
        }
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=to_dynamo(item),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def list_notifications(
        self, owners: list[str], limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first, merged over the caller's inboxes (their own and their unit's)."""
        before = _decode_cursor(cursor)
        merged: list[dict[str, Any]] = []
        for owner in dict.fromkeys(owners):
            condition = "PK = :pk" + (" AND SK < :before" if before else "")
            values = {":pk": keys.inbox_partition(owner), **({":before": before} if before else {})}
            response = self.client.query(
                TableName=self.table_name,
                KeyConditionExpression=condition,
                ExpressionAttributeValues=to_dynamo(values),
                ScanIndexForward=False,
                Limit=limit + 1,
            )
            merged.extend(from_dynamo(item) for item in response.get("Items", []))
        merged.sort(key=lambda item: item["SK"], reverse=True)
        # Each inbox was read up to limit+1 items: more than `limit` in all means another page.
        page = merged[:limit]
        next_cursor = _encode_cursor(page[-1]["SK"]) if len(merged) > limit else None
        return page, next_cursor

    def mark_read(self, owners: list[str], notification_id: str) -> dict[str, Any] | None:
        """Mark one of the caller's notifications read; None if none of their inboxes holds it."""
        created_at = created_at_of(notification_id)
        if created_at is None:
            return None
        for owner in dict.fromkeys(owners):
            item = self._update_if(
                keys.notification_key(owner, created_at, notification_id),
                "SET #read = :true",
                "attribute_exists(PK)",
                {":true": True},
                {"#read": "read"},
                returns="ALL_NEW",
            )
            if item is not None:
                return item
        return None

    # ------------------------------------------------------------ preferences
    def get_preferences(self, sub: str) -> dict[str, Any] | None:
        return self._get(keys.preferences_key(sub))

    def put_preferences(self, sub: str, preferences: dict[str, Any]) -> None:
        item = {**keys.preferences_key(sub), "type": "preferences", **preferences}
        self.client.put_item(TableName=self.table_name, Item=to_dynamo(item))

    # ------------------------------------------------------------ contact verification
    def count_wrong_code(self, sub: str, channel: str, code_hash: str, max_attempts: int) -> int | None:
        """One more wrong attempt at the pending code: the attempts made so far, or None when the code
        changed meanwhile or had no attempt left."""
        try:
            response = self.client.update_item(
                TableName=self.table_name,
                Key=to_dynamo(keys.preferences_key(sub)),
                UpdateExpression="ADD #attempts :one",
                ConditionExpression="#hash = :hash AND (attribute_not_exists(#attempts) OR #attempts < :max)",
                ExpressionAttributeNames={"#attempts": f"{channel}_code_attempts", "#hash": f"{channel}_code_hash"},
                ExpressionAttributeValues=to_dynamo({":one": 1, ":hash": code_hash, ":max": max_attempts}),
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return int(from_dynamo(response["Attributes"])[f"{channel}_code_attempts"])

    def mark_verified(
        self, sub: str, channel: str, verified_field: str, code_hash: str, max_attempts: int, now: str
    ) -> dict[str, Any] | None:
        """The channel verified and its code gone, if the code is still the one checked; else None."""
        try:
            response = self.client.update_item(
                TableName=self.table_name,
                Key=to_dynamo(keys.preferences_key(sub)),
                UpdateExpression="SET #verified = :true, updated_at = :now REMOVE #hash, #salt, #expires, #attempts",
                ConditionExpression="#hash = :hash AND (attribute_not_exists(#attempts) OR #attempts < :max)",
                ExpressionAttributeNames={
                    "#verified": verified_field,
                    "#hash": f"{channel}_code_hash",
                    "#salt": f"{channel}_code_salt",
                    "#expires": f"{channel}_code_expires_at",
                    "#attempts": f"{channel}_code_attempts",
                },
                ExpressionAttributeValues=to_dynamo(
                    {":true": True, ":now": now, ":hash": code_hash, ":max": max_attempts}
                ),
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return from_dynamo(response["Attributes"])

    # ------------------------------------------------------------ messages per recipient and day
    def take_send_slot(self, recipient_hash: str, day: str, cap: int, expires_at: int) -> bool:
        """Count one message to a recipient address on a day; False (nothing counted) at the cap.

        One counter item per (address hash, day): SENDCAP#<hash> / D#<yyyy-mm-dd>; the address
        itself is never stored here."""
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=to_dynamo(keys.send_counter_key(recipient_hash, day)),
                UpdateExpression="ADD #sent :one SET expires_at = :expires, #type = :type",
                ConditionExpression="attribute_not_exists(#sent) OR #sent < :cap",
                ExpressionAttributeNames={"#sent": "sent", "#type": "type"},
                ExpressionAttributeValues=to_dynamo(
                    {":one": 1, ":cap": cap, ":expires": expires_at, ":type": "send_cap"}
                ),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
