"""Recognition counters (issue 12 §4), kept by the stream consumer beside the report counters: per region prefix
(province, city, county, township: a village is never a dimension) and year, for each unit and person —

- `activities`     activities a unit held (the activity's day; the unit's region),
- `minutes`        volunteer minutes: a person's own, and the unit's that held the work wish when the volunteer
                   was checked in (the unit organized the work: its hours are the sum of its volunteers'),
                   on the work's day, in the wish's region,
- `act_wishes`, `act_value_fen`   wishes fulfilled in a unit's activity and their value, on the day the wish was
                   fulfilled, in the wish's region — unless the unit was itself a donor of the wish: then the
                   leaderboard counts it already (its claim), and it is counted once.

What moves them: `recognition_event` items (an activity recorded, a check-in's change of minutes), written in
the change's own transaction, and the wishes' `fulfilled` audit events. Each event is counted once (a marker in
the transaction of its moves); each (unit, wish) credit once (its own marker), whichever of the activity and the
fulfilment the consumer sees last. So the rows equal a recount of the items (tests/handlers/test_recognition_counts.py).
"""

from __future__ import annotations

from typing import Any

from .. import clock, regions
from ..repository import WishRepository, from_dynamo, keys
from ..repository.recognition_counts import EVENT_TYPE, RowMove, person_row, unit_row
from .acting import unit_id_of
from .stats import CST

SCOPE_LEVELS = ("province", "city", "county", "township")
ACTIVITY = "activity"
HOURS = "hours"
NOTICE = "notice"  # an event only told (the notifications), never counted


def scopes_of(region_code: str) -> list[str]:
    """The region prefixes a region's figures count in (down to its township; a short code stops early)."""
    found: list[str] = []
    for level in SCOPE_LEVELS:
        try:
            prefix = regions.prefix_at(region_code, level)
        except regions.RegionCodeError:
            break
        if prefix not in found:
            found.append(prefix)
    return found


def year_at(at: str) -> int:
    return clock.parse(at).astimezone(CST).year


def _moves(region_code: str, year: int, row: str, numbers: dict[str, int], name: str | None = None) -> list[RowMove]:
    return [RowMove(scope, year, row, dict(numbers), name) for scope in scopes_of(region_code)]


# ---------------------------------------------------------------- the events (written by the changes)
def activity_event(activity: Any) -> tuple[str, dict[str, Any]]:
    """The event of an activity recorded: (subject, fields). It names the unit as `donor_id`, so the
    notifications tell the unit's members (the `unit` audience of `activity_held`)."""
    return activity.id, {
        "kind": ACTIVITY,
        "action": "activity_held",
        "activity_id": activity.id,
        "unit_id": activity.unit_id,
        "unit_name": activity.unit_name,
        "donor_id": f"unit:{activity.unit_id}",
        "region_code": activity.region_code,
        "day": activity.day,
        "title": activity.title,
        "wish_ids": list(activity.wish_ids),
    }


def hours_event(
    wish_id: str, volunteer_id: str, name: str | None, unit_id: str | None, region_code: str, day: str, minutes: int
) -> tuple[str, dict[str, Any]]:
    """The event of a volunteer's minutes moving by `minutes` (a check-in, or a check-in again with other hours)."""
    return f"{wish_id}#{volunteer_id}", {
        "kind": HOURS,
        "wish_id": wish_id,
        "volunteer_id": volunteer_id,
        "name": name or "",
        "unit_id": unit_id or "",
        "region_code": region_code,
        "day": day,
        "minutes": minutes,
    }


def full_notice(needs: Any, unit_id: str) -> tuple[str, dict[str, Any]]:
    """The notice that a work wish the unit holds has all its volunteers (counted by nobody: told only)."""
    return f"{needs.wish_id}#full", {
        "kind": NOTICE,
        "action": "volunteers_full",
        "wish_id": needs.wish_id,
        "donor_id": f"unit:{unit_id}",
        "day": needs.day,
        "wish": {"title": needs.wish_title, "region_code": needs.region_code},
    }


