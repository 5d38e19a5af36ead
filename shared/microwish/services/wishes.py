"""Submitting, reviewing, listing and showing wishes."""

from __future__ import annotations

from datetime import timedelta

from .. import clock, once
from ..auth import Caller, require_role
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..lifecycle import INITIAL_STATUS, PUBLIC_STATUSES, Action, Status, next_status
from ..models import (
    AuditEvent,
    BeneficiaryView,
    ReviewDecision,
    Wish,
    WishPrivateView,
    WishPublicView,
    WishSubmission,
)
from ..personal_data import beneficiary_name, mask, refuse_personal_data
from ..privacy import alias, refuse_village
from ..registry import get_registry
from ..repository import ConditionFailed, ListQuery, WishRepository
from ..settings import Settings


def due_for(settings: Settings, status: Status, level: str) -> str:
    days = settings.review_window_days if status is Status.SUBMITTED else settings.window_days(level)
    return clock.iso(clock.now() + timedelta(days=days))


def event_for(caller: Caller, action: Action, before: Wish | None, after: Wish, note: str | None = None,
              at: str | None = None, **subject: object) -> AuditEvent:
    """The audit event of a change; `subject` names whom it concerns (donor_id, claim_id, amount_fen, donor_ids)."""
    return AuditEvent(
        at=at or after.updated_at, actor=caller.sub or "system", actor_role=caller.role or "system",
        action=action, from_status=before.status if before else None, to_status=after.status,
        from_level=before.level if before else None, to_level=after.level, note=note, **subject,
    )


def conflict_from(failure: ConditionFailed, fallback: Wish) -> Conflict:
    """A 409 that names the state the wish is really in now."""
    status = (failure.item or {}).get("status", fallback.status.value)
    return Conflict(f"the wish changed meanwhile and is now {status}", state=status)


# ---------------------------------------------------------------- views
def public_view(wish: Wish) -> WishPublicView:
    fields = wish.model_dump(include=set(WishPublicView.model_fields) - {"view", "township_code", "region_name"})
    for name in ("title", "description", "feedback"):  # text stored before it was checked: mask what slipped in
        fields[name] = mask(fields.get(name))
    return WishPublicView(
        **fields,
        township_code=wish.township_code,
        region_name=get_registry().full_name(wish.township_code),
    )


def private_view(wish: Wish, private: dict, claims: list[dict]) -> WishPrivateView:
    beneficiary = private.get("beneficiary", {})
    erased = bool(private.get("erased_at"))  # an erased private part is a tombstone: no name, phone, address
    return WishPrivateView(
        **public_view(wish).model_dump(exclude={"view"}),
        region_code=wish.region_code,
        handling_region_code=wish.handling_region_code,
        beneficiary=None if erased else BeneficiaryView(
            name=beneficiary.get("name", ""), phone=beneficiary.get("phone", ""),
            address=beneficiary.get("address", "")),
        personal_data_erased=erased,
        review_reason=wish.review_reason,
        claims=[_claim_view(claim) for claim in claims],
    )


def _claim_view(claim: dict) -> dict:
    fields = ("id", "wish_id", "donor_id", "donor_name", "donor_kind", "amount_fen", "status", "created_at",
              "deadline")
    return {key: claim.get(key) for key in fields}


def may_see_private(caller: Caller, wish: Wish) -> bool:
    return caller.is_officer_for(wish.region_code) or (
        caller.role == "resident" and caller.sub == wish.submitted_by)


def view_for(caller: Caller, wish: Wish, private: dict, claims: list[dict]) -> WishPrivateView | WishPublicView:
    """The view WHO calls may see: private for officers in region, admins and the submitting resident;
    the public view for anyone else (a donor acting on the wish included). Never decided by the route."""
    return private_view(wish, private, claims) if may_see_private(caller, wish) else public_view(wish)


def replayed_view(caller: Caller, public: dict, repo: WishRepository) -> WishPrivateView | WishPublicView:
    """A remembered answer (its public part, as idempotency records keep it), with the private part
    re-read from the table for a caller entitled to it now; the public part as remembered otherwise."""
    bundle = repo.get_wish_bundle(str(public.get("id", "")))
    if bundle is None or not may_see_private(caller, bundle[0]):
        return WishPublicView.model_validate(public)
    current = private_view(*bundle).model_dump()
    return WishPrivateView.model_validate({**current, **public, "view": "private"})


