"""Event source mapping FilterCriteria: EventBridge-style patterns, matched as Lambda does.

Supported: exact values (a list of them: any of them) in nested objects, which is all the template
uses. An operator (prefix, numeric, exists, anything-but...) fails the reading of the stack
(check()) rather than matching wrongly. For SQS, a pattern's `body` matches the message body parsed
as JSON (or, for a non-JSON body, the text itself).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

_MISSING = object()


class UnsupportedFilter(ValueError):
    pass


def matches_any(patterns: Iterable[Mapping[str, Any]], record: Mapping[str, Any], *, sqs: bool = False) -> bool:
    """True when there are no patterns or any pattern matches (the filters are OR'ed)."""
    patterns = list(patterns)
    if not patterns:
        return True
    if sqs:
        record = dict(record)
        body = record.get("body")
        if isinstance(body, str):
            with contextlib.suppress(ValueError):
                record["body"] = json.loads(body)
    return any(_match(pattern, record) for pattern in patterns)


def _match(pattern: Mapping[str, Any], value: Any) -> bool:
    for key, expected in pattern.items():
        actual = value.get(key, _MISSING) if isinstance(value, Mapping) else _MISSING
        if isinstance(expected, Mapping):
            if actual is _MISSING or not _match(expected, actual):
                return False
        elif isinstance(expected, list):
            if not _match_list(expected, actual):
                return False
        elif actual != expected:
            return False
    return True


def _match_list(rules: list[Any], actual: Any) -> bool:
    if actual is _MISSING:
        return False
    values = actual if isinstance(actual, list) else [actual]
    return any(value == rule for rule in rules for value in values)


def check(pattern: Mapping[str, Any]) -> None:
    """Raise UnsupportedFilter for a pattern this matcher would get wrong (an operator)."""
    for expected in pattern.values():
        if isinstance(expected, Mapping):
            check(expected)
        elif isinstance(expected, list):
            for rule in expected:
                if isinstance(rule, Mapping):
                    raise UnsupportedFilter(f"FilterCriteria operator {sorted(rule)} is not supported locally")
