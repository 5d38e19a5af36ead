"""The transaction builder: named guards say which condition failed, and any state change's transaction
takes one more guarded item (a keyed request's idempotency record, issue 16 §1)."""

from __future__ import annotations

import boto3
import pytest

from microwish import once
from microwish.auth import caller_from_claims
from microwish.errors import Conflict
from microwish.repository import ConditionFailed, WishRepository
from microwish.services import claims
from microwish.settings import Settings
from tests.support.harness import environment
from tests.support.people import DONOR, open_wish


@pytest.fixture
def domain(stack):
    env = stack.functions["ClaimsFunction"].env
    with environment(env):
        yield (
            WishRepository(stack.outputs["WishTableName"]),
            Settings.from_env({k: str(v) for k, v in env.items()}),
            env["IDEMPOTENCY_TABLE_NAME"],
        )


def test_a_lost_condition_names_its_guard_not_its_place(api, domain):
    repo, _, _ = domain
    wish = repo.get_wish(open_wish(api)["id"])
    holds_one = repo.transaction()
    holds_one.count_donor("donor-9", active=1)
    repo.commit(holds_one)
    transaction = repo.transaction()
    wish_guard = transaction.replace_wish(wish, wish.model_copy(update={"version": wish.version + 1}), None)
    donor_limit = transaction.count_donor("donor-9", limit=1, active=1)  # holds 1 of 1: this guard fails
    assert (wish_guard.name, donor_limit.name) == ("wish", "donor limit")
    with pytest.raises(ConditionFailed) as lost:
        repo.commit(transaction)
    assert lost.value.guard == donor_limit and donor_limit.failed(lost.value) and not wish_guard.failed(lost.value)
    assert repo.get_wish(wish.id).version == wish.version  # all or nothing


def test_the_donor_limit_is_told_apart_from_a_changed_wish(api, domain):
    repo, settings, _ = domain
    one_only = settings.model_copy(update={"max_active_claims": 1})
    first, second = open_wish(api, title="第一个"), open_wish(api, title="第二个")
    claims.claim_wish(caller_from_claims(DONOR), first["id"], None, repo, one_only)
    with pytest.raises(Conflict) as refused:
        claims.claim_wish(caller_from_claims(DONOR), second["id"], None, repo, one_only)
    assert refused.value.extensions["state"] == "limit_reached"
    assert repo.get_wish(second["id"]).status == "open"


def test_a_keyed_request_s_record_joins_its_state_change(api, domain):
    """Inside a keyed request, the first change it commits also writes the key's record (put_new, guard
    "idempotency"); a change under a key whose record exists does not happen (once.AlreadyDone)."""
    repo, settings, idempotency_table = domain
    keyed = once.KeyedRequest(
        record_id="record-1", payload_hash="h", expires_at=2_000_000_000, table_name=idempotency_table
    )
    first = open_wish(api, title="第一个")
    with once.keyed(keyed):
        claims.claim_wish(caller_from_claims(DONOR), first["id"], None, repo, settings)
    stored = boto3.client("dynamodb").get_item(TableName=idempotency_table, Key={"id": {"S": "record-1"}})
    assert stored["Item"]["status"] == {"S": "COMMITTED"}  # written in the claim's own transaction
    assert keyed.recorded

    second = repo.get_wish(open_wish(api, title="第二个")["id"])
    transaction = repo.transaction()
    transaction.replace_wish(second, second.model_copy(update={"version": second.version + 1}), None)
    again = once.KeyedRequest(
        record_id="record-1", payload_hash="h", expires_at=2_000_000_000, table_name=idempotency_table
    )
    with once.keyed(again), pytest.raises(once.AlreadyDone):
        repo.commit(transaction)  # the record is there: the change does not happen
    assert repo.get_wish(second.id).version == second.version
