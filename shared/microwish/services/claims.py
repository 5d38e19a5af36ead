"""Claiming: 1+1 (sole), N+1 (pooled pledges), 1+N (batches), dispatch, delivery, confirmation.

Every use case reads the wish, decides with the state machine, and commits ONE transaction: the
wish (guarded by the version it read), its audit event(s), the claim, the donor's record. A lost
guard means someone else changed the wish first: the use case reads again and either answers 409
with the wish's real state, or — when the wish is still claimable (a pledge landed meanwhile) —
tries again, a bounded number of times.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from .. import clock, once
from ..auth import Caller, require_role
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..lifecycle import Action, Status, next_status
from ..models import (
    AssignmentRequest,
    BatchClaimRequest,
    BatchClaimResponse,
    BatchResult,
    CancellationRequest,
    Claim,
    ClaimView,
    ConfirmationRequest,
    DeclineRequest,
    DeliveryReport,
    Wish,
    WishView,
)
from ..personal_data import beneficiary_name, refuse_personal_data
from ..repository import (
    ConditionFailed,
    Transaction,
    WishRepository,
    audit_item,
    claim_item,
    claim_key,
    donor_record_key,
    is_wish_id,
)
from ..settings import Settings
from . import campaigns, uploads
from .wishes import due_for, event_for, load_for_officer, view_for

MAX_PLEDGES_PER_WISH = 40  # keeps a pooled wish's fulfilment inside one 100-item transaction
_ATTEMPTS = 20  # each retry re-reads; contention on one wish is bounded by its claimers
_OPEN_CLAIM_STATUSES = ("active", "delivered")  # what a donor still holds
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


def _days(days: float) -> str:
    return clock.iso(clock.now() + timedelta(days=days))


def claim_view(claim: Claim | dict) -> ClaimView:
    data = claim.model_dump() if isinstance(claim, Claim) else claim
    return ClaimView.model_validate({key: data.get(key) for key in ClaimView.model_fields})


def _claims_of(claims: list[dict]) -> list[Claim]:
    return [Claim.model_validate(claim) for claim in claims]


def _lease_due(deadline: str, settings: Settings) -> str:
    """When the lease sweep should first look at a claim: at reminder time, or at the deadline."""
    remind_at = clock.iso(clock.parse(deadline) - timedelta(days=settings.lease_reminder_days))
    return remind_at if remind_at > clock.now_iso() else deadline


def count_donor(transaction: Transaction, donor_id: str, *, limit: int | None = None, **deltas: int) -> None:
    """Move the donor's record counters; with `limit`, only while their active claims stay under it."""
    names = {f"#{name}": name for name in deltas}
    values = {f":{name}": delta for name, delta in deltas.items()}
    expression = "ADD " + ", ".join(f"#{name} :{name}" for name in deltas)
    condition = None
    if limit is not None:
        names["#active"] = "active"
        values[":room"] = limit - deltas.get("active", 0)
        condition = "attribute_not_exists(#active) OR #active <= :room"
    transaction.update(donor_record_key(donor_id), expression, condition, values, names)


def _raise_for(failure: ConditionFailed, donor_index: int | None, settings: Settings) -> None:
    """Turn a lost condition into the right answer: donor over the limit, or retry on a changed wish."""
    if donor_index is not None and failure.index == donor_index:
        raise Conflict(f"you already hold {settings.max_active_claims} active claims: deliver or withdraw one first",
                       state="limit_reached", max_active_claims=settings.max_active_claims)
    raise _Retry


def _load(repo: WishRepository, wish_id: str) -> tuple[Wish, dict, list[Claim]]:
    bundle = repo.get_wish_bundle(wish_id)
    if bundle is None:
        raise NotFound("no such wish")
    wish, private, claims = bundle
    return wish, private, _claims_of(claims)


def _view_after(caller: Caller, repo: WishRepository, wish_id: str) -> WishView:
    """The wish as it is now, in the view its caller may see (never decided by the route)."""
    bundle = repo.get_wish_bundle(wish_id)
    assert bundle is not None  # it was just written
    return view_for(caller, *bundle)


