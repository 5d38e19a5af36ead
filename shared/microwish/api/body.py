"""Reading a request body safely: never a 500 on what a client sends.

- A body that is not UTF-8 is a 400 before anything parses it (`not_utf8`).
- JSON nested deeper than the parser's stack is a 400 like any malformed JSON, not a RecursionError.
- An integer too long for Python to convert (> 4,300 digits) becomes a value no field accepts, so the
  request is a 422 naming the field it was sent in, not a ValueError.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from typing import Any

# Python refuses int() of longer digit strings (CVE-2020-10735); no field of ours takes more than 18.
_MAX_INT_DIGITS = min(sys.get_int_max_str_digits() or 4300, 4300)


class TooLongNumber:
    """What a JSON integer of more than 4,300 digits parses to: no field's type accepts it."""

    def __repr__(self) -> str:
        return "TooLongNumber()"


def _int(text: str) -> int | TooLongNumber:
    return TooLongNumber() if len(text.lstrip("-")) > _MAX_INT_DIGITS else int(text)


def parse_json_body(text: str) -> Any:
    """json.loads for request bodies (Powertools' json_body_deserializer)."""
    try:
        return json.loads(text, parse_int=_int)
    except RecursionError:
        raise json.JSONDecodeError("nested too deep", text if isinstance(text, str) else "", 0) from None


def not_utf8(event: dict[str, Any]) -> bool:
    """True when the event's body (base64-encoded, as API Gateway passes non-text bodies) is not UTF-8."""
    body = event.get("body")
    if not body or not event.get("isBase64Encoded"):
        return False
    try:
        base64.b64decode(body, validate=False).decode("utf-8")
    except (binascii.Error, ValueError):
        return True
    return False
