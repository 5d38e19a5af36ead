"""Fulfilment: dispatch to a unit (派单) and its answer, delivery (圆梦), confirmation (销号), cancellation.

Like claiming (services/claims.py), every use case commits ONE transaction guarded by the wish's version;
a lost guard is a 409 that names the wish's real state. The answer is built from what the transaction
writes (the wish after, the claims as moved) and said before the commit (`once.answering`): nothing is
read back after it.
"""

from __future__ import annotations

from typing import Any

from .. import clock, once
from ..auth import Caller, require_role
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..lifecycle import Action, Status, next_status
from ..models import (
    AssignmentRequest,
    CancellationRequest,
    Claim,
    ClaimKind,
    ClaimStatus,
    ConfirmationRequest,
    DeclineRequest,
    DeliveryReport,
    Wish,
    WishView,
    event_for,
)
from ..personal_data import beneficiary_name, refuse_personal_data
from ..repository import ConditionFailed, Guard, Transaction, WishRepository
from ..settings import Settings
from . import acting, uploads
from .claims import limit_reached, load, new_claim, not_a_member, view_after
from .views import changed_meanwhile
from .wishes import load_bundle_for_officer

_OPEN_CLAIM_STATUSES = (ClaimStatus.ACTIVE, ClaimStatus.DELIVERED)  # what a donor still holds


def _move(
    transaction: Transaction,
    moved: dict[str, Claim],
    claim: Claim,
    status: ClaimStatus,
    now: str,
    *,
    expect: str,
    deadline: str | None = None,
    lease_due: str | None = None,
    note: str | None = None,
    donor_name: str | None = None,
) -> Guard:
    """Move a claim on in the transaction, and keep it in `moved` as the transaction writes it (the answer's)."""
    guard = transaction.move_claim(
        claim, status, now, expect=expect, deadline=deadline, lease_due=lease_due, note=note, donor_name=donor_name
    )
    changes: dict[str, Any] = {"status": status, "updated_at": now}
    for name, value in (("deadline", deadline), ("note", note), ("donor_name", donor_name)):
        if value:  # as move_claim: only what is given is set
            changes[name] = value
    moved[claim.id] = claim.model_copy(update=changes)
    return guard


def _answer(
    caller: Caller, after: Wish, private: dict[str, Any], claims: list[Claim], moved: dict[str, Claim], *new: Claim
) -> WishView:
    """The answer, from what the change writes; said before the commit (a keyed request's record keeps it)."""
    view = view_after(caller, after, private, [moved.get(claim.id, claim) for claim in claims] + list(new))
    once.answering(view)
    return view


def _commit_or_conflict(repo: WishRepository, transaction: Transaction, wish: Wish) -> None:
    try:
        repo.commit(transaction)
    except ConditionFailed as failure:
        raise changed_meanwhile(repo, wish, failure) from None


# ---------------------------------------------------------------- dispatch (派单)
def assign(
    caller: Caller, wish_id: str, request: AssignmentRequest, repo: WishRepository, settings: Settings
) -> WishView:
    wish, private, items = load_bundle_for_officer(caller, wish_id, repo)  # what the answer shows, read once
    claims = [Claim.model_validate(item) for item in items]
    unit_id = request.unit_id or acting.unit_id_of(request.donor_id)
    if (request.donor_id is None) == (request.unit_id is None):
        raise InvalidInput("unit_id", "give exactly one of donor_id and unit_id")
    unit = repo.units.get(unit_id) if unit_id else None
    if unit_id and unit is None:
        raise InvalidInput("unit_id" if request.unit_id else "donor_id", "is not a unit of the registry")
    donor_id = unit.donor_id if unit is not None else str(request.donor_id)
    if wish.mode != "sole":
        raise Conflict("a pooled wish is not dispatched to one unit", state=wish.status.value)
    status = next_status(wish.status, Action.ASSIGNED)
    now = clock.now_iso()
    deadline = settings.days_from_now(settings.assignment_accept_days)
    offer = new_claim(
        caller,
        wish,
        ClaimKind.ASSIGNMENT,
        ClaimStatus.OFFERED,
        now,
        deadline=deadline,
        note=request.note,
        donor_id=donor_id,
        unit=unit,
    )
    after = wish.model_copy(
        update={
            "status": status,
            "updated_at": now,
            "version": wish.version + 1,
            "assignee_id": donor_id,
            "due_at": None,
            "paused_due_at": wish.due_at,
        }
    )
    event = event_for(caller, Action.ASSIGNED, wish, after, request.note, donor_id=donor_id, claim_id=offer.id)
    transaction = repo.transaction()
    transaction.replace_wish(wish, after, event)
    transaction.put_claim(offer, settings.lease_due(deadline))
    view = _answer(caller, after, private, claims, {}, offer)
    _commit_or_conflict(repo, transaction, wish)
    return view