# ---------------------------------------------------------------- claim and pledge
def claim_wish(caller: Caller, wish_id: str, amount_fen: int | None, repo: WishRepository,
               settings: Settings) -> ClaimView:
    """1+1: claim a sole wish whole. N+1: pledge part of a pooled wish's target."""
    require_role(caller, "donor")

    def attempt() -> ClaimView:
        wish = repo.get_wish(wish_id)
        if wish is None or wish.status in (Status.SUBMITTED, Status.REJECTED):
            raise NotFound("no such wish")
        if wish.mode == "pooled":
            return _pledge(caller, wish, amount_fen, repo, settings)
        if amount_fen is not None:
            raise InvalidInput("amount_fen", "this wish is claimed whole (1+1): leave out amount_fen")
        return _claim_sole(caller, wish, repo, settings)

    return _with_retries(attempt)


def _new_claim(caller: Caller, wish: Wish, kind: str, status: str, now: str, *, amount_fen: int | None = None,
               deadline: str | None = None, note: str | None = None, donor_id: str | None = None) -> Claim:
    return Claim(id=claim_id_for(wish.id), wish_id=wish.id, donor_id=donor_id or caller.sub or "",
                 donor_name=caller.name if donor_id is None else None, kind=kind, amount_fen=amount_fen,
                 status=status, created_at=now, updated_at=now, deadline=deadline, note=note, wish_title=wish.title,
                 donor_kind="unit" if kind == "assignment" else caller.donor_type)


def claim_id_for(wish_id: str) -> str:
    """A new claim's id; inside a keyed request, the one its key derives (a replay finds the claim by it)."""
    return f"{wish_id}-{once.new_id('claim:' + wish_id)}"


def _claim_sole(caller: Caller, wish: Wish, repo: WishRepository, settings: Settings,
                transaction: Transaction | None = None) -> ClaimView:
    status = next_status(wish.status, Action.CLAIMED)
    now = clock.now_iso()
    deadline = _days(settings.claim_lease_days)
    claim = _new_claim(caller, wish, "sole", "active", now, amount_fen=wish.target_fen, deadline=deadline)
    after = wish.model_copy(update={"status": status, "updated_at": now, "version": wish.version + 1,
                                    "due_at": None, "at_risk": False})  # taken: no longer at risk
    event = event_for(caller, Action.CLAIMED, wish, after, donor_id=claim.donor_id, claim_id=claim.id)
    own = transaction is None
    transaction = transaction or repo.transaction()
    transaction.replace_wish(wish, after, event)
    transaction.put(claim_item(claim, _lease_due(deadline, settings)), "attribute_not_exists(PK)")
    if own:
        count_donor(transaction, claim.donor_id, limit=settings.max_active_claims, active=1, claimed=1)
        try:
            repo.commit(transaction)
        except ConditionFailed as failure:
            _raise_for(failure, donor_index=3, settings=settings)
    return claim_view(claim)


