"""Claiming through the real handlers: 1+1, N+1, 1+N, dispatch, delivery, confirmation, cancellation."""

from __future__ import annotations

import json

import pytest
import requests

from tests.support.harness import person
from tests.support.people import (
    CITY_OFFICER,
    DONOR,
    DONOR_2,
    FOREIGN_OFFICER,
    OFFICER,
    OTHER_RESIDENT,
    PRIVATE,
    RESIDENT,
    all_items,
    open_wish,
    submit,
)


def claim(api, wish, donor=DONOR, **body):
    return api.post(f"/wishes/{wish['id']}/claims", body, as_=donor)


def status_of(api, wish):
    return api.get(f"/wishes/{wish['id']}", as_=CITY_OFFICER).json["status"]


def trail(api, wish):
    reply = api.get(f"/wishes/{wish['id']}/events", as_=OFFICER)
    assert reply.status == 200, reply.text
    return [event["action"] for event in reply.json["items"]]


def pooled(api, target=100_000):
    wish = submit(api, target_fen=target)
    reply = api.post(f"/wishes/{wish['id']}/review", {"decision": "approve", "mode": "pooled"}, as_=OFFICER)
    assert reply.status == 200, reply.text
    return reply.json


# ---------------------------------------------------------------- 1+1
def test_the_first_sole_claim_wins_and_the_second_is_told_the_state(api):
    wish = open_wish(api)
    first = claim(api, wish)
    assert first.status == 201 and first.json["donor_id"] == "donor-1" and first.json["status"] == "active"
    second = claim(api, wish, DONOR_2)
    assert second.status == 409 and second.json["state"] == "claimed"
    assert status_of(api, wish) == "claimed"
    assert trail(api, wish) == ["submitted", "approved", "claimed"]
    assert api.get("/wishes", query={"region": "431222"}).json["items"] == []  # off the open list


def test_a_donor_sees_no_personal_data_and_their_claims(api):
    wish = open_wish(api)
    made = claim(api, wish).json
    mine = api.get("/me/claims", as_=DONOR)
    assert [item["id"] for item in mine.json["items"]] == [made["id"]]
    view = api.get(f"/wishes/{wish['id']}", as_=DONOR)
    for reply in (mine, view):
        assert not any(secret in reply.text for secret in PRIVATE)


def test_only_donors_claim(api):
    wish = open_wish(api)
    for who in (RESIDENT, OFFICER):
        assert claim(api, wish, who).status == 403
    assert api.post(f"/wishes/{wish['id']}/claims", {}).status == 401
    assert claim(api, {"id": "f" * 32}).status == 404
    assert claim(api, submit(api)).status == 404  # not reviewed: not claimable, not even visible


def test_withdrawing_a_claim_reopens_the_wish_and_only_its_donor_may(api):
    wish = open_wish(api)
    made = claim(api, wish).json
    assert api.delete(f"/claims/{made['id']}", as_=DONOR_2).status == 404
    assert api.delete(f"/claims/{made['id']}", as_=DONOR).status == 204
    assert status_of(api, wish) == "open"
    assert api.delete(f"/claims/{made['id']}", as_=DONOR).status == 409
    assert claim(api, wish, DONOR_2).status == 201
    record = api.get("/donors/donor-1", as_=OFFICER).json
    assert (record["claimed"], record["withdrawn"], record["active"]) == (1, 1, 0)


# ---------------------------------------------------------------- N+1
def test_pledges_fill_a_pooled_wish_exactly_to_its_target(api):
    wish = pooled(api, target=100_000)
    assert claim(api, wish, amount_fen=60_000).status == 201
    over = claim(api, wish, DONOR_2, amount_fen=50_000)
    assert over.status == 409 and over.json["remaining_fen"] == 40_000
    assert claim(api, wish, DONOR_2).status == 422  # a pooled wish needs an amount
    assert claim(api, wish, DONOR_2, amount_fen=40_000).status == 201
    view = api.get(f"/wishes/{wish['id']}").json
    assert view["status"] == "claimed" and view["pledged_fen"] == 100_000
    assert claim(api, wish, DONOR_2, amount_fen=1).json["remaining_fen"] == 0
    # one event per change: the pledge that reaches the target is the claim (issue 16 §4)
    assert trail(api, wish)[-3:] == ["approved", "pledged", "claimed"]


