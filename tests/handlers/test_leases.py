"""The claim lease: reminders before the deadline, release after it — and never a delivered claim."""

from __future__ import annotations

import pytest

from infra.local.events import scheduled_event
from microwish.lifecycle import Status
from microwish.models import Wish, event_for
from microwish.repository import ConditionFailed, WishRepository
from tests.support.harness import environment
from tests.support.people import CITY_OFFICER, DONOR, OFFICER, open_wish


def sweep(api):
    return api.invoke("LeaseSweepFunction", scheduled_event())


def actions(api, wish):
    return [e["action"] for e in api.get(f"/wishes/{wish['id']}/events", as_=OFFICER).json["items"]]


def test_a_claim_is_reminded_then_released_at_its_level(api, shift):
    wish = open_wish(api)
    made = api.post(f"/wishes/{wish['id']}/claims", {}, as_=DONOR).json
    assert sweep(api)["reminded"] == 0  # nothing due yet
    shift(12.5)  # 14-day lease, reminded 2 days before
    assert sweep(api)["reminded"] == 1
    assert sweep(api)["reminded"] == 0  # a second run (or a redelivery) reminds nobody twice
    shift(14.1)
    report = sweep(api)
    assert report["lapsed"] == 1
    view = api.get(f"/wishes/{wish['id']}", as_=CITY_OFFICER).json
    assert view["status"] == "open" and view["level"] == "village" and view["due_at"] > made["created_at"]
    assert [c["status"] for c in view["claims"]] == ["lapsed"]
    assert actions(api, wish)[-2:] == ["reminder", "lapsed"]
    assert sweep(api)["lapsed"] == 0
    assert api.get("/donors/donor-1", as_=OFFICER).json["lapsed"] == 1


def test_a_delivered_claim_is_never_released(api, shift):
    wish = open_wish(api)
    api.post(f"/wishes/{wish['id']}/claims", {}, as_=DONOR)
    api.post(f"/wishes/{wish['id']}/delivery", {"note": "已送达"}, as_=DONOR)
    shift(30)
    assert sweep(api)["lapsed"] == 0
    assert api.get(f"/wishes/{wish['id']}").json["status"] == "delivered"


def test_an_assignment_not_accepted_in_time_returns_to_the_list(api, shift):
    wish = open_wish(api)
    api.post(f"/wishes/{wish['id']}/assignment", {"donor_id": "unit-1"}, as_=OFFICER)
    shift(3.1)
    assert sweep(api)["lapsed"] == 1
    assert api.get(f"/wishes/{wish['id']}").json["status"] == "open"


def test_delivery_and_lapse_at_the_same_moment_resolve_to_one(api, stack, shift):
    """Both read the claimed wish; the delivery writes first; the lapse's condition stops it."""
    wish = open_wish(api)
    api.post(f"/wishes/{wish['id']}/claims", {}, as_=DONOR)
    with environment(stack.functions["LeaseSweepFunction"].env):
        repo = WishRepository(stack.outputs["WishTableName"])
        stale = repo.get_wish(wish["id"])  # what the sweep read
    api.post(f"/wishes/{wish['id']}/delivery", {"note": "已送达"}, as_=DONOR)
    with environment(stack.functions["LeaseSweepFunction"].env):
        reopened = stale.model_copy(update={"status": Status.OPEN, "version": stale.version + 1})
        with pytest.raises(ConditionFailed) as lost:
            repo.replace_wish(stale, reopened, event_for_system(stale, reopened))
    assert lost.value.item["status"] == "delivered"
    assert api.get(f"/wishes/{wish['id']}").json["status"] == "delivered"


def event_for_system(before: Wish, after: Wish):
    from microwish.auth import Caller
    from microwish.lifecycle import Action

    return event_for(Caller(sub="system:lease"), Action.LAPSED, before, after)


def test_delivering_after_the_claim_lapsed_is_a_409_with_the_state(api, shift):
    """Issue 16 §4: the donor's claim lapsed; the delivery is refused as a conflict, not a permission."""
    wish = open_wish(api)
    api.post(f"/wishes/{wish['id']}/claims", {}, as_=DONOR)
    shift(14.1)
    assert sweep(api)["lapsed"] == 1
    late = api.post(f"/wishes/{wish['id']}/delivery", {"note": "已送达"}, as_=DONOR)
    assert late.status == 409, late.text
    assert late.json["state"] == "open" and late.json["claim_status"] == "lapsed"
