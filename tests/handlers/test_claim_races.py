"""Two claimers interleaved by hand: both read, both write. The write's condition stops the second.

moto serialises requests, so it proves nothing about DynamoDB's atomicity; what these tests show
is that every write carries the condition that makes the second writer lose in DynamoDB too.
"""

from __future__ import annotations

import pytest

from microwish.auth import caller_from_claims
from microwish.errors import Conflict
from microwish.repository import ConditionFailed, WishRepository
from microwish.services import claims
from microwish.settings import Settings
from tests.support.harness import environment
from tests.support.people import DONOR, DONOR_2, OFFICER, open_wish, submit


@pytest.fixture
def domain(stack):
    env = stack.functions["ClaimsFunction"].env
    with environment(env):
        yield WishRepository(stack.outputs["WishTableName"]), Settings.from_env({k: str(v) for k, v in env.items()})


def test_two_sole_claims_read_the_same_open_wish_and_only_one_lands(api, domain):
    repo, settings = domain
    wish = open_wish(api)
    first_read, second_read = repo.get_wish(wish["id"]), repo.get_wish(wish["id"])
    first, second = repo.transaction(), repo.transaction()
    claims._claim_sole(caller_from_claims(DONOR), first_read, repo, settings, first)
    claims._claim_sole(caller_from_claims(DONOR_2), second_read, repo, settings, second)
    repo.commit(first)
    with pytest.raises(ConditionFailed) as lost:
        repo.commit(second)
    assert lost.value.guard.name == "wish" and lost.value.item["status"] == "claimed"
    stored = repo.get_wish_bundle(wish["id"])
    assert [claim["donor_id"] for claim in stored[2]] == ["donor-1"]


def test_two_pledges_that_each_fit_alone_never_pass_the_target(api, domain):
    repo, settings = domain
    wish = submit(api, target_fen=100_000)
    api.post(f"/wishes/{wish['id']}/review", {"decision": "approve", "mode": "pooled"}, as_=OFFICER)
    api.post(f"/wishes/{wish['id']}/claims", {"amount_fen": 60_000}, as_=DONOR)
    stale = repo.get_wish(wish["id"])  # both see 40,000 remaining
    first = claims.claim_wish(caller_from_claims(DONOR_2), wish["id"], 40_000, repo, settings)
    assert first.amount_fen == 40_000
    # The second writer still holds the stale read: its version-guarded write must fail ...
    late = repo.transaction()
    wish_guard = late.replace_wish(
        stale, stale.model_copy(update={"pledged_fen": 100_000, "version": stale.version + 1}), None
    )
    with pytest.raises(ConditionFailed) as lost:
        repo.commit(late)
    assert wish_guard.failed(lost.value)
    # ... and through the service, the retry reads again and answers with what remains.
    with pytest.raises(Conflict) as refused:
        claims.claim_wish(caller_from_claims(DONOR), wish["id"], 40_000, repo, settings)
    assert refused.value.extensions["remaining_fen"] == 0
    assert repo.get_wish(wish["id"]).pledged_fen == 100_000