def _pledge(caller: Caller, wish: Wish, amount_fen: int | None, repo: WishRepository,
            settings: Settings) -> ClaimView:
    if amount_fen is None:
        raise InvalidInput("amount_fen", "a pooled wish (N+1) takes pledges: give amount_fen")
    if wish.status is not Status.OPEN:
        raise Conflict(f"the wish is {wish.status.value}: it takes no more pledges", state=wish.status.value,
                       remaining_fen=0)
    remaining = (wish.target_fen or 0) - wish.pledged_fen
    if amount_fen > remaining:
        raise Conflict(f"only {remaining} fen remain to be pledged", state=wish.status.value,
                       remaining_fen=remaining)
    if wish.pledge_count >= MAX_PLEDGES_PER_WISH - 1 and amount_fen < remaining:
        raise Conflict(f"this wish has {MAX_PLEDGES_PER_WISH} pledges: only a pledge of the whole remaining "
                       f"{remaining} fen is taken", state=wish.status.value, remaining_fen=remaining)
    now = clock.now_iso()
    match = campaigns.match_for(caller, wish, amount_fen, remaining, repo, now)  # a sponsor's 1:1 (配捐)
    matched = match.amount_fen if match else 0
    completes = amount_fen + matched == remaining
    status = next_status(wish.status, Action.CLAIMED if completes else Action.PLEDGED)
    claim = _new_claim(caller, wish, "pledge", "active", now, amount_fen=amount_fen)
    after = wish.model_copy(update={
        "status": status, "updated_at": now, "version": wish.version + 1,
        "pledged_fen": wish.pledged_fen + amount_fen + matched,
        "pledge_count": wish.pledge_count + 1 + (match is not None), "due_at": None if completes else wish.due_at,
        "at_risk": wish.at_risk and not completes})
    pledged = event_for(caller, Action.PLEDGED, wish, after, donor_id=claim.donor_id, claim_id=claim.id,
                        amount_fen=amount_fen)
    if completes:
        transaction = repo.transaction().replace_wish(wish, after, pledged)
    else:  # commutes with other pledges: no version guard, the target guard is in the update
        transaction = repo.transaction().add_pledge(wish, amount_fen + matched, now,
                                                          MAX_PLEDGES_PER_WISH - 1)
        transaction.put(audit_item(after, pledged), "attribute_not_exists(PK)")
    transaction.put(claim_item(claim), "attribute_not_exists(PK)")
    count_donor(transaction, claim.donor_id, limit=settings.max_active_claims, active=1, claimed=1)
    if completes:  # the pledge that reaches the target claims the wish: its own event for the resident
        claimed = event_for(caller, Action.CLAIMED, wish, after, donor_id=claim.donor_id, claim_id=claim.id)
        transaction.put(audit_item(after, claimed, order=1), "attribute_not_exists(PK)")
    if match is not None:  # in the same transaction: the matched total never passes the cap
        campaigns.write_match(transaction, match, wish, after, claim, now)
    try:
        repo.commit(transaction)
    except ConditionFailed as failure:
        _raise_for(failure, donor_index=3, settings=settings)
    return claim_view(claim)


def claim_many(caller: Caller, request: BatchClaimRequest, repo: WishRepository,
               settings: Settings) -> tuple[int, BatchClaimResponse]:
    """1+N: claim many sole wishes at once — all in one transaction, or each on its own."""
    require_role(caller, "donor")
    if not request.all_or_nothing:
        results = [_claim_one(caller, wish_id, repo, settings) for wish_id in request.wish_ids]
        return 200, BatchClaimResponse(claimed=sum(result.ok for result in results), results=results)
    return _with_retries(lambda: _claim_all(caller, request.wish_ids, repo, settings))


def _claim_one(caller: Caller, wish_id: str, repo: WishRepository, settings: Settings) -> BatchResult:
    try:
        claim = claim_wish(caller, wish_id, None, repo, settings)
    except (Conflict, NotFound, InvalidInput) as error:
        return BatchResult(wish_id=wish_id, ok=False, status=error.status, detail=error.detail,
                           state=error.extensions.get("state"))
    return BatchResult(wish_id=wish_id, ok=True, status=201, claim=claim)


def _refusal(wish_id: str, wish: Wish | None) -> BatchResult | None:
    if wish is None or wish.status in (Status.SUBMITTED, Status.REJECTED):
        return BatchResult(wish_id=wish_id, ok=False, status=404, detail="no such wish")
    if wish.mode != "sole":
        return BatchResult(wish_id=wish_id, ok=False, status=409, state=wish.status.value,
                           detail="a pooled wish takes pledges, not a 1+N claim")
    if wish.status is not Status.OPEN:
        return BatchResult(wish_id=wish_id, ok=False, status=409, state=wish.status.value,
                           detail=f"the wish is {wish.status.value}")
    return None


