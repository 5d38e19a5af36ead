"""When an audit item was written, as keys of the sparse `ByWritten` index (README "The wish table").

The stream forgets after 24 hours; the audit items do not. A dead-lettered stream batch names only the
approximate arrival times of its first and last records, so replaying it (microwish.services.replay)
needs the audit items written in a time window, found without a Scan: this index has one partition per
UTC hour of writing (`WrittenPK = AUDIT#<yyyy-mm-ddThh>`) sorted by the moment (`WrittenSK`).

The moment is the system clock's, never the platform clock (which the local runtime can move with
POST /dev/clock): the stream's arrival times are system time too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

WRITTEN_INDEX = "ByWritten"
WRITTEN_PREFIX = "AUDIT#"


def written_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def hour_partition(moment: datetime) -> str:
    return f"{WRITTEN_PREFIX}{moment.astimezone(UTC).strftime('%Y-%m-%dT%H')}"


def written_keys(moment: datetime | None = None) -> dict[str, str]:
    """The index keys of an audit item written now (or at `moment`)."""
    moment = moment or datetime.now(UTC)
    return {"WrittenPK": hour_partition(moment), "WrittenSK": written_iso(moment)}


def hour_partitions(start: datetime, end: datetime) -> list[str]:
    """Every hour partition a window touches, oldest first."""
    hour = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    partitions = []
    while hour <= end:
        partitions.append(hour_partition(hour))
        hour += timedelta(hours=1)
    return partitions