def test_a_pledge_can_be_withdrawn_while_the_wish_is_open(api):
    wish = pooled(api)
    pledge = claim(api, wish, amount_fen=30_000).json
    assert api.delete(f"/claims/{pledge['id']}", as_=DONOR).status == 204
    assert api.get(f"/wishes/{wish['id']}").json["pledged_fen"] == 0
    last = claim(api, wish, DONOR_2, amount_fen=100_000).json
    assert api.delete(f"/claims/{last['id']}", as_=DONOR_2).status == 409  # claimed: no longer open


# ---------------------------------------------------------------- 1+N
def test_all_or_nothing_claims_every_wish_or_none(api, table):
    wishes = [open_wish(api, title=f"心愿{n}") for n in range(3)]
    claim(api, wishes[1], DONOR_2)
    before = len(all_items(table))
    refused = api.post("/claims", {"wish_ids": [w["id"] for w in wishes], "all_or_nothing": True}, as_=DONOR)
    assert refused.status == 409
    assert refused.headers["Content-Type"] == "application/problem+json"  # like every other refusal
    assert refused.json["status"] == 409 and refused.json["claimed"] == 0
    assert [(r["wish_id"], r["state"]) for r in refused.json["results"]] == [(wishes[1]["id"], "claimed")]
    assert len(all_items(table)) == before
    free = [wishes[0]["id"], wishes[2]["id"]]
    taken = api.post("/claims", {"wish_ids": free, "all_or_nothing": True}, as_=DONOR)
    assert taken.status == 200 and taken.json["claimed"] == 2
    assert all(status_of(api, {"id": wish_id}) == "claimed" for wish_id in free)


def test_best_effort_batches_answer_per_wish(api):
    wishes = [open_wish(api, title=f"心愿{n}") for n in range(2)]
    claim(api, wishes[0], DONOR_2)
    reply = api.post(
        "/claims", {"wish_ids": [wishes[0]["id"], wishes[1]["id"], "f" * 32], "all_or_nothing": False}, as_=DONOR
    )
    assert reply.status == 200 and reply.json["claimed"] == 1
    assert [r["status"] for r in reply.json["results"]] == [409, 201, 404]


def test_batch_limits(api):
    assert api.post("/claims", {"wish_ids": [f"{n:032x}" for n in range(26)]}, as_=DONOR).status == 422
    assert api.post("/claims", {"wish_ids": []}, as_=DONOR).status == 422
    assert api.post("/claims", {"wish_ids": ["a", "a"]}, as_=DONOR).status == 422


def test_a_donor_holds_at_most_the_configured_number_of_claims(api, stack):
    limit = int(stack.functions["ClaimsFunction"].env["MAX_ACTIVE_CLAIMS"])
    wishes = [open_wish(api, title=f"心愿{n}") for n in range(limit + 1)]
    batch = api.post("/claims", {"wish_ids": [w["id"] for w in wishes[:limit]]}, as_=DONOR)
    assert batch.status == 200 and batch.json["claimed"] == limit
    over = claim(api, wishes[limit])
    assert over.status == 409 and over.json["state"] == "limit_reached"
    assert status_of(api, wishes[limit]) == "open"


