"""Claiming: 1+1 (sole), N+1 (pooled pledges), 1+N (batches), and withdrawing.

Every use case reads the wish, decides with the state machine, and commits ONE transaction: the
wish (guarded by the version it read), its audit event(s), the claim, the donor's record. A lost
guard means someone else changed the wish first: the use case reads again and either answers 409
with the wish's real state, or — when the wish is still claimable (a pledge landed meanwhile) —
tries again, a bounded number of times. A lost donor-limit guard is the donor's own limit: a 409
that says so. Dispatch, delivery, confirmation and cancellation are in services/fulfilment.py.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .. import clock, once
from ..auth import Caller, require_role
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..lifecycle import Action, Status, next_status
from ..models import (
    BatchClaimRequest,
    BatchClaimResponse,
    BatchResult,
    Claim,
    ClaimKind,
    ClaimStatus,
    ClaimView,
    Wish,
    WishView,
    event_for,
)
from ..repository import ConditionFailed, Guard, Transaction, WishRepository, is_wish_id
from ..settings import Settings
from . import acting
from .views import claim_view, view_for

if TYPE_CHECKING:
    from ..models.units import Unit

MAX_PLEDGES_PER_WISH = 40  # keeps a pooled wish's fulfilment inside one 100-item transaction
_ATTEMPTS = 20  # each retry re-reads; contention on one wish is bounded by its claimers
T = TypeVar("T")


class _Retry(Exception):
    """The wish changed under us but may still allow the action: read it again."""


def _with_retries(attempt: Callable[[], T]) -> T:
    for round_ in range(_ATTEMPTS):
        try:
            return attempt()
        except _Retry:
            time.sleep(random.uniform(0, 0.01 * (round_ + 1)))  # spread contending writers apart
    raise Conflict("the wish is busy: too many claims at once; try again", state="busy")


def limit_reached(settings: Settings) -> Conflict:
    return Conflict(
        f"you already hold {settings.max_active_claims} active claims: deliver or withdraw one first",
        state="limit_reached",
        max_active_claims=settings.max_active_claims,
    )


def not_a_member() -> Forbidden:
    return Forbidden("you act only for a unit you are a member of")


def _commit_or_retry(
    repo: WishRepository,
    transaction: Transaction,
    donor_limit: Guard | None,
    settings: Settings,
    member: Guard | None = None,
) -> None:
    """Commit; a lost donor limit is the donor's 409, a lost membership a 403, any other lost guard means:
    read again."""
    try:
        repo.commit(transaction)
    except ConditionFailed as failure:
        if donor_limit is not None and donor_limit.failed(failure):
            raise limit_reached(settings) from None
        if member is not None and member.failed(failure):
            raise not_a_member() from None
        raise _Retry from None


def guard_member(transaction: Transaction, caller: Caller, unit: Unit | None) -> Guard | None:
    """Acting for a unit: the change holds only while the caller is still its member (issue 12)."""
    return transaction.require_member(unit.id, caller.sub or "") if unit is not None else None


def load(repo: WishRepository, wish_id: str) -> tuple[Wish, dict[str, Any], list[Claim]]:
    """The wish, its private part and its claims (one Query); 404 when there is no such wish."""
    bundle = repo.get_wish_bundle(wish_id)
    if bundle is None:
        raise NotFound("no such wish")
    wish, private, claims = bundle
    return wish, private, [Claim.model_validate(claim) for claim in claims]


def view_after(caller: Caller, after: Wish, private: dict[str, Any], claims: list[Claim]) -> WishView:
    """The wish as a change leaves it, in the view its caller may see (never decided by the route): built
    from what the change writes (`after`, the claims as moved), never read back after the commit."""
    listed = [claim.model_dump(mode="json") for claim in sorted(claims, key=lambda claim: claim.id)]  # SK order
    return view_for(caller, after, private, listed)


def claim_id_for(wish_id: str, keyed: once.KeyedRequest | None = None) -> str:
    """A new claim's id; inside a keyed request (or for `keyed`), the one its key derives, so a replay
    finds the claim by it."""
    purpose = "claim:" + wish_id
    return f"{wish_id}-{keyed.derived_id(purpose) if keyed else once.new_id(purpose)}"


def new_claim(
    caller: Caller,
    wish: Wish,
    kind: ClaimKind,
    status: ClaimStatus,
    now: str,
    *,
    amount_fen: int | None = None,
    deadline: str | None = None,
    note: str | None = None,
    donor_id: str | None = None,
    unit: Unit | None = None,
) -> Claim:
    """A new claim; with `unit`, held by that unit of the registry (its donor id, its name) and made by `caller`."""
    if unit is not None:
        donor_id = unit.donor_id
    return Claim(
        id=claim_id_for(wish.id),
        wish_id=wish.id,
        donor_id=donor_id or caller.sub or "",
        donor_name=unit.name if unit is not None else caller.name if donor_id is None else None,
        acted_by=caller.sub if unit is not None and kind is not ClaimKind.ASSIGNMENT else None,
        kind=kind,
        amount_fen=amount_fen,
        status=status,
        created_at=now,
        updated_at=now,
        deadline=deadline,
        note=note,
        wish_title=wish.title,
        donor_kind="unit" if kind is ClaimKind.ASSIGNMENT or unit is not None else caller.donor_type,
    )


# ---------------------------------------------------------------- claim and pledge
def claim_wish(
    caller: Caller,
    wish_id: str,
    amount_fen: int | None,
    repo: WishRepository,
    settings: Settings,
    unit_id: str | None = None,
) -> ClaimView:
    """1+1: claim a sole wish whole. N+1: pledge part of a pooled wish's target. With `unit_id`, on behalf of
    that unit (the caller must be its member: checked now, and guarded in the claim's transaction)."""
    require_role(caller, "donor")
    unit: Unit | None = None
    if unit_id is not None:
        from . import units  # why: cold start (the registry's models only for a claim on a unit's behalf)

        unit = units.require_member_of(caller, unit_id, repo)

    def attempt() -> ClaimView:
        wish = repo.get_wish(wish_id)
        if wish is None or wish.status in (Status.SUBMITTED, Status.REJECTED):
            raise NotFound("no such wish")
        if wish.mode == "pooled":
            return _pledge(caller, wish, amount_fen, repo, settings, unit)
        if amount_fen is not None:
            raise InvalidInput("amount_fen", "this wish is claimed whole (1+1): leave out amount_fen")
        return _claim_sole(caller, wish, repo, settings, unit=unit)

    return _with_retries(attempt)


def _claim_sole(
    caller: Caller,
    wish: Wish,
    repo: WishRepository,
    settings: Settings,
    transaction: Transaction | None = None,
    unit: Unit | None = None,
) -> ClaimView:
    """Claim one sole wish; into `transaction` (a 1+N batch, committed by its caller) or on its own."""
    status = next_status(wish.status, Action.CLAIMED)
    now = clock.now_iso()
    deadline = settings.days_from_now(settings.claim_lease_days)
    claim = new_claim(
        caller,
        wish,
        ClaimKind.SOLE,
        ClaimStatus.ACTIVE,
        now,
        amount_fen=wish.target_fen,
        deadline=deadline,
        unit=unit,
    )
    after = wish.model_copy(
        update={"status": status, "updated_at": now, "version": wish.version + 1, "due_at": None, "at_risk": False}
    )  # taken: no longer at risk
    event = event_for(caller, Action.CLAIMED, wish, after, donor_id=claim.donor_id, claim_id=claim.id)
    own = transaction is None
    transaction = transaction or repo.transaction()
    transaction.replace_wish(wish, after, event)
    transaction.put_claim(claim, settings.lease_due(deadline))
    view = claim_view(claim)
    if own:
        member = guard_member(transaction, caller, unit)
        donor_limit = transaction.count_donor(claim.donor_id, limit=settings.max_active_claims, active=1, claimed=1)
        once.answering(view)
        _commit_or_retry(repo, transaction, donor_limit, settings, member)
    return view


def _pledge(
    caller: Caller,
    wish: Wish,
    amount_fen: int | None,
    repo: WishRepository,
    settings: Settings,
    unit: Unit | None = None,
) -> ClaimView:
    if amount_fen is None:
        raise InvalidInput("amount_fen", "a pooled wish (N+1) takes pledges: give amount_fen")
    if wish.status is not Status.OPEN:
        raise Conflict(
            f"the wish is {wish.status.value}: it takes no more pledges", state=wish.status.value, remaining_fen=0
        )
    remaining = (wish.target_fen or 0) - wish.pledged_fen
    if amount_fen > remaining:
        raise Conflict(f"only {remaining} fen remain to be pledged", state=wish.status.value, remaining_fen=remaining)
    if wish.pledge_count >= MAX_PLEDGES_PER_WISH - 1 and amount_fen < remaining:
        raise Conflict(
            f"this wish has {MAX_PLEDGES_PER_WISH} pledges: only a pledge of the whole remaining "
            f"{remaining} fen is taken",
            state=wish.status.value,
            remaining_fen=remaining,
        )
    now = clock.now_iso()
    from . import campaigns  # why: cold start (matching's models: only pledges and withdrawals need them)

    match = campaigns.match_for(caller, wish, amount_fen, remaining, repo, now)  # a sponsor's 1:1 (配捐)
    matched = match.amount_fen if match else 0
    completes = amount_fen + matched == remaining
    status = next_status(wish.status, Action.CLAIMED if completes else Action.PLEDGED)
    claim = new_claim(caller, wish, ClaimKind.PLEDGE, ClaimStatus.ACTIVE, now, amount_fen=amount_fen, unit=unit)
    after = wish.model_copy(
        update={
            "status": status,
            "updated_at": now,
            "version": wish.version + 1,
            "pledged_fen": wish.pledged_fen + amount_fen + matched,
            "pledge_count": wish.pledge_count + 1 + (match is not None),
            "due_at": None if completes else wish.due_at,
            "at_risk": wish.at_risk and not completes,
        }
    )
    # One change, one event: the pledge that reaches the target claims the wish (open → claimed) and is
    # told as `claimed`, with the pledge's amount; every other pledge is `pledged` (open → open).
    pledged = event_for(
        caller,
        Action.CLAIMED if completes else Action.PLEDGED,
        wish,
        after,
        donor_id=claim.donor_id,
        claim_id=claim.id,
        amount_fen=amount_fen,
    )
    transaction = repo.transaction()
    if completes:
        transaction.replace_wish(wish, after, pledged)
    else:  # commutes with other pledges: no version guard, the target guard is in the update
        transaction.add_pledge(wish, amount_fen + matched, now, MAX_PLEDGES_PER_WISH - 1)
        transaction.audit(after, pledged)
    transaction.put_claim(claim)
    member = guard_member(transaction, caller, unit)
    donor_limit = transaction.count_donor(claim.donor_id, limit=settings.max_active_claims, active=1, claimed=1)
    if match is not None:  # in the same transaction: the matched total never passes the cap
        campaigns.write_match(transaction, match, wish, after, claim, now)
    view = claim_view(claim)
    once.answering(view)
    _commit_or_retry(repo, transaction, donor_limit, settings, member)
    return view


def claim_many(
    caller: Caller, request: BatchClaimRequest, repo: WishRepository, settings: Settings
) -> tuple[int, BatchClaimResponse]:
    """1+N: claim many sole wishes at once — all in one transaction, or each on its own."""
    require_role(caller, "donor")
    if not request.all_or_nothing:
        with once.answered_later():  # one change per wish: the answer is known after the last
            results = [_claim_one(caller, wish_id, repo, settings) for wish_id in request.wish_ids]
        return 200, BatchClaimResponse(claimed=sum(result.ok for result in results), results=results)
    return _with_retries(lambda: _claim_all(caller, request.wish_ids, repo, settings))


def _claim_one(caller: Caller, wish_id: str, repo: WishRepository, settings: Settings) -> BatchResult:
    try:
        claim = claim_wish(caller, wish_id, None, repo, settings)
    except (Conflict, NotFound, InvalidInput) as error:
        return BatchResult(
            wish_id=wish_id, ok=False, status=error.status, detail=error.detail, state=error.extensions.get("state")
        )
    return BatchResult(wish_id=wish_id, ok=True, status=201, claim=claim)


def _refusal(wish_id: str, wish: Wish | None) -> BatchResult | None:
    if wish is None or wish.status in (Status.SUBMITTED, Status.REJECTED):
        return BatchResult(wish_id=wish_id, ok=False, status=404, detail="no such wish")
    if wish.mode != "sole":
        return BatchResult(
            wish_id=wish_id,
            ok=False,
            status=409,
            state=wish.status.value,
            detail="a pooled wish takes pledges, not a 1+N claim",
        )
    if wish.status is not Status.OPEN:
        return BatchResult(
            wish_id=wish_id, ok=False, status=409, state=wish.status.value, detail=f"the wish is {wish.status.value}"
        )
    return None


def _claim_all(
    caller: Caller, wish_ids: list[str], repo: WishRepository, settings: Settings
) -> tuple[int, BatchClaimResponse]:
    wishes = repo.get_wishes(wish_ids)
    refusals = [refusal for wish_id in wish_ids if (refusal := _refusal(wish_id, wishes.get(wish_id)))]
    if refusals:  # a problem like every refusal; the wishes that stood in the way in `results`
        raise Conflict(
            f"nothing was claimed: {len(refusals)} of the {len(wish_ids)} wishes cannot be claimed now",
            claimed=0,
            results=[refusal.model_dump(mode="json") for refusal in refusals],
        )
    transaction = repo.transaction()
    views = [_claim_sole(caller, wishes[wish_id], repo, settings, transaction) for wish_id in wish_ids]
    donor_limit = transaction.count_donor(
        caller.sub or "", limit=settings.max_active_claims, active=len(views), claimed=len(views)
    )
    answer = BatchClaimResponse(
        claimed=len(views),
        results=[BatchResult(wish_id=view.wish_id, ok=True, status=201, claim=view) for view in views],
    )
    once.answering(answer)
    _commit_or_retry(repo, transaction, donor_limit, settings)
    return 200, answer


# ---------------------------------------------------------------- withdraw
def withdraw(caller: Caller, claim_id: str, repo: WishRepository, settings: Settings) -> None:
    """The donor takes back a claim (the wish is open again) or a pledge (while the wish is open)."""
    require_role(caller, "donor")
    wish_id = claim_id.split("-", 1)[0]
    if not is_wish_id(wish_id):
        raise NotFound("no such claim")

    def attempt() -> None:
        wish, _, claims = load(repo, wish_id)
        claim = next((c for c in claims if c.id == claim_id and acting.acts_for(caller, c, repo)), None)
        if claim is None:
            raise NotFound("no such claim")
        unit_id = acting.unit_id_of(claim.donor_id)
        if claim.status is not ClaimStatus.ACTIVE:
            raise Conflict(f"the claim is {claim.status.value}: nothing to withdraw", state=wish.status.value)
        now = clock.now_iso()
        update = {"updated_at": now, "version": wish.version + 1}
        pledge = claim.kind is ClaimKind.PLEDGE
        from . import campaigns  # why: cold start (as in _pledge)

        match = campaigns.match_of(claims, claim) if pledge else None
        if pledge:
            if wish.status is not Status.OPEN:
                raise Conflict("a pledge can be withdrawn only while the wish is still open", state=wish.status.value)
            update["pledged_fen"] = wish.pledged_fen - (claim.amount_fen or 0) - (match.amount_fen or 0 if match else 0)
            update["pledge_count"] = wish.pledge_count - 1
        else:
            update["due_at"] = settings.due_for(Status.OPEN, wish.level)
            update["assignee_id"] = None
        after = wish.model_copy(update={"status": next_status(wish.status, Action.WITHDRAWN), **update})
        event = event_for(
            caller,
            Action.WITHDRAWN,
            wish,
            after,
            donor_id=claim.donor_id,
            claim_id=claim.id,
            amount_fen=claim.amount_fen if pledge else None,
        )
        transaction = repo.transaction()
        transaction.replace_wish(wish, after, event)
        transaction.move_claim(claim, ClaimStatus.WITHDRAWN, now, expect=ClaimStatus.ACTIVE)
        transaction.count_donor(claim.donor_id, active=-1, withdrawn=1)
        member = (
            transaction.require_member(unit_id, caller.sub or "") if unit_id and claim.donor_id != caller.sub else None
        )
        if match is not None:
            campaigns.release_match(transaction, repo, wish, after, match, now)
        _commit_or_retry(repo, transaction, None, settings, member)

    _with_retries(attempt)
