"""Write the recognition events (issue 12 §4) of the activities and check-ins recorded before the recognition
counters existed (README "Recognition counters, activity credits, …"); run once after deploying the version that
added them.

    python -m infra.ops.backfill_recognition --table <wish table> [--region cn-northwest-1]
    python -m infra.ops.backfill_recognition --local http://127.0.0.1:3000

A by-hand operation, never on a request path: it Scans the wish table once for the activities and the
checked-in signups, and writes for each the event the live change writes (built by the same
`recognition_counts.activity_event` / `hours_event`, stored by the same `event_item`); the stats consumer then
counts it from the stream like a live one (once: its marker).

How "it has its event" is told: a Query of the subject's own event partition (PK=RECEVENT#<subject>, read
strongly consistent), since a live event's key ends in a random <n> no one can predict —
- an activity: any event there. An activity's event is written with the activity, so once the counters exist
  no live event can come later;
- a checked-in signup: the minutes its events add up to. A check-in writes the difference it makes to the
  minutes, so the events of a signup checked in before the counters (and maybe again after, with other hours)
  add up to less than its minutes: the backfilled event carries the rest (`minutes - sum`), and the events
  then add up to the signup's current minutes — what a recount gives. It is written in one transaction with
  a check that the signup's minutes are still those read (the signup is read before its events): a
  check-in meanwhile fails it, and it reads both again. Every later check-in writes its own difference from
  those minutes, so nothing is counted twice.
The backfilled event's key ends in `#backfill` (keys.BACKFILLED_EVENT), written only if absent: two runs at
once write it once. Running it twice writes nothing the second time. A backfilled event tells no one (the
notification router skips it): what it stands for happened long before.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]

from infra.ops import backfill_cli  # noqa: E402
from microwish.models import Claim  # noqa: E402
from microwish.models.activities import Activity  # noqa: E402
from microwish.models.volunteers import Signup  # noqa: E402
from microwish.repository import ConditionFailed, WishRepository, from_dynamo, keys, to_dynamo  # noqa: E402
from microwish.repository.recognition_counts import event_item  # noqa: E402
from microwish.services import recognition_counts  # noqa: E402
from microwish.services.volunteers import holding_unit  # noqa: E402

ATTEMPTS = 4  # a signup checked in again meanwhile is read again; more than this: left for the next run


def _recorded(client: Any, table: str) -> list[dict[str, Any]]:
    """Every activity and checked-in signup (one Scan)."""
    pages = client.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="#type = :activity OR (#type = :signup AND #status = :in)",
        ExpressionAttributeNames={"#type": "type", "#status": "status"},
        ExpressionAttributeValues=to_dynamo({":activity": "activity", ":signup": "signup", ":in": "checked_in"}),
    )
    return [from_dynamo(raw) for page in pages for raw in page.get("Items", [])]


def _events(client: Any, table: str, subject: str) -> list[dict[str, Any]]:
    """The subject's recognition events, read strongly consistent."""
    pages = client.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :event)",
        ExpressionAttributeValues=to_dynamo(
            {":pk": f"{keys.RECOGNITION_EVENT_PREFIX}{subject}", ":event": keys.RECOGNITION_EVENT_SK_PREFIX}
        ),
        ConsistentRead=True,
    )
    return [from_dynamo(raw) for page in pages for raw in page.get("Items", [])]


def _put_event(repo: WishRepository, subject: str, at: str, fields: dict[str, Any], signup: Signup | None) -> bool:
    """The backfilled event, only if absent (and, for a signup, while its minutes are those read); False when
    written before. ConditionFailed when the signup's minutes moved."""
    transaction = repo.transaction()
    if signup is not None:
        transaction.check_signup_minutes(signup.wish_id, signup.volunteer_id, signup.minutes)
    guard = transaction.put_new("recognition event", event_item(subject, at, fields, keys.BACKFILLED_EVENT))
    return repo.commit_unless(transaction, guard)


def _activity(repo: WishRepository, item: dict[str, Any]) -> str:
    activity = Activity.model_validate(item)
    if _events(repo.client, repo.table_name, activity.id):
        return "had_event"
    subject, fields = recognition_counts.activity_event(activity)
    return "activities" if _put_event(repo, subject, activity.created_at, fields, None) else "had_event"


def _signup(repo: WishRepository, item: dict[str, Any]) -> str:
    signup = Signup.model_validate(item)
    needs = repo.volunteers.needs(signup.wish_id)
    if needs is None:
        return "skipped"  # no work wish to count it in (not what a check-in leaves)
    unit_id = holding_unit([Claim.model_validate(claim) for claim in repo.claims_of(signup.wish_id)])
    for attempt in range(ATTEMPTS):
        if attempt:  # checked in again meanwhile: the signup first, then its events
            signup = repo.volunteers.get_signup(signup.wish_id, signup.volunteer_id) or signup
        subject = f"{signup.wish_id}#{signup.volunteer_id}"
        counted = sum(
            int(event.get("minutes") or 0)
            for event in _events(repo.client, repo.table_name, subject)
            if event.get("kind") == recognition_counts.HOURS
        )
        rest = (signup.minutes or 0) - counted
        if not rest:
            return "had_event"
        _, fields = recognition_counts.hours_event(
            signup.wish_id, signup.volunteer_id, signup.name, unit_id, needs.region_code, signup.day, rest
        )
        try:
            written = _put_event(repo, subject, signup.checked_in_at or signup.signed_up_at, fields, signup)
        except ConditionFailed:
            continue
        return "check_ins" if written else "skipped"  # written: its minutes were backfilled before
    return "skipped"


def backfill(client: Any, table: str) -> dict[str, int]:
    repo = WishRepository(table, client)
    done = {"activities": 0, "check_ins": 0, "had_event": 0, "skipped": 0}
    for item in _recorded(client, table):
        done[_activity(repo, item) if item["type"] == "activity" else _signup(repo, item)] += 1
    return done


def main(argv: list[str] | None = None) -> int:
    return backfill_cli.run(__doc__.split("\n")[0], backfill, argv)


if __name__ == "__main__":
    raise SystemExit(main())