def _assigned_offer(
    caller: Caller, wish_id: str, repo: WishRepository
) -> tuple[Wish, dict[str, Any], list[Claim], Claim]:
    """The offer made to the caller, or to a unit of the registry the caller is a member of (issue 12)."""
    require_role(caller, "donor")
    wish, private, claims = load(repo, wish_id)
    offers = [c for c in claims if c.kind is ClaimKind.ASSIGNMENT and acting.acts_for(caller, c, repo)]
    offer = next((c for c in offers if c.status is ClaimStatus.OFFERED), None)
    if offer is None:
        past = offers[0] if offers else None
        if wish.assignee_id == caller.sub or past is not None:  # offered once, answered or lapsed since
            raise Conflict(
                f"the assignment is no longer open: the wish is {wish.status.value}",
                state=wish.status.value,
                **({"claim_status": past.status.value} if past else {}),
            )
        raise NotFound("no assignment of this wish to you")
    return wish, private, claims, offer


def accept(caller: Caller, wish_id: str, repo: WishRepository, settings: Settings) -> WishView:
    wish, private, claims, offer = _assigned_offer(caller, wish_id, repo)
    status = next_status(wish.status, Action.ACCEPTED)
    now = clock.now_iso()
    deadline = settings.days_from_now(settings.claim_lease_days)
    after = wish.model_copy(
        update={
            "status": status,
            "updated_at": now,
            "version": wish.version + 1,
            "paused_due_at": None,
            "at_risk": False,
        }
    )
    event = event_for(caller, Action.ACCEPTED, wish, after, donor_id=offer.donor_id, claim_id=offer.id)
    registry_unit = acting.unit_id_of(offer.donor_id)
    transaction = repo.transaction()
    transaction.replace_wish(wish, after, event)
    moved: dict[str, Claim] = {}
    _move(
        transaction,
        moved,
        offer,
        ClaimStatus.ACTIVE,
        now,
        expect=ClaimStatus.OFFERED,
        deadline=deadline,
        lease_due=settings.lease_due(deadline),
        donor_name=None if registry_unit else caller.name,  # the unit's own name (a registry unit's is kept)
    )
    member = transaction.require_member(registry_unit, caller.sub or "") if registry_unit else None
    donor_limit = transaction.count_donor(offer.donor_id, limit=settings.max_active_claims, active=1, claimed=1)
    view = _answer(caller, after, private, claims, moved)
    try:
        repo.commit(transaction)
    except ConditionFailed as failure:
        if donor_limit.failed(failure):
            raise limit_reached(settings) from None
        if member is not None and member.failed(failure):
            raise not_a_member() from None
        raise changed_meanwhile(repo, wish, failure) from None
    return view


def decline(
    caller: Caller, wish_id: str, request: DeclineRequest, repo: WishRepository, settings: Settings
) -> WishView:
    wish, private, claims, offer = _assigned_offer(caller, wish_id, repo)
    after = reopened(wish, Action.DECLINED, settings)
    event = event_for(caller, Action.DECLINED, wish, after, request.reason, donor_id=offer.donor_id, claim_id=offer.id)
    transaction = repo.transaction()
    transaction.replace_wish(wish, after, event)
    moved: dict[str, Claim] = {}
    _move(
        transaction,
        moved,
        offer,
        ClaimStatus.DECLINED,
        after.updated_at,
        expect=ClaimStatus.OFFERED,
        note=request.reason,
    )
    transaction.count_donor(offer.donor_id, declined=1)
    registry_unit = acting.unit_id_of(offer.donor_id)
    if registry_unit:
        transaction.require_member(registry_unit, caller.sub or "")
    view = _answer(caller, after, private, claims, moved)
    _commit_or_conflict(repo, transaction, wish)
    return view


