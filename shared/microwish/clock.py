"""The one clock all code reads.

In AWS it is the system clock. The local runtime can shift it (`POST /dev/clock`) by writing an
offset to the file named in MICROWISH_CLOCK_FILE, so a demo can fast-forward escalation.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

_CLOCK_FILE_ENV = "MICROWISH_CLOCK_FILE"


def _offset_seconds() -> float:
    # Read on every call (a few microseconds, and only where the local runtime set the variable):
    # a cache keyed by the file's mtime would miss two shifts within one filesystem tick.
    path = os.environ.get(_CLOCK_FILE_ENV)
    if not path:
        return 0.0
    try:
        with open(path, encoding="utf-8") as handle:
            return float(json.load(handle).get("offset_seconds", 0))
    except FileNotFoundError:
        return 0.0


def now() -> datetime:
    return datetime.now(UTC) + timedelta(seconds=_offset_seconds())


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds: sorts as text, which the table's sort keys rely on."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_iso() -> str:
    return iso(now())


def parse(text: str) -> datetime:
    """The moment an RFC 3339 text names (as `iso` writes them)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def sweep_budget_seconds(context: object, margin_ms: int = 15_000) -> float | None:
    """How long a scheduled sweep may run: the Lambda's remaining time less a margin for the write in
    flight and the metrics flush (at least half of it); None outside Lambda (no limit)."""
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    if remaining_ms is None:
        return None
    remaining = remaining_ms()
    return max(remaining / 2, remaining - margin_ms) / 1000 if remaining else None