# ---------------------------------------------------------------- counting (the stream consumer)
def count_event(event: dict[str, Any], repo: WishRepository) -> bool:
    """Count one recognition event once; an activity also credits its wishes already fulfilled. True when
    the event moved the counters now."""
    subject = str(event["PK"]).removeprefix(keys.RECOGNITION_EVENT_PREFIX)
    year = int(str(event["day"])[:4])
    moves: list[RowMove] = []
    if event.get("kind") == ACTIVITY:
        moves = _moves(
            event["region_code"], year, unit_row(event["unit_id"]), {"activities": 1}, event.get("unit_name")
        )
    elif event.get("kind") == HOURS:
        minutes = int(event.get("minutes") or 0)
        moves = _moves(event["region_code"], year, person_row(event["volunteer_id"]), {"minutes": minutes},
                       event.get("name") or None)  # fmt: skip
        if event.get("unit_id"):
            moves += _moves(event["region_code"], year, unit_row(event["unit_id"]), {"minutes": minutes})
    counted = repo.recognition_counts.count_once((subject, str(event["SK"])), str(event["at"]), moves)
    if event.get("kind") == ACTIVITY:  # each credit is once on its own: done again after a redelivery
        for wish_id in dict.fromkeys(event.get("wish_ids") or []):
            fulfilled = repo.recognition_counts.fulfilled_event(wish_id)
            if fulfilled is not None:
                credit(event["unit_id"], fulfilled, repo)
    return counted


def credit(unit_id: str, fulfilled: dict[str, Any], repo: WishRepository) -> bool:
    """Credit a fulfilled wish (its `fulfilled` audit event) to a unit whose activity it is in, once; not when
    the unit was one of its donors (the leaderboard counts it). True when credited now."""
    donors = {unit_id_of(donor) for donor in fulfilled.get("donor_ids") or []}
    if unit_id in donors or unit_id_of(fulfilled.get("donor_id")) == unit_id:
        return False
    wish = fulfilled.get("wish") or {}
    if not wish.get("region_code"):
        return False
    numbers = {"act_wishes": 1, "act_value_fen": int(fulfilled.get("amount_fen") or 0)}
    moves = _moves(wish["region_code"], year_at(fulfilled["at"]), unit_row(unit_id), numbers)
    marker = (keys.wish_id_of(fulfilled), f"{keys.CREDIT_MARKER_PREFIX}{unit_id}")
    return repo.recognition_counts.count_once(marker, str(fulfilled["at"]), moves)


def count_fulfilled(event: dict[str, Any], repo: WishRepository) -> int:
    """A wish fulfilled: credit it to the units whose activities it is in. How many were credited now."""
    links = repo.recognition_counts.links_of(keys.wish_id_of(event))
    return sum(credit(str(link["unit_id"]), event, repo) for link in links)


def count_item(item: dict[str, Any], repo: WishRepository) -> bool:
    """One stored item as the stream delivers it: a recognition event, or a `fulfilled` audit event."""
    if item.get("type") == EVENT_TYPE:
        return item.get("kind") != NOTICE and count_event(item, repo)
    if item.get("type") == "audit" and item.get("action") == "fulfilled":
        return count_fulfilled(item, repo) > 0
    return False


def stream_batch(records: list[dict[str, Any]], repo: WishRepository) -> None:
    """The recognition part of a stream batch (the report counters are services/stats.py's)."""
    for record in records:
        raw = record.raw_event if hasattr(record, "raw_event") else record
        image = (raw.get("dynamodb") or {}).get("NewImage")
        if raw.get("eventName") == "INSERT" and image:
            count_item(from_dynamo(image), repo)


# ---------------------------------------------------------------- reading
def figures(repo: WishRepository, scope: str, year: int) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(units by unit id, people by sub): the year's rows of a region prefix (one Query)."""
    units: dict[str, dict[str, Any]] = {}
    people: dict[str, dict[str, Any]] = {}
    for row in repo.recognition_counts.rows(scope, year):
        kind, _, key = str(row["SK"]).partition("#")
        (units if kind == "unit" else people)[key] = row
    return units, people
