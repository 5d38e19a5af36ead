"""The platform clock's offset (POST /dev/clock) and ISO 8601 durations.

The offset lives in a JSON file `{"offset_seconds": <float>}` whose path every worker gets in
MICROWISH_CLOCK_FILE; the domain code's clock adds it to the real time. Written atomically.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$"
)
_UNIT_SECONDS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}


MAX_ADVANCE_DAYS = 36_500  # a century: enough for any retention or escalation window
MAX_ADVANCE_SECONDS = MAX_ADVANCE_DAYS * 86_400.0


def parse_duration(text: object) -> float:
    """Seconds in an ISO 8601 duration: PnW, PnD, PTnHnMnS and combinations ("P1DT12H").

    Years and months are refused (their length depends on the date), and so are negative and
    empty durations ("P", "PT"). Raises ValueError.
    """
    if not isinstance(text, str):
        raise ValueError("expected an ISO 8601 duration string such as P8D or PT36H")
    value = text.strip().upper()
    match = _DURATION.match(value)
    if not match or value in ("P", "PT") or value.endswith("T"):
        raise ValueError(f"{text!r} is not an ISO 8601 duration (PnW, PnDTnHnMnS), e.g. P8D or PT36H")
    seconds = sum(
        float(amount.replace(",", ".")) * _UNIT_SECONDS[unit]
        for unit, amount in match.groupdict().items()
        if amount is not None
    )
    if not seconds <= MAX_ADVANCE_SECONDS:  # past it the calendar overflows (and NaN/inf fail here too)
        raise ValueError(f"{text!r} is too long: the clock moves at most {MAX_ADVANCE_DAYS} days at a time")
    return seconds


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class ClockFile:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def offset(self) -> float:
        try:
            return float(json.loads(self.path.read_text(encoding="utf-8")).get("offset_seconds", 0))
        except (OSError, ValueError, AttributeError):
            return 0.0

    def set_offset(self, seconds: float) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".clock-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"offset_seconds": seconds}, handle)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def advance(self, seconds: float) -> None:
        """Move the clock on; ValueError (and no move) past a century ahead in all."""
        total = self.offset() + seconds
        if total > MAX_ADVANCE_SECONDS:
            raise ValueError(f"the clock may run at most {MAX_ADVANCE_DAYS} days ahead; reset it first")
        self.set_offset(total)

    def reset(self) -> None:
        self.set_offset(0.0)

    def now(self) -> datetime:
        return datetime.fromtimestamp(time.time(), UTC) + timedelta(seconds=self.offset())

    def state(self) -> dict[str, object]:
        offset = self.offset()
        return {"now": rfc3339(self.now()), "offset_seconds": int(offset) if offset.is_integer() else offset}
