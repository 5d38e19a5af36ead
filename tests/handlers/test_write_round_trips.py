"""Issue 15 goals 3 and 4: one write round trip per state change, with or without an Idempotency-Key, and
no read after the commit (the answer is built from what the change writes).

Calls are counted through the benchmark's hook (infra/bench/claims.py `Meter`: botocore's
`BaseClient._make_api_call`, so every client of every session counts, the idempotency table's included).
Each answer is compared with the wish read afterwards: built from what was written, it must be the same.
"""

from __future__ import annotations

import uuid

import pytest

from infra.bench.claims import Meter
from microwish import once
from microwish.models import ClaimView
from tests.support.people import CITY_OFFICER, DONOR, DONOR_2, RESIDENT, open_wish, submit, wish_body

UNIT = {**DONOR, "sub": "unit-1"}


@pytest.fixture
def meter():
    with Meter().counting() as counting:
        yield counting


@pytest.fixture(params=[False, True], ids=["no key", "Idempotency-Key"])
def keyed(request):
    return request.param


def pooled_wish(api):
    wish = submit(api, target_fen=100_000)["id"]
    api.post(f"/wishes/{wish}/review", {"decision": "approve", "mode": "pooled"}, as_=CITY_OFFICER)
    return wish


def one_write(meter, keyed, send):
    """`send(headers)` is answered 2xx with exactly one DynamoDB write round trip and nothing read after it."""
    headers = {"Idempotency-Key": uuid.uuid4().hex} if keyed else {}
    meter.reset()
    reply = send(headers)
    assert reply.status < 300, reply.text
    assert meter.writes == 1, dict(meter.calls)
    return reply, headers


def same_as_read(api, reply, as_):
    """The answer, built from what the change wrote, is the wish as a read now finds it (same caller)."""
    assert reply.json == api.get(f"/wishes/{reply.json['id']}", as_=as_).json


def test_submit_review_escalate_in_one_write_each(api, meter, keyed):
    reply, _ = one_write(meter, keyed, lambda h: api.post("/wishes", wish_body(), as_=RESIDENT, headers=h))
    wish = reply.json["id"]
    reply, _ = one_write(
        meter, keyed, lambda h: api.post(f"/wishes/{wish}/review", {"decision": "approve"}, as_=CITY_OFFICER, headers=h)
    )
    same_as_read(api, reply, CITY_OFFICER)
    reply, _ = one_write(
        meter,
        keyed,
        lambda h: api.post(f"/wishes/{wish}/escalation", {"reason": "久未认领"}, as_=CITY_OFFICER, headers=h),
    )
    same_as_read(api, reply, CITY_OFFICER)


def test_claims_and_pledges_in_one_write_each(api, meter, keyed):
    sole = open_wish(api)["id"]
    reply, _ = one_write(meter, keyed, lambda h: api.post(f"/wishes/{sole}/claims", {}, as_=DONOR, headers=h))
    assert reply.status == 201
    pooled = pooled_wish(api)
    one_write(
        meter, keyed, lambda h: api.post(f"/wishes/{pooled}/claims", {"amount_fen": 40_000}, as_=DONOR_2, headers=h)
    )
    one_write(
        meter, keyed, lambda h: api.post(f"/wishes/{pooled}/claims", {"amount_fen": 60_000}, as_=DONOR, headers=h)
    )
    batch = [open_wish(api)["id"] for _ in range(3)]
    reply, _ = one_write(
        meter, keyed, lambda h: api.post("/claims", {"wish_ids": batch, "all_or_nothing": True}, as_=DONOR_2, headers=h)
    )
    assert reply.json["claimed"] == 3


