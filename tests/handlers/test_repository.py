"""The transaction builder: named guards say which condition failed, and any state change's transaction
takes one more guarded item (the hook issue 16's idempotency record will use)."""

from __future__ import annotations

import boto3
import pytest

from microwish.auth import caller_from_claims
from microwish.errors import Conflict
from microwish.repository import ConditionFailed, Transaction, WishRepository
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


def test_one_more_guarded_item_joins_any_state_change(api, domain):
    repo, settings, idempotency_table = domain
    record = {"id": "donor-1#POST /wishes/x/claims#key-1", "status": "COMPLETED"}

    def with_record(transaction: Transaction) -> None:
        transaction.put_new("idempotency", record, table_name=idempotency_table, key_attribute="id")

    remembered = repo.with_contribution(with_record)
    first = open_wish(api, title="第一个")
    claims.claim_wish(caller_from_claims(DONOR), first["id"], None, remembered, settings)
    stored = boto3.client("dynamodb").get_item(TableName=idempotency_table, Key={"id": {"S": record["id"]}})
    assert stored["Item"]["status"] == {"S": "COMPLETED"}  # written in the claim's own transaction

    second = repo.get_wish(open_wish(api, title="第二个")["id"])
    transaction = remembered.transaction()
    transaction.replace_wish(second, second.model_copy(update={"version": second.version + 1}), None)
    with pytest.raises(ConditionFailed) as lost:
        remembered.commit(transaction)  # the record is there: the change does not happen
    assert lost.value.guard is not None and lost.value.guard.name == "idempotency"
    assert repo.get_wish(second.id).version == second.version
