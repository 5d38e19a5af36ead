"""The recognition events of activities and check-ins recorded before the counters existed
(infra/ops/backfill_recognition.py): after it, the stats consumer's counters equal a recount, and stay equal
through a second run and a later check-in."""

from __future__ import annotations

import boto3

from microwish.notifications.router import audit_item
from microwish.repository import WishRepository, from_dynamo, keys
from microwish.services import recognition_counts
from tests.handlers.test_recognition_counts import VOLUNTEER, counted, recount
from tests.handlers.test_unit_registry import MEMBER, UNIT_ADMIN, create, with_member
from tests.support.harness import person
from tests.support.people import DONOR, OFFICER, all_items, fulfil, open_wish, work_wish
from tests.support.stats_feed import feed, records_of, stream_items

SCOPES = ("4312", "431222", "431222250")
SECOND = person("resident", "volunteer-rc-3", name="志愿者小李")


def _forget_events(table: str) -> None:
    """What a table written before the counters holds: no recognition event (and nothing counted)."""
    client = boto3.client("dynamodb")
    for item in all_items(table):
        if item["PK"]["S"].startswith(keys.RECOGNITION_EVENT_PREFIX):
            client.delete_item(TableName=table, Key={"PK": item["PK"], "SK": item["SK"]})


def _equal_to_a_recount(api, table: str) -> None:
    feed(api, records_of(stream_items(table)))
    for scope in SCOPES:
        assert counted(table, scope, 2026) == recount(table, scope, 2026)


def test_the_backfill_writes_the_old_events_once_and_the_counters_equal_a_recount(api, table):
    from infra.ops.backfill_recognition import backfill

    unit = create(api)
    with_member(api, unit)
    wish, yard = open_wish(api), work_wish(api, places=2)
    fulfil(api, wish, DONOR)
    activity = {"title": "重阳节走访", "day": "2026-10-29", "wish_ids": [wish["id"]]}
    assert api.post(f"/units/{unit['id']}/activities", activity, as_=UNIT_ADMIN).status == 201
    assert api.post(f"/wishes/{yard['id']}/claims", {"unit_id": unit["id"]}, as_=MEMBER).status == 201
    for volunteer in (VOLUNTEER, SECOND):
        assert api.post(f"/wishes/{yard['id']}/volunteers", {}, as_=volunteer).status == 201
    check_in = f"/wishes/{yard['id']}/volunteers/{VOLUNTEER['sub']}/check-in"
    assert api.post(check_in, {"hours": 2.5}, as_=OFFICER).status == 200
    _forget_events(table)  # all of it recorded before the counters

    # after the deploy: a live activity, the second volunteer checked in, the first again with other hours
    live = {"title": "六一爱心妈妈活动", "day": "2026-06-01"}
    assert api.post(f"/units/{unit['id']}/activities", live, as_=UNIT_ADMIN).status == 201
    second = f"/wishes/{yard['id']}/volunteers/{SECOND['sub']}/check-in"
    assert api.post(second, {"hours": 1}, as_=OFFICER).status == 200
    assert api.post(check_in, {"hours": 3}, as_=OFFICER).status == 200  # a live event of +30 minutes
    feed(api, records_of(stream_items(table)))
    assert counted(table, "431222", 2026) != recount(table, "431222", 2026)  # the old ones are missing

    client = boto3.client("dynamodb")
    assert backfill(client, table) == {"activities": 1, "check_ins": 1, "had_event": 2, "skipped": 0}
    _equal_to_a_recount(api, table)
    rows = counted(table, "431222", 2026)
    assert rows[f"unit#{unit['id']}"] == {"activities": 2, "minutes": 240, "act_wishes": 1, "act_value_fen": 150000}
    assert rows[f"person#{VOLUNTEER['sub']}"] == {"minutes": 180}
    backfilled = [i for i in stream_items(table) if i["SK"]["S"].endswith(f"#{keys.BACKFILLED_EVENT}")]
    assert sorted(int(i["minutes"]["N"]) for i in backfilled if "minutes" in i) == [150]  # 180 less the live 30

    before = stream_items(table)
    assert backfill(client, table) == {"activities": 0, "check_ins": 0, "had_event": 4, "skipped": 0}
    assert stream_items(table) == before  # nothing written the second time
    _equal_to_a_recount(api, table)

    assert api.post(check_in, {"hours": 4}, as_=OFFICER).status == 200  # later: moves by the difference only
    _equal_to_a_recount(api, table)
    assert counted(table, "431222", 2026)[f"person#{VOLUNTEER['sub']}"] == {"minutes": 240}

    # a backfilled activity tells no one (it was held long ago); the consumer counts it once
    [old_activity] = [i for i in backfilled if i["kind"]["S"] == recognition_counts.ACTIVITY]
    assert audit_item({"eventName": "INSERT", "dynamodb": {"NewImage": old_activity}}) is None
    assert recognition_counts.count_item(from_dynamo(old_activity), WishRepository(table)) is False


def test_a_check_in_while_the_backfill_reads_is_not_counted_twice(api, table, monkeypatch):
    from infra.ops import backfill_recognition

    unit = create(api)
    yard = work_wish(api, places=1)
    assert api.post(f"/wishes/{yard['id']}/claims", {"unit_id": unit["id"]}, as_=UNIT_ADMIN).status == 201
    assert api.post(f"/wishes/{yard['id']}/volunteers", {}, as_=VOLUNTEER).status == 201
    check_in = f"/wishes/{yard['id']}/volunteers/{VOLUNTEER['sub']}/check-in"
    assert api.post(check_in, {"hours": 2.5}, as_=OFFICER).status == 200
    _forget_events(table)

    read = backfill_recognition._events
    moved: list[bool] = []

    def checked_in_meanwhile(client, table_name, subject):
        if not moved:  # after the backfill read the signup (150 minutes), before it reads its events
            moved.append(api.post(check_in, {"hours": 3}, as_=OFFICER).status == 200)
        return read(client, table_name, subject)

    monkeypatch.setattr(backfill_recognition, "_events", checked_in_meanwhile)
    done = backfill_recognition.backfill(boto3.client("dynamodb"), table)
    assert moved == [True] and done == {"activities": 0, "check_ins": 1, "had_event": 0, "skipped": 0}
    _equal_to_a_recount(api, table)
    assert counted(table, "431222", 2026)[f"person#{VOLUNTEER['sub']}"] == {"minutes": 180}