def _claim_all(caller: Caller, wish_ids: list[str], repo: WishRepository,
               settings: Settings) -> tuple[int, BatchClaimResponse]:
    wishes = repo.get_wishes(wish_ids)
    refusals = [refusal for wish_id in wish_ids if (refusal := _refusal(wish_id, wishes.get(wish_id)))]
    if refusals:  # a problem like every refusal; the wishes that stood in the way in `results`
        raise Conflict(f"nothing was claimed: {len(refusals)} of the {len(wish_ids)} wishes cannot be claimed now",
                       claimed=0, results=[refusal.model_dump(mode="json") for refusal in refusals])
    transaction = repo.transaction()
    views = [_claim_sole(caller, wishes[wish_id], repo, settings, transaction) for wish_id in wish_ids]
    count_donor(transaction, caller.sub or "", limit=settings.max_active_claims, active=len(views), claimed=len(views))
    try:
        repo.commit(transaction)
    except ConditionFailed as failure:
        _raise_for(failure, donor_index=3 * len(views), settings=settings)
    return 200, BatchClaimResponse(claimed=len(views), results=[
        BatchResult(wish_id=view.wish_id, ok=True, status=201, claim=view) for view in views])


# ---------------------------------------------------------------- withdraw
def withdraw(caller: Caller, claim_id: str, repo: WishRepository, settings: Settings) -> None:
    """The donor takes back a claim (the wish is open again) or a pledge (while the wish is open)."""
    require_role(caller, "donor")
    wish_id = claim_id.split("-", 1)[0]
    if not is_wish_id(wish_id):
        raise NotFound("no such claim")

    def attempt() -> None:
        wish, _, claims = _load(repo, wish_id)
        claim = next((c for c in claims if c.id == claim_id and c.donor_id == caller.sub), None)
        if claim is None:
            raise NotFound("no such claim")
        if claim.status != "active":
            raise Conflict(f"the claim is {claim.status}: nothing to withdraw", state=wish.status.value)
        now = clock.now_iso()
        update = {"updated_at": now, "version": wish.version + 1}
        if claim.kind == "pledge":
            if wish.status is not Status.OPEN:
                raise Conflict("a pledge can be withdrawn only while the wish is still open",
                               state=wish.status.value)
            update["pledged_fen"] = wish.pledged_fen - (claim.amount_fen or 0)
            update["pledge_count"] = wish.pledge_count - 1
            if match := campaigns.match_of(claims, claim):
                update["pledged_fen"] -= match.amount_fen or 0
        else:
            update["due_at"] = due_for(settings, Status.OPEN, wish.level)
            update["assignee_id"] = None
        after = wish.model_copy(update={"status": next_status(wish.status, Action.WITHDRAWN), **update})
        event = event_for(caller, Action.WITHDRAWN, wish, after, donor_id=claim.donor_id, claim_id=claim.id,
                          amount_fen=claim.amount_fen if claim.kind == "pledge" else None)
        transaction = repo.transaction().replace_wish(wish, after, event)
        set_claim_status(transaction, claim, "withdrawn", now, expect="active")
        count_donor(transaction, claim.donor_id, active=-1, withdrawn=1)
        if claim.kind == "pledge" and (match := campaigns.match_of(claims, claim)):
            campaigns.release_match(transaction, repo, wish, after, match, now)
        try:
            repo.commit(transaction)
        except ConditionFailed:
            raise _Retry from None

    _with_retries(attempt)


