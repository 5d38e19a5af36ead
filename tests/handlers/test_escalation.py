"""Escalation: the scheduled sweep and POST /wishes/{id}/escalation, through the real handlers.

Time moves by the clock file every function reads (microwish.clock). Defaults of the template:
review 7 days, village 7, township 7, county 14, city 14; the top level is the city.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from datetime import timedelta

import boto3
import pytest

from microwish import clock
from microwish.auth import Caller
from microwish.errors import Conflict
from microwish.lifecycle import Action, Status
from microwish.models import AuditEvent
from microwish.repository import ConditionFailed, WishRepository
from microwish.services import escalation
from microwish.settings import Settings
from tests.support.people import (
    ADMIN,
    CITY_OFFICER,
    DONOR,
    FOREIGN_OFFICER,
    OFFICER,
    RESIDENT,
    TOWNSHIP_OFFICER,
    all_items,
    open_wish,
    submit,
)

SWEEP = "EscalationSweepFunction"
REASON = "交上级妇联组织协调落实"
_TICKS = itertools.count(time.time_ns(), 1_000_000)


@pytest.fixture
def travel(monkeypatch, tmp_path):
    """advance(days=..., hours=...) shifts the platform clock forward."""
    path = tmp_path / "clock.json"
    monkeypatch.setenv("MICROWISH_CLOCK_FILE", str(path))
    state = {"offset": 0.0}

    def advance(**delta: float) -> None:
        state["offset"] += timedelta(**delta).total_seconds()
        path.write_text(json.dumps({"offset_seconds": state["offset"]}))
        tick = next(_TICKS)  # a distinct mtime for each write, across tests: the clock caches by mtime
        os.utime(path, ns=(tick, tick))

    return advance


@pytest.fixture
def settings(stack):
    return Settings.from_env(stack.functions[SWEEP].env)


@pytest.fixture
def repo(table):
    return WishRepository(table, boto3.client("dynamodb"))


def run_sweep(api):
    return api.invoke(SWEEP, {"trigger": "schedule"})


def stored(repo, wish_id):
    return repo.get_wish(wish_id)


def trail(repo, wish_id):
    events, _ = repo.audit_trail(wish_id, 100, None)
    return events


def moves(repo, wish_id):
    return [
        (e["action"], e.get("from_level"), e.get("to_level"))
        for e in trail(repo, wish_id)
        if e["action"] in ("escalated", "at_risk")
    ]


def claim(repo, wish, donor="donor-1"):
    """What the claim code does to a sole wish: a version-guarded write of the wish and its event."""
    now = clock.now_iso()
    after = wish.model_copy(
        update={"status": Status.CLAIMED, "due_at": None, "updated_at": now, "version": wish.version + 1}
    )
    repo.replace_wish(
        wish,
        after,
        AuditEvent(
            at=now,
            actor=donor,
            actor_role="donor",
            action=Action.CLAIMED,
            from_status=wish.status,
            to_status=Status.CLAIMED,
            from_level=wish.level,
            to_level=wish.level,
            donor_id=donor,
        ),
    )


class Serialized:
    """A client whose calls run one at a time."""

    _lock = threading.Lock()

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        method = getattr(self._client, name)

        def call(*args, **kwargs):
            with self._lock:
                return method(*args, **kwargs)

        return call


# ---------------------------------------------------------------- the schedule
def test_a_wish_left_alone_climbs_every_level_and_is_flagged_at_the_top(api, repo, travel):
    wish = open_wish(api)
    steps = [(7, "township"), (7, "county"), (14, "city")]
    for days, level in steps:
        travel(days=days, minutes=1)
        summary = run_sweep(api)
        assert summary["moved"] == 1 and summary["flagged"] == 0, summary
        assert run_sweep(api)["moved"] == 0  # again without time passing: nothing moves
        view = api.get(f"/wishes/{wish['id']}", as_=CITY_OFFICER).json
        assert view["level"] == level and view["status"] == "open" and not view["at_risk"]
        handler = {"township": "431222250", "county": "431222", "city": "4312"}[level]
        assert view["handling_region_code"] == handler
        assert view["region_code"] == "431222250201"  # the village never changes
        assert view["due_at"] > clock.now_iso()
    travel(days=14, minutes=1)
    summary = run_sweep(api)
    assert summary["flagged"] == 1 and summary["moved"] == 0, summary
    view = api.get(f"/wishes/{wish['id']}", as_=CITY_OFFICER).json
    assert view["at_risk"] and view["level"] == "city" and view["status"] == "open" and view["due_at"] is None
    # It stays on the public list, and is never flagged again.
    assert wish["id"] in [item["id"] for item in api.get("/wishes", query={"region": "4312"}).json["items"]]
    travel(days=60)
    assert run_sweep(api)["flagged"] == 0
    assert moves(repo, wish["id"]) == [
        ("escalated", "village", "township"),
        ("escalated", "township", "county"),
        ("escalated", "county", "city"),
        ("at_risk", "city", "city"),
    ]
    for event in trail(repo, wish["id"])[2:]:
        assert event["actor"] == "system" and event["note"] and event["wish"]["level"] == event["to_level"]


def test_one_level_per_run_however_late(api, repo, travel):
    wish = open_wish(api)
    travel(days=100)
    assert run_sweep(api)["moved"] == 1
    assert stored(repo, wish["id"]).level == "township"
    assert moves(repo, wish["id"]) == [("escalated", "village", "township")]


def test_a_wish_not_yet_due_is_not_touched(api, repo, travel):
    early = open_wish(api)
    travel(days=3)
    late = open_wish(api, title="晚到的心愿")
    travel(days=4, minutes=1)  # early is 7 days old, late 4
    summary = run_sweep(api)
    assert summary["moved"] == 1 and summary["due"] == 1, summary
    assert stored(repo, early["id"]).level == "township"
    untouched = stored(repo, late["id"])
    assert untouched.level == "village" and untouched.version == 2 and moves(repo, late["id"]) == []


def test_a_submitted_wish_escalates_into_the_upper_review_queue(api, repo, travel):
    wish = submit(api)
    travel(days=7, minutes=1)
    assert run_sweep(api)["moved"] == 1
    queue = api.get(
        "/wishes", query={"status": "submitted", "region": "431222250", "level": "township"}, as_=TOWNSHIP_OFFICER
    )
    assert [item["id"] for item in queue.json["items"]] == [wish["id"]]
    item = queue.json["items"][0]
    assert item["level"] == "township" and item["status"] == "submitted" and item["due_at"] > clock.now_iso()
    # A review window later it is in the county's queue, still submitted, and the county reviews it.
    travel(days=7, minutes=1)
    assert run_sweep(api)["moved"] == 1
    county_queue = api.get("/wishes", query={"status": "submitted", "level": "county"}, as_=OFFICER)
    assert [item["id"] for item in county_queue.json["items"]] == [wish["id"]]
    reviewed = api.post(f"/wishes/{wish['id']}/review", {"decision": "approve"}, as_=OFFICER)
    assert reviewed.status == 200 and reviewed.json["level"] == "county"
    listed = api.get("/wishes", query={"level": "county", "region": "431222"}).json["items"]
    assert [item["id"] for item in listed] == [wish["id"]]


def test_the_lower_levels_still_see_an_escalated_wish(api, travel):
    wish = open_wish(api)
    travel(days=7, minutes=1)
    run_sweep(api)
    travel(days=7, minutes=1)
    run_sweep(api)
    assert api.get("/wishes", query={"region": "431222250"}).json["items"][0]["id"] == wish["id"]
    assert api.get("/wishes", query={"region": "431222250", "level": "village"}).json["items"] == []
    view = api.get(f"/wishes/{wish['id']}", as_=TOWNSHIP_OFFICER).json
    assert view["level"] == "county" and view["beneficiary"]["name"] == "谢桂云"


def test_assigned_and_claimed_wishes_do_not_escalate(api, repo, travel):
    claimed = open_wish(api)
    claim(repo, stored(repo, claimed["id"]))
    assigned = open_wish(api, title="派单的心愿")
    wish = stored(repo, assigned["id"])
    # An assigned wish carries no escalation due key (its unit's accept deadline runs instead).
    repo.replace_wish(
        wish,
        wish.model_copy(update={"status": Status.ASSIGNED, "version": wish.version + 1}),
        AuditEvent(
            at=clock.now_iso(),
            actor="officer",
            actor_role="officer",
            action=Action.ASSIGNED,
            from_status=Status.OPEN,
            to_status=Status.ASSIGNED,
        ),
    )
    travel(days=30)
    summary = run_sweep(api)
    assert summary["moved"] == 0 and summary["due"] == 0, summary
    assert stored(repo, claimed["id"]).level == stored(repo, assigned["id"]).level == "village"


def test_the_sweep_pages_through_the_due_index(api, repo, settings, travel):
    ids = [open_wish(api, title=f"心愿{n}")["id"] for n in range(5)]
    travel(days=8)
    sweep = escalation.Sweep(repo, settings, page_size=2)
    summary = sweep.run()
    assert summary.moved == 5 and summary.pages == 3 and summary.due == 5
    assert {stored(repo, wish_id).level for wish_id in ids} == {"township"}


# ---------------------------------------------------------------- races
def test_two_sweeps_interleaved_move_each_wish_once(api, repo, settings, travel):
    ids = [open_wish(api, title=f"心愿{n}")["id"] for n in range(3)]
    travel(days=8)
    first, second = escalation.Sweep(repo, settings), escalation.Sweep(repo, settings)
    page_a, page_b = next(first.pages()), next(second.pages())  # both read...
    assert len(page_a) == len(page_b) == 3
    assert [first.apply(wish) for wish in page_a] == ["moved"] * 3  # ...both write
    assert [second.apply(wish) for wish in page_b] == ["skipped"] * 3
    assert second.summary.skipped == 3 and second.summary.moved == 0
    for wish_id in ids:
        assert moves(repo, wish_id) == [("escalated", "village", "township")]


def test_two_sweeps_in_threads_move_each_wish_once(api, repo, settings, travel):
    ids = [open_wish(api, title=f"心愿{n}")["id"] for n in range(6)]
    travel(days=8)
    barrier = threading.Barrier(2)
    results: list[escalation.SweepSummary] = []
    # moto's in-process backend is not thread-safe (a transaction deep-copies the table while the
    # other thread writes): one call at a time; the threads still interleave call by call.
    locked = WishRepository(repo.table_name, Serialized(repo.client))

    def run() -> None:
        sweep = escalation.Sweep(locked, settings)
        pages = list(sweep.pages())
        barrier.wait()  # both have read before either writes
        for page in pages:
            for wish in page:
                sweep.apply(wish)
        results.append(sweep.summary)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(r.moved for r in results) == 6 and sum(r.skipped for r in results) == 6
    for wish_id in ids:
        assert moves(repo, wish_id) == [("escalated", "village", "township")]


def test_a_redelivered_invocation_moves_nothing(api, repo, travel):
    wish = open_wish(api)
    travel(days=8)
    assert run_sweep(api)["moved"] == 1
    again = run_sweep(api)  # the scheduler delivers at least once
    assert again["moved"] == again["skipped"] == again["due"] == 0
    assert len(moves(repo, wish["id"])) == 1


def test_a_claim_between_read_and_write_wins(api, repo, settings, travel):
    wish = open_wish(api)
    travel(days=8)
    sweep = escalation.Sweep(repo, settings)
    [read] = next(sweep.pages())
    claim(repo, stored(repo, wish["id"]))  # the donor claims while the sweep is between read and write
    assert sweep.apply(read) == "skipped"
    after = stored(repo, wish["id"])
    assert after.status is Status.CLAIMED and after.level == "village"
    assert moves(repo, wish["id"]) == []


def test_an_escalation_before_the_claim_makes_the_claim_lose_cleanly(api, repo, settings, travel):
    wish = open_wish(api)
    travel(days=8)
    read_by_donor = stored(repo, wish["id"])
    assert escalation.Sweep(repo, settings).run().moved == 1
    with pytest.raises(ConditionFailed) as lost:
        claim(repo, read_by_donor)  # the claim code answers this with a 409 and retries from a fresh read
    assert lost.value.item["level"] == "township"
    claim(repo, stored(repo, wish["id"]))  # read again, it claims the escalated wish
    after = stored(repo, wish["id"])
    assert after.status is Status.CLAIMED and after.level == "township"


def test_a_manual_escalation_between_the_sweeps_read_and_write_moves_once(api, repo, settings, travel):
    wish = open_wish(api)
    travel(days=8)
    sweep = escalation.Sweep(repo, settings)
    [read] = next(sweep.pages())
    by_hand = api.post(f"/wishes/{wish['id']}/escalation", {"reason": REASON}, as_=OFFICER)
    assert by_hand.status == 200 and by_hand.json["level"] == "township"
    assert sweep.apply(read) == "skipped"
    assert moves(repo, wish["id"]) == [("escalated", "village", "township")]


def test_a_sweep_between_a_manual_escalations_read_and_write_moves_once(api, repo, settings, travel, table):
    wish = open_wish(api)
    travel(days=8)

    class SweepsAfterRead(WishRepository):
        def get_wish_bundle(self, wish_id):
            read = super().get_wish_bundle(wish_id)
            escalation.Sweep(WishRepository(table, self.client), settings).run()  # the schedule fires now
            return read

    officer = Caller(sub="officer-yuanling", role="officer", region="431222")
    with pytest.raises(Conflict) as conflict:
        escalation.escalate_by_hand(officer, wish["id"], REASON, SweepsAfterRead(table, repo.client), settings)
    assert conflict.value.status == 409 and conflict.value.extensions["state"] == "open"
    assert moves(repo, wish["id"]) == [("escalated", "village", "township")]


# ---------------------------------------------------------------- by hand
def test_an_officer_escalates_by_hand(api, repo, travel):
    wish = open_wish(api)
    reply = api.post(f"/wishes/{wish['id']}/escalation", {"reason": REASON}, as_=OFFICER)
    assert reply.status == 200, reply.text
    view = reply.json
    assert view["view"] == "private" and view["level"] == "township"
    assert view["handling_region_code"] == "431222250"
    assert view["beneficiary"]["name"] == "谢桂云" and view["status"] == "open"
    assert view["due_at"] > clock.iso(clock.now() + timedelta(days=6))  # the township's window, from now
    [event] = [e for e in trail(repo, wish["id"]) if e["action"] == "escalated"]
    assert (event["from_level"], event["to_level"], event["note"], event["actor"]) == (
        "village",
        "township",
        REASON,
        "officer-yuanling",
    )
    assert event["actor_role"] == "officer"
    # The township's queue has it now; the schedule counts the new level's window from the move.
    travel(days=6)
    assert run_sweep(api)["moved"] == 0
    travel(days=1, minutes=1)
    assert run_sweep(api)["moved"] == 1 and stored(repo, wish["id"]).level == "county"


def test_escalation_by_hand_stops_at_the_top(api, repo):
    wish = open_wish(api)
    for expected in ("township", "county", "city"):
        reply = api.post(f"/wishes/{wish['id']}/escalation", {"reason": REASON}, as_=ADMIN)
        assert reply.status == 200 and reply.json["level"] == expected
    top = api.post(f"/wishes/{wish['id']}/escalation", {"reason": REASON}, as_=ADMIN)
    assert top.status == 409 and "top" in top.json["detail"] and top.json["level"] == "city"
    assert top.headers["Content-Type"] == "application/problem+json"
    assert stored(repo, wish["id"]).level == "city"


def test_escalation_by_hand_honours_the_idempotency_key(api, repo):
    wish = open_wish(api)
    path, headers = f"/wishes/{wish['id']}/escalation", {"idempotency-key": "esc-1"}
    first = api.post(path, {"reason": REASON}, as_=OFFICER, headers=headers)
    again = api.post(path, {"reason": REASON}, as_=OFFICER, headers=headers)
    assert first.status == again.status == 200 and first.json == again.json
    assert moves(repo, wish["id"]) == [("escalated", "village", "township")]
    other = api.post(path, {"reason": "另一个理由"}, as_=OFFICER, headers=headers)
    assert other.status == 422
    assert stored(repo, wish["id"]).level == "township"


def test_only_submitted_or_open_wishes_are_escalated_by_hand(api, repo):
    wish = open_wish(api)
    claim(repo, stored(repo, wish["id"]))
    reply = api.post(f"/wishes/{wish['id']}/escalation", {"reason": REASON}, as_=OFFICER)
    assert reply.status == 409 and reply.json["state"] == "claimed"
    submitted = submit(api)
    reply = api.post(f"/wishes/{submitted['id']}/escalation", {"reason": REASON}, as_=OFFICER)
    assert reply.status == 200 and reply.json["status"] == "submitted" and reply.json["level"] == "township"


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        (OFFICER, {}, 422, "reason"),
        (OFFICER, {"reason": ""}, 422, "reason"),
        (OFFICER, {"reason": "   "}, 422, "reason"),
        (OFFICER, {"reason": "长" * 501}, 422, "reason"),
        (OFFICER, {"reason": REASON, "level": "city"}, 422, "level"),
        (FOREIGN_OFFICER, {"reason": REASON}, 404, None),
        (DONOR, {"reason": REASON}, 403, None),
        (RESIDENT, {"reason": REASON}, 403, None),
    ],
)
def test_bad_escalations_are_refused_and_write_nothing(api, table, who, body, status, field):
    wish = open_wish(api)
    before = all_items(table)
    reply = api.post(f"/wishes/{wish['id']}/escalation", body, as_=who)
    assert reply.status == status, reply.text
    assert reply.headers["Content-Type"] == "application/problem+json"
    if field:
        assert field in [error["field"] for error in reply.json["errors"]]
    assert len(all_items(table)) == len(before)
    assert api.get(f"/wishes/{wish['id']}").json["level"] == "village"


def test_unknown_wishes_and_anonymous_callers(api):
    for wish_id in ("0" * 32, "not-an-id"):
        assert api.post(f"/wishes/{wish_id}/escalation", {"reason": REASON}, as_=OFFICER).status == 404
    wish = open_wish(api)
    assert api.post(f"/wishes/{wish['id']}/escalation", {"reason": REASON}).status == 401