# ---------------------------------------------------------------- use cases
def submit_wish(caller: Caller, submission: WishSubmission, repo: WishRepository,
                settings: Settings) -> WishPrivateView:
    require_role(caller, "resident", "officer", "admin")
    if caller.role == "officer" and not caller.is_officer_for(submission.region_code):
        raise Forbidden("an officer submits wishes only for villages in their region")
    refuse_personal_data([("title", submission.title), ("description", submission.description)],
                         submission.beneficiary.name)
    if submission.campaign_id:  # joins a running campaign whose region and targets fit (else 422)
        from .campaigns import check_joinable

        check_joinable(repo, submission.campaign_id, region_code=submission.region_code,
                       category=submission.category, groups=list(submission.groups))
    now = clock.now_iso()
    wish = Wish(
        id=once.new_uuid("wish"), title=submission.title, description=submission.description,
        category=submission.category, groups=list(submission.groups), region_code=submission.region_code,
        status=INITIAL_STATUS, target_fen=submission.target_fen,
        beneficiary_alias=alias(submission.beneficiary.name, list(submission.groups),
                                submission.beneficiary.title),
        campaign_id=submission.campaign_id, needed_by=submission.needed_by, submitted_by=caller.sub or "",
        created_at=now, updated_at=now, due_at=due_for(settings, INITIAL_STATUS, "village"),
    )
    repo.put_new_wish(wish, submission.beneficiary, event_for(caller, Action.SUBMITTED, None, wish))
    return private_view(wish, {"beneficiary": submission.beneficiary.model_dump()}, [])


def load_for_officer(caller: Caller, wish_id: str, repo: WishRepository) -> Wish:
    """The wish, if the caller is an officer (or admin) of its region; 404 for anyone else."""
    require_role(caller, "officer", "admin")
    wish = repo.get_wish(wish_id)
    if wish is None or not caller.is_officer_for(wish.region_code):
        raise NotFound("no such wish in your region")
    return wish


def load_bundle_for_officer(caller: Caller, wish_id: str, repo: WishRepository) -> tuple[Wish, dict, list[dict]]:
    """The wish with its private part and claims (one Query), for an officer (or admin) of its region.

    For actions that leave the claims as they are: the answer's view is built from what was read
    and the changed wish, with no second read.
    """
    require_role(caller, "officer", "admin")
    bundle = repo.get_wish_bundle(wish_id)
    if bundle is None or not caller.is_officer_for(bundle[0].region_code):
        raise NotFound("no such wish in your region")
    return bundle


def review_wish(caller: Caller, wish_id: str, decision: ReviewDecision, repo: WishRepository,
                settings: Settings) -> WishPrivateView:
    wish, private, claims = load_bundle_for_officer(caller, wish_id, repo)
    action = Action.APPROVED if decision.decision == "approve" else Action.REJECTED
    status = next_status(wish.status, action)
    now = clock.now_iso()
    changes: dict = {"status": status, "updated_at": now, "version": wish.version + 1,
                     "review_reason": decision.reason}
    if action is Action.REJECTED:
        if not decision.reason:
            raise InvalidInput("reason", "a rejection needs a reason the resident can read")
        changes["due_at"] = None
    else:  # what goes public must be free of personal data (a rejection can say so)
        refuse_personal_data([("title", wish.title), ("description", wish.description)], beneficiary_name(private))
        mode = decision.mode or wish.mode
        target = decision.target_fen if decision.target_fen is not None else wish.target_fen
        if mode == "pooled" and not target:
            raise InvalidInput("target_fen", "a pooled wish needs a target above 0")
        changes.update(mode=mode, target_fen=target, due_at=due_for(settings, status, wish.level), approved_at=now)
    joined = None
    if decision.campaign_id and decision.campaign_id != wish.campaign_id:  # joins a campaign at review
        from .campaigns import check_joinable

        if wish.campaign_id:
            raise InvalidInput("campaign_id", "the wish is already in a campaign")
        check_joinable(repo, decision.campaign_id, region_code=wish.region_code, category=wish.category,
                       groups=wish.groups)
        changes["campaign_id"] = joined = decision.campaign_id
    after = wish.model_copy(update=changes)
    try:
        repo.replace_wish(wish, after, event_for(caller, action, wish, after, decision.reason,
                                                 campaign_joined=joined))
    except ConditionFailed as failure:
        raise conflict_from(failure, wish) from None
    return private_view(after, private, claims)


def get_wish(caller: Caller, wish_id: str, repo: WishRepository) -> WishPublicView | WishPrivateView:
    bundle = repo.get_wish_bundle(wish_id)
    if bundle is None:
        raise NotFound("no such wish")
    wish = bundle[0]
    if may_see_private(caller, wish):
        return private_view(*bundle)
    if wish.status not in PUBLIC_STATUSES:
        raise NotFound("no such wish")  # the public must not learn submitted or rejected wishes exist
    return public_view(wish)


def list_wishes(caller: Caller, query: ListQuery, repo: WishRepository) -> tuple[list[WishPublicView], str | None]:
    """A page of the dynamic wish list. Anyone sees what is public; officers also their region's queue."""
    if query.status not in PUBLIC_STATUSES and not caller.is_officer_for(query.region):
        raise Forbidden(f"{query.status.value} wishes are listed only for officers of region {query.region}")
    if not caller.is_officer_for(query.region):  # only those who may see villages filter by one
        refuse_village(query.region, "the list stops at the township: a village filter is for the village's officers")
    wishes, cursor = repo.list_wishes(query)
    return [public_view(wish) for wish in wishes], cursor