def set_claim_status(transaction: Transaction, claim: Claim, status: str, now: str, *, expect: str,
               deadline: str | None = None, lease_due: str | None = None, note: str | None = None,
               donor_name: str | None = None) -> None:
    """Move a claim on, if it is still in the status the decision was made on."""
    names = {"#status": "status"}
    values: dict = {":status": status, ":now": now, ":expect": expect}
    sets = ["#status = :status", "updated_at = :now"]
    removes = []
    if deadline:
        sets += ["deadline = :deadline", "reminded = :false", "DuePK = :lease", "DueSK = :due"]
        values.update({":deadline": deadline, ":false": False, ":lease": "lease",
                       ":due": f"{lease_due or deadline}#{claim.id}"})
    else:
        removes += ["DuePK", "DueSK"]  # off the lease index: nothing more to wait for
    if note:
        sets.append("note = :note")
        values[":note"] = note
    if donor_name:
        sets.append("donor_name = :donor_name")
        values[":donor_name"] = donor_name
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    transaction.update(claim_key(claim), expression, "#status = :expect", values, names)


# ---------------------------------------------------------------- dispatch (派单)
def assign(caller: Caller, wish_id: str, request: AssignmentRequest, repo: WishRepository,
           settings: Settings) -> WishView:
    wish = load_for_officer(caller, wish_id, repo)
    if wish.mode != "sole":
        raise Conflict("a pooled wish is not dispatched to one unit", state=wish.status.value)
    status = next_status(wish.status, Action.ASSIGNED)
    now = clock.now_iso()
    deadline = _days(settings.assignment_accept_days)
    offer = _new_claim(caller, wish, "assignment", "offered", now, deadline=deadline, note=request.note,
                       donor_id=request.donor_id)
    after = wish.model_copy(update={"status": status, "updated_at": now, "version": wish.version + 1,
                                    "assignee_id": request.donor_id, "due_at": None, "paused_due_at": wish.due_at})
    event = event_for(caller, Action.ASSIGNED, wish, after, request.note, donor_id=request.donor_id,
                      claim_id=offer.id)
    transaction = repo.transaction().replace_wish(wish, after, event)
    transaction.put(claim_item(offer, _lease_due(deadline, settings)), "attribute_not_exists(PK)")
    _commit_or_conflict(repo, transaction, wish)
    return _view_after(caller, repo, wish_id)


def _assigned_offer(caller: Caller, wish_id: str, repo: WishRepository) -> tuple[Wish, Claim]:
    require_role(caller, "donor")
    wish, _, claims = _load(repo, wish_id)
    offer = next((c for c in claims if c.kind == "assignment" and c.status == "offered"
                  and c.donor_id == caller.sub), None)
    if offer is None:
        past = next((c for c in claims if c.kind == "assignment" and c.donor_id == caller.sub), None)
        if wish.assignee_id == caller.sub or past is not None:  # offered once, answered or lapsed since
            raise Conflict(f"the assignment is no longer open: the wish is {wish.status.value}",
                           state=wish.status.value, **({"claim_status": past.status} if past else {}))
        raise NotFound("no assignment of this wish to you")
    return wish, offer


def accept(caller: Caller, wish_id: str, repo: WishRepository, settings: Settings) -> WishView:
    wish, offer = _assigned_offer(caller, wish_id, repo)
    status = next_status(wish.status, Action.ACCEPTED)
    now = clock.now_iso()
    deadline = _days(settings.claim_lease_days)
    after = wish.model_copy(update={"status": status, "updated_at": now, "version": wish.version + 1,
                                    "paused_due_at": None, "at_risk": False})
    event = event_for(caller, Action.ACCEPTED, wish, after, donor_id=offer.donor_id, claim_id=offer.id)
    transaction = repo.transaction().replace_wish(wish, after, event)
    set_claim_status(transaction, offer, "active", now, expect="offered", deadline=deadline,
               lease_due=_lease_due(deadline, settings), donor_name=caller.name)  # the unit's own name
    count_donor(transaction, offer.donor_id, limit=settings.max_active_claims, active=1, claimed=1)
    try:
        repo.commit(transaction)
    except ConditionFailed as failure:
        if failure.index == 3:
            _raise_for(failure, donor_index=3, settings=settings)
        raise _conflict(repo, wish) from None
    return _view_after(caller, repo, wish_id)