# ---------------------------------------------------------------- dispatch, delivery, confirmation
def test_dispatch_accept_deliver_confirm(api, table):
    wish = open_wish(api)
    unit = person("donor", "unit-gzjy", name="怀化市公共资源交易中心")
    assigned = api.post(f"/wishes/{wish['id']}/assignment", {"donor_id": "unit-gzjy", "note": "请认领"}, as_=OFFICER)
    assert assigned.status == 200 and assigned.json["status"] == "assigned"
    assert api.post(f"/wishes/{wish['id']}/assignment/accept", as_=DONOR).status == 404
    accepted = api.post(f"/wishes/{wish['id']}/assignment/accept", as_=unit)
    assert accepted.status == 200 and accepted.json["status"] == "claimed"
    ticket = api.post("/uploads", {"wish_id": wish["id"], "content_type": "image/jpeg", "size_bytes": 11}, as_=unit)
    assert ticket.status == 201 and ticket.json["key"].startswith(f"deliveries/{wish['id']}/")
    assert requests.put(ticket.json["upload_url"], data=b"jpeg-bytes!", headers=ticket.json["headers"]).ok
    delivered = api.post(
        f"/wishes/{wish['id']}/delivery", {"note": "电视机已送到", "photo_keys": [ticket.json["key"]]}, as_=unit
    )
    assert delivered.status == 200 and delivered.json["status"] == "delivered"
    confirmed = api.post(
        f"/wishes/{wish['id']}/confirmation",
        {"accepted": True, "feedback": "谢谢你们，我能看看外面的世界了"},
        as_=OFFICER,
    )
    assert confirmed.status == 200 and confirmed.json["status"] == "fulfilled"
    public = api.get(f"/wishes/{wish['id']}").json
    assert public["value_fen"] == 150_000 and public["feedback"].startswith("谢谢")
    assert trail(api, wish) == ["submitted", "approved", "assigned", "accepted", "delivered", "fulfilled"]
    record = api.get("/donors/unit-gzjy", as_=OFFICER).json
    assert (record["claimed"], record["delivered"], record["fulfilled"], record["active"]) == (1, 1, 1, 0)
    again = api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True}, as_=OFFICER)
    assert again.status == 409 and again.json["state"] == "fulfilled"  # counted once, never twice


def test_a_declined_assignment_returns_to_the_list_with_its_reason(api):
    wish = open_wish(api)
    api.post(f"/wishes/{wish['id']}/assignment", {"donor_id": "donor-1"}, as_=OFFICER)
    declined = api.post(f"/wishes/{wish['id']}/assignment/decline", {"reason": "本月物资已用完"}, as_=DONOR)
    assert declined.status == 200 and declined.json["status"] == "open"
    events = api.get(f"/wishes/{wish['id']}/events", as_=OFFICER).json["items"]
    assert events[-1]["action"] == "declined" and events[-1]["note"] == "本月物资已用完"


def test_a_delivery_not_accepted_goes_back_to_the_donor(api):
    wish = open_wish(api)
    claim(api, wish)
    api.post(f"/wishes/{wish['id']}/delivery", {"note": "已送达"}, as_=DONOR)
    missing = api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": False}, as_=OFFICER)
    assert missing.status == 422 and missing.json["errors"][0]["field"] == "note"
    back = api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": False, "note": "型号不对"}, as_=OFFICER)
    assert back.json["status"] == "claimed"


def test_only_the_claiming_donor_or_an_officer_reports_delivery(api):
    wish = open_wish(api)
    claim(api, wish)
    assert api.post(f"/wishes/{wish['id']}/delivery", {"note": "x"}, as_=DONOR_2).status == 404
    assert api.post(f"/wishes/{wish['id']}/delivery", {"note": "x"}, as_=FOREIGN_OFFICER).status == 404
    bad_photo = api.post(f"/wishes/{wish['id']}/delivery", {"note": "x", "photo_keys": ["../secret.jpg"]}, as_=DONOR)
    assert bad_photo.status == 422 and bad_photo.json["errors"][0]["field"].startswith("photo_keys")
    assert api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True}, as_=OFFICER).status == 409


def test_a_pooled_wish_is_delivered_by_an_officer(api):
    wish = pooled(api, target=1_000)
    claim(api, wish, amount_fen=1_000)
    assert api.post(f"/wishes/{wish['id']}/delivery", {"note": "x"}, as_=DONOR).status == 403
    assert api.post(f"/wishes/{wish['id']}/delivery", {"note": "善款已购物资送达"}, as_=OFFICER).status == 200
    done = api.post(f"/wishes/{wish['id']}/confirmation", {"accepted": True}, as_=OFFICER).json
    assert done["value_fen"] == 1_000