def reopened(wish: Wish, action: Action, settings: Settings) -> Wish:
    """Back on the open list at its level; an assignment's paused escalation clock goes on."""
    now = clock.now_iso()
    due = (
        wish.paused_due_at
        if wish.status is Status.ASSIGNED and wish.paused_due_at
        else settings.due_for(Status.OPEN, wish.level)
    )
    return wish.model_copy(
        update={
            "status": next_status(wish.status, action),
            "updated_at": now,
            "version": wish.version + 1,
            "assignee_id": None,
            "paused_due_at": None,
            "due_at": max(due, now),
        }
    )


# ---------------------------------------------------------------- delivery and confirmation (圆梦, 销号)
def deliver(caller: Caller, wish_id: str, report: DeliveryReport, repo: WishRepository, settings: Settings) -> WishView:
    """The claiming donor (or, for any wish, an officer in region) reports the wish delivered."""
    require_role(caller, "donor", "officer", "admin")
    wish, private, claims = load(repo, wish_id)
    officer = caller.is_officer_for(wish.region_code)
    own = next(
        (
            c
            for c in claims
            if c.status is ClaimStatus.ACTIVE and c.kind is not ClaimKind.PLEDGE and acting.acts_for(caller, c, repo)
        ),
        None,
    )
    if not officer and own is None:
        mine = [c for c in claims if acting.acts_for(caller, c, repo)]
        held_before = next((c for c in mine if c.kind is not ClaimKind.PLEDGE), None)
        if held_before is not None:  # withdrawn or lapsed: a state to say, not a permission to refuse
            raise Conflict(
                f"your claim is {held_before.status.value}: the wish is {wish.status.value}",
                state=wish.status.value,
                claim_status=held_before.status.value,
            )
        if mine:
            raise Forbidden("the delivery of a pooled wish is reported by an officer of its region")
        raise NotFound("no such wish among your claims")
    status = next_status(wish.status, Action.DELIVERED)
    refuse_personal_data([("note", report.note)], beneficiary_name(private))  # donors and the public read it
    uploads.attach(caller, wish_id, list(report.photo_keys), settings)  # own uploads only, present
    now = clock.now_iso()
    after = wish.model_copy(
        update={
            "status": status,
            "updated_at": now,
            "version": wish.version + 1,
            "delivery_note": report.note,
            "photo_keys": list(report.photo_keys),
        }
    )
    sole = next((c for c in claims if c.status is ClaimStatus.ACTIVE and c.kind is not ClaimKind.PLEDGE), None)
    event = event_for(
        caller,
        Action.DELIVERED,
        wish,
        after,
        report.note,
        donor_id=sole.donor_id if sole else None,
        claim_id=sole.id if sole else None,
    )
    transaction = repo.transaction()
    transaction.replace_wish(wish, after, event)
    moved: dict[str, Claim] = {}
    if sole is not None:  # the lease ends: the donor did what they promised
        _move(transaction, moved, sole, ClaimStatus.DELIVERED, now, expect=ClaimStatus.ACTIVE)
        transaction.count_donor(sole.donor_id, delivered=1)
    view = _answer(caller, after, private, claims, moved)
    _commit_or_conflict(repo, transaction, wish)
    return view