def decline(caller: Caller, wish_id: str, request: DeclineRequest, repo: WishRepository,
            settings: Settings) -> WishView:
    wish, offer = _assigned_offer(caller, wish_id, repo)
    after = reopened(wish, Action.DECLINED, settings)
    event = event_for(caller, Action.DECLINED, wish, after, request.reason, donor_id=offer.donor_id,
                      claim_id=offer.id)
    transaction = repo.transaction().replace_wish(wish, after, event)
    set_claim_status(transaction, offer, "declined", after.updated_at, expect="offered", note=request.reason)
    count_donor(transaction, offer.donor_id, declined=1)
    _commit_or_conflict(repo, transaction, wish)
    return _view_after(caller, repo, wish_id)


def reopened(wish: Wish, action: Action, settings: Settings) -> Wish:
    """Back on the open list at its level; an assignment's paused escalation clock goes on."""
    now = clock.now_iso()
    due = wish.paused_due_at if wish.status is Status.ASSIGNED and wish.paused_due_at else due_for(
        settings, Status.OPEN, wish.level)
    return wish.model_copy(update={"status": next_status(wish.status, action), "updated_at": now,
                                   "version": wish.version + 1, "assignee_id": None, "paused_due_at": None,
                                   "due_at": max(due, now)})


# ---------------------------------------------------------------- delivery and confirmation (圆梦, 销号)
def deliver(caller: Caller, wish_id: str, report: DeliveryReport, repo: WishRepository,
            settings: Settings) -> WishView:
    """The claiming donor (or, for any wish, an officer in region) reports the wish delivered."""
    require_role(caller, "donor", "officer", "admin")
    wish, private, claims = _load(repo, wish_id)
    officer = caller.is_officer_for(wish.region_code)
    own = next((c for c in claims if c.donor_id == caller.sub and c.status == "active" and c.kind != "pledge"), None)
    if not officer and own is None:
        mine = [c for c in claims if c.donor_id == caller.sub]
        held_before = next((c for c in mine if c.kind != "pledge"), None)
        if held_before is not None:  # withdrawn or lapsed: a state to say, not a permission to refuse
            raise Conflict(f"your claim is {held_before.status}: the wish is {wish.status.value}",
                           state=wish.status.value, claim_status=held_before.status)
        if mine:
            raise Forbidden("the delivery of a pooled wish is reported by an officer of its region")
        raise NotFound("no such wish among your claims")
    status = next_status(wish.status, Action.DELIVERED)
    refuse_personal_data([("note", report.note)], beneficiary_name(private))  # donors and the public read it
    uploads.attach(caller, wish_id, list(report.photo_keys), settings)  # own uploads only, present
    now = clock.now_iso()
    after = wish.model_copy(update={"status": status, "updated_at": now, "version": wish.version + 1,
                                    "delivery_note": report.note, "photo_keys": list(report.photo_keys)})
    sole = next((c for c in claims if c.status == "active" and c.kind != "pledge"), None)
    event = event_for(caller, Action.DELIVERED, wish, after, report.note,
                      donor_id=sole.donor_id if sole else None, claim_id=sole.id if sole else None)
    transaction = repo.transaction().replace_wish(wish, after, event)
    if sole is not None:  # the lease ends: the donor did what they promised
        set_claim_status(transaction, sole, "delivered", now, expect="active")
        count_donor(transaction, sole.donor_id, delivered=1)
    _commit_or_conflict(repo, transaction, wish)
    return _view_after(caller, repo, wish_id)