def test_every_fulfilment_step_in_one_write_and_answers_what_a_read_finds(api, meter, keyed):
    wish = open_wish(api)["id"]
    reply, _ = one_write(
        meter,
        keyed,
        lambda h: api.post(f"/wishes/{wish}/assignment", {"donor_id": UNIT["sub"]}, as_=CITY_OFFICER, headers=h),
    )
    same_as_read(api, reply, CITY_OFFICER)  # the new offer among the claims, in order
    reply, _ = one_write(meter, keyed, lambda h: api.post(f"/wishes/{wish}/assignment/accept", as_=UNIT, headers=h))
    same_as_read(api, reply, UNIT)
    reply, _ = one_write(
        meter, keyed, lambda h: api.post(f"/wishes/{wish}/delivery", {"note": "已送达"}, as_=UNIT, headers=h)
    )
    same_as_read(api, reply, UNIT)
    reply, _ = one_write(
        meter,
        keyed,
        lambda h: api.post(
            f"/wishes/{wish}/confirmation", {"accepted": False, "note": "照片不清楚"}, as_=CITY_OFFICER, headers=h
        ),
    )
    same_as_read(api, reply, CITY_OFFICER)  # the claim back to active with a fresh deadline
    api.post(f"/wishes/{wish}/delivery", {"note": "已重新送达"}, as_=UNIT)
    reply, _ = one_write(
        meter,
        keyed,
        lambda h: api.post(f"/wishes/{wish}/confirmation", {"accepted": True}, as_=CITY_OFFICER, headers=h),
    )
    same_as_read(api, reply, CITY_OFFICER)

    declined = open_wish(api)["id"]
    api.post(f"/wishes/{declined}/assignment", {"donor_id": UNIT["sub"]}, as_=CITY_OFFICER)
    reply, _ = one_write(
        meter,
        keyed,
        lambda h: api.post(f"/wishes/{declined}/assignment/decline", {"reason": "人手不足"}, as_=UNIT, headers=h),
    )
    same_as_read(api, reply, UNIT)
    pooled = pooled_wish(api)
    api.post(f"/wishes/{pooled}/claims", {"amount_fen": 10_000}, as_=DONOR)
    reply, _ = one_write(
        meter,
        keyed,
        lambda h: api.post(f"/wishes/{pooled}/cancellation", {"reason": "已另行解决"}, as_=CITY_OFFICER, headers=h),
    )
    same_as_read(api, reply, CITY_OFFICER)  # the pledge refund_due
    assert [claim["status"] for claim in reply.json["claims"]] == ["refund_due"]


def test_a_keyed_replay_writes_no_second_effect_and_answers_the_same(api, meter):
    wish = open_wish(api)["id"]
    path, headers = f"/wishes/{wish}/assignment", {"Idempotency-Key": "dispatch-1"}
    first = api.post(path, {"donor_id": UNIT["sub"]}, as_=CITY_OFFICER, headers=headers)
    meter.reset()
    again = api.post(path, {"donor_id": UNIT["sub"]}, as_=CITY_OFFICER, headers=headers)
    assert again.status == first.status == 200 and again.json == first.json
    assert "dynamodb:TransactWriteItems" not in meter.calls  # refused before writing: the record answers
    assert meter.calls["dynamodb:PutItem"] == 1  # only the officer's read of the private view, logged


def test_an_erasure_in_one_write_and_again_under_its_key_in_none(api, meter, keyed):
    wish = submit(api)["id"]
    reply, headers = one_write(
        meter, keyed, lambda h: api.post(f"/wishes/{wish}/erasure", {"reason": "本人要求"}, as_=CITY_OFFICER, headers=h)
    )
    assert reply.json["personal_data_erased"] is True
    if keyed:  # nothing left to change: the record answers, with the officer's read logged
        meter.reset()
        again = api.post(f"/wishes/{wish}/erasure", {"reason": "本人要求"}, as_=CITY_OFFICER, headers=headers)
        assert again.json == reply.json
        assert meter.calls["dynamodb:PutItem"] == 2, dict(meter.calls)  # the key's put (found) and the read's


def test_a_best_effort_batch_keeps_its_answer_after_its_changes(api):
    wishes = [open_wish(api)["id"] for _ in range(2)]
    taken = open_wish(api)["id"]
    api.post(f"/wishes/{taken}/claims", {}, as_=DONOR_2)
    headers = {"Idempotency-Key": "batch-1"}
    first = api.post("/claims", {"wish_ids": [*wishes, taken], "all_or_nothing": False}, as_=DONOR, headers=headers)
    assert first.status == 200 and first.json["claimed"] == 2
    again = api.post("/claims", {"wish_ids": [*wishes, taken], "all_or_nothing": False}, as_=DONOR, headers=headers)
    assert again.json == first.json  # the third wish's refusal as it was, not rebuilt


def test_an_answer_said_otherwise_than_the_route_gives_is_replaced_by_the_routes(api, monkeypatch):
    said = once.answering

    def says_another(body):
        said(
            body.model_copy(update={"wish_title": "not what the route answers"})
            if isinstance(body, ClaimView)
            else body
        )

    monkeypatch.setattr(once, "answering", says_another)
    wish = open_wish(api)["id"]
    headers = {"Idempotency-Key": "claim-odd"}
    first = api.post(f"/wishes/{wish}/claims", {}, as_=DONOR, headers=headers)
    again = api.post(f"/wishes/{wish}/claims", {}, as_=DONOR, headers=headers)
    assert again.status == first.status == 201 and again.json == first.json
