"""Event source mapping FilterCriteria: EventBridge-style patterns, matched as Lambda does.

Supported: exact values, prefix, suffix, equals-ignore-case, anything-but (values or a prefix),
numeric comparisons, exists. For SQS, a pattern's `body` matches the message body parsed as JSON
(or, for a non-JSON body, the text itself).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

_MISSING = object()


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
    values = actual if isinstance(actual, list) else [actual]
    for rule in rules:
        if isinstance(rule, Mapping) and "exists" in rule:
            if bool(rule["exists"]) == (actual is not _MISSING):
                return True
            continue
        if actual is _MISSING:
            continue
        if any(_match_value(rule, v) for v in values):
            return True
    return False


def _match_value(rule: Any, value: Any) -> bool:
    if not isinstance(rule, Mapping):
        return value == rule
    if "prefix" in rule:
        return isinstance(value, str) and value.startswith(str(rule["prefix"]))
    if "suffix" in rule:
        return isinstance(value, str) and value.endswith(str(rule["suffix"]))
    if "equals-ignore-case" in rule:
        return isinstance(value, str) and value.lower() == str(rule["equals-ignore-case"]).lower()
    if "anything-but" in rule:
        excluded = rule["anything-but"]
        if isinstance(excluded, Mapping):
            return not _match_value(excluded, value)
        if not isinstance(excluded, list):
            excluded = [excluded]
        return value not in excluded
    if "numeric" in rule:
        return _numeric(rule["numeric"], value)
    return False


def _numeric(conditions: list[Any], value: Any) -> bool:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    checks = {
        "=": lambda a, b: a == b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    for index in range(0, len(conditions) - 1, 2):
        op, bound = conditions[index], conditions[index + 1]
        if op not in checks or not checks[op](number, float(bound)):
            return False
    return True