def confirm(caller: Caller, wish_id: str, request: ConfirmationRequest, repo: WishRepository,
            settings: Settings) -> WishView:
    """An officer in region confirms (fulfilled, off the list) or sends the delivery back (claimed)."""
    require_role(caller, "officer", "admin")
    wish, private, claims = _load(repo, wish_id)
    if not caller.is_officer_for(wish.region_code):
        raise NotFound("no such wish in your region")
    refuse_personal_data([("feedback", request.feedback)], beneficiary_name(private))  # shown to the public
    now = clock.now_iso()
    held = [c for c in claims if c.status in _OPEN_CLAIM_STATUSES]
    if request.accepted:
        value = wish.pledged_fen if wish.mode == "pooled" else (wish.target_fen or 0)
        after = wish.model_copy(update={"status": next_status(wish.status, Action.FULFILLED), "updated_at": now,
                                        "version": wish.version + 1, "feedback": request.feedback,
                                        "value_fen": value, "fulfilled_at": now})
        donors = sorted({c.donor_id for c in held})
        event = event_for(caller, Action.FULFILLED, wish, after, request.feedback or request.note,
                          donor_ids=donors, amount_fen=value)
        transaction = repo.transaction().replace_wish(wish, after, event)
        for claim in held:
            set_claim_status(transaction, claim, "fulfilled", now, expect=claim.status)
        for donor in donors:
            count_donor(transaction, donor, active=-sum(c.donor_id == donor for c in held),
                   fulfilled=sum(c.donor_id == donor for c in held))
    else:
        if not request.note:
            raise InvalidInput("note", "say why the delivery is not accepted")
        after = wish.model_copy(update={"status": next_status(wish.status, Action.DELIVERY_REJECTED),
                                        "updated_at": now, "version": wish.version + 1})
        sole = next((c for c in held if c.kind != "pledge"), None)
        event = event_for(caller, Action.DELIVERY_REJECTED, wish, after, request.note,
                          donor_id=sole.donor_id if sole else None, claim_id=sole.id if sole else None)
        transaction = repo.transaction().replace_wish(wish, after, event)
        if sole is not None:  # the donor gets a fresh lease to make it right
            deadline = _days(settings.claim_lease_days)
            set_claim_status(transaction, sole, "active", now, expect=sole.status, deadline=deadline,
                       lease_due=_lease_due(deadline, settings))
    _commit_or_conflict(repo, transaction, wish)
    return _view_after(caller, repo, wish_id)


# ---------------------------------------------------------------- cancellation
def cancel(caller: Caller, wish_id: str, request: CancellationRequest, repo: WishRepository,
           settings: Settings) -> WishView:
    """The submitting resident or an officer in region cancels, while no delivery is reported."""
    require_role(caller, "resident", "officer", "admin")
    wish, _, claims = _load(repo, wish_id)
    submitter = caller.role == "resident" and caller.sub == wish.submitted_by
    if not submitter and not caller.is_officer_for(wish.region_code):
        raise NotFound("no such wish")
    status = next_status(wish.status, Action.CANCELLED)
    now = clock.now_iso()
    live = [c for c in claims if c.status in ("active", "offered")]
    after = wish.model_copy(update={"status": status, "updated_at": now, "version": wish.version + 1,
                                    "due_at": None, "assignee_id": None, "paused_due_at": None})
    donors = sorted({c.donor_id for c in live})
    event = event_for(caller, Action.CANCELLED, wish, after, request.reason, donor_ids=donors)
    transaction = repo.transaction().replace_wish(wish, after, event)
    for claim in live:
        # Money pledged to a cancelled wish is owed back: marked so the federation refunds it.
        set_claim_status(transaction, claim, "refund_due" if claim.kind == "pledge" else "cancelled", now,
                   expect=claim.status)
    for donor in donors:
        held = sum(c.donor_id == donor and c.status == "active" for c in live)
        if held:
            count_donor(transaction, donor, active=-held)
    _commit_or_conflict(repo, transaction, wish)
    return _view_after(caller, repo, wish_id)


def _conflict(repo: WishRepository, wish: Wish) -> Conflict:
    now = repo.get_wish(wish.id)
    state = now.status.value if now else wish.status.value
    return Conflict(f"the wish changed meanwhile and is now {state}", state=state)


def _commit_or_conflict(repo: WishRepository, transaction: Transaction, wish: Wish) -> None:
    try:
        repo.commit(transaction)
    except ConditionFailed:
        raise _conflict(repo, wish) from None