# ---------------------------------------------------------------- cancellation
def test_cancelling_a_pooled_wish_marks_its_pledges_refund_due(api):
    wish = pooled(api)
    pledge = claim(api, wish, amount_fen=20_000).json
    assert api.post(f"/wishes/{wish['id']}/cancellation", {"reason": "x"}, as_=OTHER_RESIDENT).status == 404
    done = api.post(f"/wishes/{wish['id']}/cancellation", {"reason": "已由亲属解决"}, as_=RESIDENT)
    assert done.status == 200 and done.json["status"] == "cancelled"
    assert [c["status"] for c in done.json["claims"] if c["id"] == pledge["id"]] == ["refund_due"]
    assert api.get("/donors/donor-1", as_=OFFICER).json["active"] == 0


def test_no_cancellation_after_delivery(api):
    wish = open_wish(api)
    claim(api, wish)
    api.post(f"/wishes/{wish['id']}/delivery", {"note": "已送达"}, as_=DONOR)
    reply = api.post(f"/wishes/{wish['id']}/cancellation", {"reason": "x"}, as_=OFFICER)
    assert reply.status == 409 and reply.json["state"] == "delivered"


# ---------------------------------------------------------------- reading
def test_residents_see_their_own_wishes_only(api):
    mine = submit(api)
    submit(api, as_=OTHER_RESIDENT)
    reply = api.get("/me/wishes", as_=RESIDENT)
    assert [w["id"] for w in reply.json["items"]] == [mine["id"]]
    assert reply.json["items"][0]["beneficiary"]["name"] == "谢桂云"


@pytest.mark.parametrize("who", [DONOR, RESIDENT, FOREIGN_OFFICER])
def test_the_audit_trail_is_for_officers_of_the_region(api, who):
    wish = open_wish(api)
    assert api.get(f"/wishes/{wish['id']}/events", as_=who).status in (403, 404)


def test_uploads_limit_type_and_size(api):
    wish = open_wish(api)
    claim(api, wish)
    upload = {"wish_id": wish["id"]}
    assert (
        api.post("/uploads", {**upload, "content_type": "application/pdf", "size_bytes": 10}, as_=DONOR).status == 422
    )
    assert (
        api.post("/uploads", {**upload, "content_type": "image/png", "size_bytes": 50_000_000}, as_=DONOR).status == 422
    )
    assert api.post("/uploads", {**upload, "content_type": "image/png", "size_bytes": 10}, as_=RESIDENT).status == 403
    url = api.post("/uploads", {**upload, "content_type": "image/png", "size_bytes": 10}, as_=DONOR).json["upload_url"]
    assert "X-Amz-Signature" in url and "content-length" in url.lower()


def test_no_personal_data_in_any_claim_or_event_item(api, table):
    wish = open_wish(api)
    claim(api, wish)
    stored = [item for item in all_items(table) if item["SK"]["S"] != "PRIVATE"]
    text = json.dumps(stored, ensure_ascii=False)
    assert not any(secret in text for secret in PRIVATE)


def test_accepting_after_declining_says_the_state_not_404(api):
    """Issue 16 §4: the offer was real; it is no longer open — a 409 with the state, not 'no such'."""
    wish = open_wish(api)
    api.post(f"/wishes/{wish['id']}/assignment", {"donor_id": "donor-1"}, as_=OFFICER)
    api.post(f"/wishes/{wish['id']}/assignment/decline", {"reason": "本月物资已用完"}, as_=DONOR)
    late = api.post(f"/wishes/{wish['id']}/assignment/accept", {}, as_=DONOR)
    assert late.status == 409, late.text
    assert late.json["state"] == "open" and late.json["claim_status"] == "declined"
    assert api.post(f"/wishes/{wish['id']}/assignment/accept", {}, as_=DONOR_2).status == 404  # never offered