def confirm(
    caller: Caller, wish_id: str, request: ConfirmationRequest, repo: WishRepository, settings: Settings
) -> WishView:
    """An officer in region confirms (fulfilled, off the list) or sends the delivery back (claimed)."""
    require_role(caller, "officer", "admin")
    wish, private, claims = load(repo, wish_id)
    if not caller.is_officer_for(wish.region_code):
        raise NotFound("no such wish in your region")
    refuse_personal_data([("feedback", request.feedback)], beneficiary_name(private))  # shown to the public
    now = clock.now_iso()
    held = [c for c in claims if c.status in _OPEN_CLAIM_STATUSES]
    transaction = repo.transaction()
    moved: dict[str, Claim] = {}
    if request.accepted:
        value = wish.pledged_fen if wish.mode == "pooled" else (wish.target_fen or 0)
        after = wish.model_copy(
            update={
                "status": next_status(wish.status, Action.FULFILLED),
                "updated_at": now,
                "version": wish.version + 1,
                "feedback": request.feedback,
                "value_fen": value,
                "fulfilled_at": now,
            }
        )
        donors = sorted({c.donor_id for c in held})
        event = event_for(
            caller, Action.FULFILLED, wish, after, request.feedback or request.note, donor_ids=donors, amount_fen=value
        )
        transaction.replace_wish(wish, after, event)
        for claim in held:
            _move(transaction, moved, claim, ClaimStatus.FULFILLED, now, expect=claim.status)
        for donor in donors:
            transaction.count_donor(
                donor, active=-sum(c.donor_id == donor for c in held), fulfilled=sum(c.donor_id == donor for c in held)
            )
    else:
        if not request.note:
            raise InvalidInput("note", "say why the delivery is not accepted")
        after = wish.model_copy(
            update={
                "status": next_status(wish.status, Action.DELIVERY_REJECTED),
                "updated_at": now,
                "version": wish.version + 1,
            }
        )
        sole = next((c for c in held if c.kind is not ClaimKind.PLEDGE), None)
        event = event_for(
            caller,
            Action.DELIVERY_REJECTED,
            wish,
            after,
            request.note,
            donor_id=sole.donor_id if sole else None,
            claim_id=sole.id if sole else None,
        )
        transaction.replace_wish(wish, after, event)
        if sole is not None:  # the donor gets a fresh lease to make it right
            deadline = settings.days_from_now(settings.claim_lease_days)
            _move(
                transaction,
                moved,
                sole,
                ClaimStatus.ACTIVE,
                now,
                expect=sole.status,
                deadline=deadline,
                lease_due=settings.lease_due(deadline),
            )
    view = _answer(caller, after, private, claims, moved)
    _commit_or_conflict(repo, transaction, wish)
    return view


# ---------------------------------------------------------------- cancellation
def cancel(
    caller: Caller, wish_id: str, request: CancellationRequest, repo: WishRepository, settings: Settings
) -> WishView:
    """The submitting resident or an officer in region cancels, while no delivery is reported."""
    require_role(caller, "resident", "officer", "admin")
    wish, private, claims = load(repo, wish_id)
    submitter = caller.role == "resident" and caller.sub == wish.submitted_by
    if not submitter and not caller.is_officer_for(wish.region_code):
        raise NotFound("no such wish")
    status = next_status(wish.status, Action.CANCELLED)
    now = clock.now_iso()
    live = [c for c in claims if c.status in (ClaimStatus.ACTIVE, ClaimStatus.OFFERED)]
    after = wish.model_copy(
        update={
            "status": status,
            "updated_at": now,
            "version": wish.version + 1,
            "due_at": None,
            "assignee_id": None,
            "paused_due_at": None,
        }
    )
    donors = sorted({c.donor_id for c in live})
    event = event_for(caller, Action.CANCELLED, wish, after, request.reason, donor_ids=donors)
    transaction = repo.transaction()
    transaction.replace_wish(wish, after, event)
    moved: dict[str, Claim] = {}
    for claim in live:
        # Money pledged to a cancelled wish is owed back: marked so the federation refunds it.
        _move(
            transaction,
            moved,
            claim,
            ClaimStatus.REFUND_DUE if claim.kind is ClaimKind.PLEDGE else ClaimStatus.CANCELLED,
            now,
            expect=claim.status,
        )
    for donor in donors:
        held = sum(c.donor_id == donor and c.status is ClaimStatus.ACTIVE for c in live)
        if held:
            transaction.count_donor(donor, active=-held)
    view = _answer(caller, after, private, claims, moved)
    _commit_or_conflict(repo, transaction, wish)
    return view
