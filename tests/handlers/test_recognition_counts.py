"""Recognition counters (issue 12 §4) kept by the stream consumer: activities held, volunteer hours (people's and
the holding unit's), and wishes fulfilled in a unit's activity credited to it once — equal to a recount of the
items however the events arrive (either order, redelivered); members told of their unit's activity."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from microwish.repository import WishRepository
from microwish.repository.codec import from_dynamo
from microwish.services import recognition_counts
from tests.handlers.test_unit_notices import _inbox
from tests.handlers.test_unit_registry import MEMBER, OUTSIDER, UNIT_ADMIN, create, with_member
from tests.support.harness import person
from tests.support.notifications import Pipeline
from tests.support.people import DONOR, OFFICER, all_items, fulfil, open_wish, work_wish
from tests.support.stats_feed import audit_items, feed, records_of, stream_items

VOLUNTEER = person("resident", "volunteer-rc", name="志愿者小王")
VALUE = 150000  # open_wish's value


@pytest.fixture
def pipeline(stack, tmp_path, monkeypatch):
    monkeypatch.setenv("MICROWISH_OUTBOX_FILE", str(tmp_path / "outbox.jsonl"))
    return Pipeline(stack, tmp_path / "outbox.jsonl")


def recount(table: str, scope: str, year: int) -> dict[str, dict[str, int]]:
    """The rows straight from the items: activities, checked-in signups, and (unit, wish) pairs of activities
    whose wish is fulfilled and not claimed by that unit."""
    items = [from_dynamo(item) for item in all_items(table)]
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    fulfilled = {
        item["wish_id"]: item for item in items if item.get("type") == "audit" and item["action"] == "fulfilled"
    }
    credited: set[tuple[str, str]] = set()
    for item in items:
        if item.get("type") == "activity" and item["day"][:4] == str(year) and item["region_code"].startswith(scope):
            rows[f"unit#{item['unit_id']}"]["activities"] += 1
        if item.get("type") == "activity":
            for wish_id in item["wish_ids"]:
                event = fulfilled.get(wish_id)
                if event is None or f"unit:{item['unit_id']}" in event["donor_ids"]:
                    continue
                if (item["unit_id"], wish_id) in credited or not event["wish"]["region_code"].startswith(scope):
                    continue
                credited.add((item["unit_id"], wish_id))
                rows[f"unit#{item['unit_id']}"]["act_wishes"] += 1
                rows[f"unit#{item['unit_id']}"]["act_value_fen"] += int(event["amount_fen"])
        if item.get("type") == "signup" and item["status"] == "checked_in" and item["day"][:4] == str(year):
            rows[f"person#{item['volunteer_id']}"]["minutes"] += int(item["minutes"])
            holders = [
                claim["donor_id"]
                for claim in items
                if claim.get("type") == "claim" and claim["PK"] == item["PK"] and claim["donor_id"].startswith("unit:")
            ]
            for holder in holders:
                rows[f"unit#{holder.removeprefix('unit:')}"]["minutes"] += int(item["minutes"])
    return {row: {k: v for k, v in numbers.items() if v} for row, numbers in rows.items()}


def counted(table: str, scope: str, year: int) -> dict[str, dict[str, int]]:
    units, people = recognition_counts.figures(WishRepository(table), scope, year)
    found: dict[str, dict[str, int]] = {}
    for prefix, rows in (("unit", units), ("person", people)):
        for key, row in rows.items():
            numbers = {k: int(row[k]) for k in ("activities", "minutes", "act_wishes", "act_value_fen") if row.get(k)}
            if numbers:
                found[f"{prefix}#{key}"] = numbers
    return found


def test_counters_equal_a_recount_whichever_comes_first_and_however_often(api, table):
    unit = create(api)
    with_member(api, unit)
    claimed_by_unit, claimed_by_donor, later = open_wish(api), open_wish(api), open_wish(api)
    fulfil(api, claimed_by_unit, MEMBER, {"unit_id": unit["id"]})
    fulfil(api, claimed_by_donor, DONOR)
    feed(api, records_of(audit_items(table)))  # fulfilled seen before the activity exists: its event credits them
    activity = {"title": "重阳节走访", "day": "2026-10-29", "participants": 12,
                "wish_ids": [claimed_by_unit["id"], claimed_by_donor["id"], later["id"]]}  # fmt: skip
    assert api.post(f"/units/{unit['id']}/activities", activity, as_=UNIT_ADMIN).status == 201
    fulfil(api, later, DONOR)  # fulfilled after: the fulfilment's event finds the activity's link
    yard = work_wish(api, places=2)
    assert api.post(f"/wishes/{yard['id']}/claims", {"unit_id": unit["id"]}, as_=MEMBER).status == 201
    assert api.post(f"/wishes/{yard['id']}/volunteers", {}, as_=VOLUNTEER).status == 201
    check_in = f"/wishes/{yard['id']}/volunteers/{VOLUNTEER['sub']}/check-in"
    assert api.post(check_in, {"hours": 2.5}, as_=OFFICER).status == 200
    assert api.post(check_in, {"hours": 3}, as_=UNIT_ADMIN).json["hours"] == 3  # again: moves by the difference
    assert api.post(check_in, {"hours": 3}, as_=OFFICER).status == 200  # the same hours: no event
    assert api.post(check_in, {}, as_=VOLUNTEER).status == 403  # never themselves

    for _ in range(2):  # everything, then everything again (a redelivery): counted once
        feed(api, records_of(stream_items(table)))
        for scope in ("4312", "431222", "431222250"):
            assert counted(table, scope, 2026) == recount(table, scope, 2026)
    rows = counted(table, "431222", 2026)
    assert rows[f"unit#{unit['id']}"] == {"activities": 1, "minutes": 180, "act_wishes": 2, "act_value_fen": 2 * VALUE}
    assert rows[f"person#{VOLUNTEER['sub']}"] == {"minutes": 180}

    view = api.get("/recognition", as_=OFFICER, query={"year": 2026, "region": "431222"}).json
    [row] = [u for u in view["units"] if u["unit_id"] == unit["id"]]
    # its own claim (the leaderboard) and the two fulfilled in its activity: each wish once
    assert (row["wishes"], row["value_fen"], row["activities"], row["volunteer_hours"]) == (3, 3 * VALUE, 1, 3)
    people = {p["ref"]: p for p in view["people"]}
    assert people[VOLUNTEER["sub"]]["volunteer_hours"] == 3 and people[VOLUNTEER["sub"]]["name"] == "志愿者小王"
    assert counted(table, "431222", 2025) == {}


def test_an_activity_and_a_fulfilled_wish_each_count_for_the_unit_once_through_the_consumer(api, table):
    unit = create(api)
    wish = open_wish(api)
    fulfil(api, wish, DONOR)
    activity = {"title": "六一爱心妈妈活动", "day": "2026-06-01", "wish_ids": [wish["id"]]}
    assert api.post(f"/units/{unit['id']}/activities", activity, as_=UNIT_ADMIN).status == 201
    records = records_of(stream_items(table))
    feed(api, list(reversed(records)))  # the activity first: it credits the wish fulfilled before
    feed(api, records)
    assert counted(table, "4312", 2026) == {
        f"unit#{unit['id']}": {"activities": 1, "act_wishes": 1, "act_value_fen": VALUE}
    }


def test_a_member_hears_of_the_units_activity_once_and_outsiders_do_not(api, pipeline, table):
    unit = create(api)
    with_member(api, unit)
    pipeline.run()
    activity = {"title": "三八节走访", "day": "2026-03-08"}
    assert api.post(f"/units/{unit['id']}/activities", activity, as_=UNIT_ADMIN).status == 201
    pipeline.run()
    pipeline.run()  # nothing more
    for member in (MEMBER, UNIT_ADMIN):
        [notice] = [n for n in _inbox(api, member) if n["event"] == "activity_held"]
        assert (
            notice["title"] == "单位圆梦活动已安排"
            and "三八节走访" in notice["body"]
            and "2026-03-08" in notice["body"]
        )
    assert _inbox(api, OUTSIDER) == []


def test_a_member_hears_when_a_wish_the_unit_held_comes_true(api, pipeline, table):
    unit = create(api)
    with_member(api, unit)
    wish = open_wish(api)
    fulfil(api, wish, UNIT_ADMIN, {"unit_id": unit["id"]})
    pipeline.run()
    [notice] = [n for n in _inbox(api, MEMBER) if n["event"] == "fulfilled"]
    assert notice["title"] == "单位承接的心愿已圆梦" and notice["wish_id"] == wish["id"]


@pytest.mark.parametrize("kind", ["other"])
def test_an_event_of_no_known_kind_moves_nothing(api, table, kind: Any):
    repo = WishRepository(table)
    event = {"PK": "RECEVENT#x", "SK": "EVENT#2026-01-01T00:00:00Z#1", "type": "recognition_event", "kind": kind,
             "at": "2026-01-01T00:00:00Z", "day": "2026-01-01"}  # fmt: skip
    assert recognition_counts.count_item(event, repo) is True  # counted (its marker), moving nothing
    assert recognition_counts.count_item(event, repo) is False
    assert recognition_counts.count_item({"type": "audit", "action": "claimed"}, repo) is False
    no_region = {"PK": "WISH#w", "at": "2026-01-01T00:00:00Z", "donor_ids": [], "wish": {}}
    assert recognition_counts.credit("u", no_region, repo) is False
    assert recognition_counts.scopes_of("4312") == ["43", "4312"]


def test_members_hear_once_when_the_units_work_wish_fills_up(api, pipeline, table):
    unit = create(api)
    with_member(api, unit)
    yard = work_wish(api, places=2)
    assert api.post(f"/wishes/{yard['id']}/claims", {"unit_id": unit["id"]}, as_=UNIT_ADMIN).status == 201
    second = person("resident", "volunteer-rc-2", name="志愿者小张")
    assert api.post(f"/wishes/{yard['id']}/volunteers", {}, as_=VOLUNTEER).status == 201
    pipeline.run()
    assert [n for n in _inbox(api, MEMBER) if n["event"] == "volunteers_full"] == []  # one place left
    assert api.post(f"/wishes/{yard['id']}/volunteers", {}, as_=second).status == 201
    assert api.request("DELETE", f"/wishes/{yard['id']}/volunteers", as_=second).status == 204
    assert api.post(f"/wishes/{yard['id']}/volunteers", {}, as_=second).status == 201  # full again: not told again
    pipeline.run()
    for member in (MEMBER, UNIT_ADMIN):
        [notice] = [n for n in _inbox(api, member) if n["event"] == "volunteers_full"]
        assert notice["title"] == "志愿服务已报满" and "马底驿乡" in notice["body"] and "2026-12-12" in notice["body"]
    assert _inbox(api, OUTSIDER) == []
    notices = [i for i in stream_items(table) if i.get("kind", {}).get("S") == "notice"]
    assert len(notices) == 1
    feed(api, records_of(notices))  # the stats consumer counts nothing for it
    assert recognition_counts.count_item(from_dynamo(notices[0]), WishRepository(table)) is False


def test_a_work_wish_no_unit_holds_tells_no_unit(api, table):
    yard = work_wish(api, places=1)
    assert api.post(f"/wishes/{yard['id']}/volunteers", {}, as_=VOLUNTEER).status == 201
    assert [i for i in stream_items(table) if i.get("kind", {}).get("S") == "notice"] == []
