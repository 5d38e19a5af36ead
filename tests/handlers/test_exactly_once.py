"""Issue 16 §1: one effect per Idempotency-Key, even when the invocation dies between its commit and its answer.

The death is simulated where it hurts most: the change (and the key's record, in the same transaction)
has committed, and the process dies before answering. The retry must find the record and answer the
first change, not run the use case again. Twice over: with the answer on the record (issue 15: the use case
says it before committing, so the record commits with it), and with a record that has none (written before
answers rode in the transaction): then the route's replay rebuilds the answer from the table.
"""

from __future__ import annotations

import pytest

from microwish import once
from microwish.repository import TableStore, from_dynamo
from tests.support.people import CITY_OFFICER, DONOR, OFFICER, RESIDENT, all_items, open_wish, submit, wish_body

DONOR_2 = {**DONOR, "sub": "donor-2"}


class Killed(BaseException):
    """Not an Exception: nothing in the app handles it, like a SIGKILL nothing survives."""


@pytest.fixture(params=["answer on the record", "record without its answer"])
def dies_before_answer(request, monkeypatch):
    """The next commit that writes a key's record is the invocation's last act: it dies right after."""
    deaths = {"left": 1}
    commit = TableStore.commit

    def commit_then_die(self, transaction):
        keyed = once.current()
        carries_record = keyed is not None and not keyed.recorded
        if carries_record and request.param == "record without its answer":
            keyed.answer = None
        commit(self, transaction)
        if carries_record and deaths["left"]:
            deaths["left"] -= 1
            raise Killed

    monkeypatch.setattr(TableStore, "commit", commit_then_die)
    return deaths


def _post_dying(api, path, body, as_, key):
    with pytest.raises(Killed):
        api.post(path, body, as_=as_, headers={"Idempotency-Key": key})


def _items(table, kind, wish_id=None):
    items = [from_dynamo(item) for item in all_items(table)]
    return [item for item in items if item.get("type") == kind and wish_id in (None, item.get("wish_id"))]


def _claims_of(table, wish_id):
    return _items(table, "claim", wish_id)


def test_a_pledge_retried_after_dying_is_one_pledge_and_answers_it(api, table, dies_before_answer):
    wish = submit(api, target_fen=100_000)
    api.post(f"/wishes/{wish['id']}/review", {"decision": "approve", "mode": "pooled"}, as_=OFFICER)
    path = f"/wishes/{wish['id']}/claims"

    _post_dying(api, path, {"amount_fen": 10_000}, DONOR, "pledge-1")
    retry = api.post(path, {"amount_fen": 10_000}, as_=DONOR, headers={"Idempotency-Key": "pledge-1"})
    again = api.post(path, {"amount_fen": 10_000}, as_=DONOR, headers={"Idempotency-Key": "pledge-1"})

    assert retry.status == 201, retry.text
    assert again.status == 201 and again.json == retry.json
    pledges = _claims_of(table, wish["id"])
    assert len(pledges) == 1 and pledges[0]["id"] == retry.json["id"]
    assert api.get(f"/wishes/{wish['id']}", as_=DONOR).json["pledged_fen"] == 10_000


def test_the_holder_retrying_a_sole_claim_after_dying_is_answered_with_their_claim(api, table, dies_before_answer):
    wish = open_wish(api)
    path = f"/wishes/{wish['id']}/claims"

    _post_dying(api, path, {}, DONOR, "claim-1")
    retry = api.post(path, {}, as_=DONOR, headers={"Idempotency-Key": "claim-1"})

    assert retry.status == 201, retry.text  # not 409 "the wish is claimed": the claim is theirs
    assert retry.json["donor_id"] == DONOR["sub"]
    assert [claim["id"] for claim in _claims_of(table, wish["id"])] == [retry.json["id"]]
    other = api.post(path, {}, as_=DONOR_2, headers={"Idempotency-Key": "claim-1"})
    assert other.status == 409  # the same key from someone else is another request


def test_a_submission_retried_after_dying_is_one_wish(api, table, dies_before_answer):
    _post_dying(api, "/wishes", wish_body(), RESIDENT, "submit-1")
    retry = api.post("/wishes", wish_body(), as_=RESIDENT, headers={"Idempotency-Key": "submit-1"})

    assert retry.status == 201, retry.text
    assert retry.json["view"] == "private"  # the submitter sees their wish whole, read back from the table
    wishes = _items(table, "wish")
    assert [item["id"] for item in wishes] == [retry.json["id"]]


def test_a_review_retried_after_dying_answers_the_review_not_a_conflict(api, table, dies_before_answer):
    wish = submit(api)
    path = f"/wishes/{wish['id']}/review"

    _post_dying(api, path, {"decision": "approve"}, CITY_OFFICER, "review-1")
    retry = api.post(path, {"decision": "approve"}, as_=CITY_OFFICER, headers={"Idempotency-Key": "review-1"})

    assert retry.status == 200, retry.text
    assert retry.json["status"] == "open"
    events = _items(table, "audit", wish["id"])
    assert [event["action"] for event in events].count("approved") == 1


def test_another_body_under_a_key_whose_change_committed_is_refused(api, dies_before_answer):
    wish = open_wish(api)
    path = f"/wishes/{wish['id']}/claims"
    _post_dying(api, path, {}, DONOR, "claim-2")

    other = api.post("/claims", {"wish_ids": [wish["id"]]}, as_=DONOR, headers={"Idempotency-Key": "claim-2"})
    assert other.status != 500  # another route: another request

    reused = api.post(path, {"amount_fen": 1}, as_=DONOR, headers={"Idempotency-Key": "claim-2"})
    assert reused.status == 422 and reused.json["errors"][0]["field"] == "Idempotency-Key"


def test_a_batch_claim_retried_after_dying_answers_the_claims_it_made(api, table, dies_before_answer):
    wishes = [open_wish(api) for _ in range(2)]
    body = {"wish_ids": [wish["id"] for wish in wishes], "all_or_nothing": True}

    _post_dying(api, "/claims", body, DONOR, "batch-1")
    retry = api.post("/claims", body, as_=DONOR, headers={"Idempotency-Key": "batch-1"})

    assert retry.status == 200, retry.text
    assert retry.json["claimed"] == 2 and all(result["ok"] for result in retry.json["results"])
    made = [claim["id"] for wish in wishes for claim in _claims_of(table, wish["id"])]
    assert sorted(result["claim"]["id"] for result in retry.json["results"]) == sorted(made) and len(made) == 2
