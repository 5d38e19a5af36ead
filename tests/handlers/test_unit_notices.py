"""Dispatch notices (issue 12 §1): a wish dispatched to a registry unit (`unit:<id>`) reaches each of the unit's
members in their own inbox, once however often the event and its jobs are delivered, with the wish's public part
only — through the real stream → router → queue → notifier handlers."""

from __future__ import annotations

from typing import Any

import pytest

from microwish.repository.units import UnitStore
from tests.handlers.test_unit_registry import MEMBER, OUTSIDER, UNIT_ADMIN, create, with_member
from tests.support.notifications import Pipeline
from tests.support.people import DONOR, OFFICER, PRIVATE, all_items, open_wish


@pytest.fixture
def pipeline(stack, tmp_path, monkeypatch):
    monkeypatch.setenv("MICROWISH_OUTBOX_FILE", str(tmp_path / "outbox.jsonl"))
    return Pipeline(stack, tmp_path / "outbox.jsonl")


def _inbox(api, who) -> list[dict[str, Any]]:
    reply = api.get("/me/notifications", as_=who)
    assert reply.status == 200, reply.text
    return reply.json["items"]


def _inbox_owners(table) -> list[str]:
    return sorted(item["owner"]["S"] for item in all_items(table) if item.get("type", {}).get("S") == "inbox")


def test_a_dispatch_to_a_unit_reaches_each_member_once_with_the_public_part_only(api, pipeline, table, monkeypatch):
    unit = create(api)
    with_member(api, unit)
    wish = open_wish(api)
    pipeline.run()  # the submission's and the review's notices are not under test
    before = _inbox_owners(table)
    reads: list[str] = []
    member_subs = UnitStore.member_subs

    def counted(store, unit_id):
        reads.append(unit_id)
        return member_subs(store, unit_id)

    monkeypatch.setattr(UnitStore, "member_subs", counted)
    reply = api.post(f"/wishes/{wish['id']}/assignment", {"unit_id": unit["id"], "note": "请协会接单"}, as_=OFFICER)
    assert reply.status == 200, reply.text
    messages = pipeline.run()

    for member in (MEMBER, UNIT_ADMIN):
        [notice] = _inbox(api, member)
        assert notice["event"] == "assigned" and notice["wish_id"] == wish["id"], notice
        assert notice["title"] == "单位收到派单" and "一台电视机" in notice["body"]
        assert "马底驿乡" in notice["body"]  # the township, as the public sees it
        for private in (*PRIVATE, "王家村", "431222250201", "请协会接单"):
            assert private not in notice["title"] + notice["body"]
    assert _inbox(api, OUTSIDER) == [] and _inbox(api, DONOR) == []
    added = sorted(set(_inbox_owners(table)) - set(before))
    assert added == sorted([f"user#{MEMBER['sub']}", f"user#{UNIT_ADMIN['sub']}"])  # no `user#unit:<id>` inbox
    assert reads == [unit["id"]]  # one read of the members (a Query of the unit's partition) per job

    # The stream hands the event again and SQS delivers its jobs again: nobody hears it twice.
    assert pipeline.route(pipeline.read_stream(from_start=True)) == {"batchItemFailures": []}
    pipeline.notify([dict(message, MessageId=message["MessageId"] + "-again") for message in messages], delete=False)
    pipeline.drain()
    assert [len(_inbox(api, member)) for member in (MEMBER, UNIT_ADMIN)] == [1, 1]
    assert len(_inbox_owners(table)) == len(before) + 2
    # A member read it; a redelivery does not mark it unread.
    notice_id = _inbox(api, MEMBER)[0]["id"]
    assert api.post(f"/me/notifications/{notice_id}/read", as_=MEMBER).status == 200
    pipeline.notify([dict(message, MessageId=message["MessageId"] + "-third") for message in messages], delete=False)
    pipeline.drain()
    assert _inbox(api, MEMBER)[0]["read"] is True


def test_a_dispatch_to_a_person_or_a_unit_without_members_tells_no_unit(api, pipeline, table):
    empty = create(api, name="沅陵县义工协会", kind="charity_association", admins=[])
    wish, other = open_wish(api), open_wish(api)
    pipeline.run()
    before = _inbox_owners(table)
    assert api.post(f"/wishes/{wish['id']}/assignment", {"unit_id": empty["id"]}, as_=OFFICER).status == 200
    assert api.post(f"/wishes/{other['id']}/assignment", {"donor_id": DONOR["sub"]}, as_=OFFICER).status == 200
    pipeline.run()
    assert sorted(set(_inbox_owners(table)) - set(before)) == [f"user#{DONOR['sub']}"]
    [notice] = _inbox(api, DONOR)
    assert notice["title"] == "收到派单" and notice["wish_id"] == other["id"]
