"""Items to and from DynamoDB's typed JSON, and the opaque cursors lists give out."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from ..errors import InvalidInput

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in item.items() if value is not None}


def from_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _plain(_deserializer.deserialize(value)) for key, value in item.items()}


def _plain(value: Any) -> Any:
    # DynamoDB numbers come back as Decimal; every number we store is a whole number.
    if hasattr(value, "as_integer_ratio") and not isinstance(value, (int, float, bool)):
        return int(value)
    if isinstance(value, list):
        return [_plain(entry) for entry in value]
    if isinstance(value, dict):
        return {key: _plain(entry) for key, entry in value.items()}
    if isinstance(value, set):
        return sorted(_plain(entry) for entry in value)
    return value


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, attributes: set[str], partition: tuple[str, str]) -> dict[str, Any] | None:
    """The start key a cursor holds, if it is one this very list gave out.

    It must name exactly the list's key attributes and the list's own partition: anything else
    could start a query somewhere the caller was not listing.
    """
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise InvalidInput("cursor", "is not a cursor this list gave out") from None
    if not (
        isinstance(key, dict)
        and set(key) == attributes
        and all(
            isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str) for value in key.values()
        )
        and key[partition[0]]["S"] == partition[1]
    ):
        raise InvalidInput("cursor", "is not a cursor this list gave out")
    return key
