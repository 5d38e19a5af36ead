"""Submitting, reviewing, listing and showing wishes."""

from __future__ import annotations

from typing import Any

from .. import clock, once, regions
from ..auth import Caller, require_role
from ..errors import Forbidden, InvalidInput, NotFound
from ..lifecycle import INITIAL_STATUS, PUBLIC_STATUSES, Action, next_status
from ..models import CollectedBy, ReviewDecision, Wish, WishPrivateView, WishPublicView, WishSubmission, event_for
from ..personal_data import beneficiary_name, refuse_personal_data
from ..privacy import alias, refuse_village
from ..repository import ConditionFailed, ListQuery, WishRepository
from ..settings import Settings
from .views import changed_meanwhile, may_see_private, private_view, public_view

__all__ = ["get_wish", "list_wishes", "load_bundle_for_officer", "load_for_officer", "review_wish", "submit_wish"]


# ---------------------------------------------------------------- use cases
def _collector(caller: Caller, submission: WishSubmission, repo: WishRepository) -> CollectedBy | None:
    """The partner organization collecting the wish (征集, issue 12 §1), if `unit_id` names one: a partner of the
    registry (else 422), whose region holds the village (else 422), of which the caller is a member (else 403)."""
    if submission.unit_id is None:
        require_role(caller, "resident", "officer", "admin")
        if caller.role == "officer" and not caller.is_officer_for(submission.region_code):
            raise Forbidden("an officer submits wishes only for villages in their region")
        return None
    require_role(caller, "resident", "donor", "officer", "admin")
    from ..models.units import PARTNER_KINDS  # why: cold start (units only for a partner's wish)
    from . import units

    unit = units.require_member_of(caller, submission.unit_id, repo)
    if unit.kind not in PARTNER_KINDS:
        raise InvalidInput("unit_id", "only a partner organization collects wishes (a federation unit reviews them)")
    if not regions.contains(unit.region_code, submission.region_code):
        raise InvalidInput("unit_id", "the village is outside the unit's region")
    return CollectedBy(unit_id=unit.id, name=unit.name)


def submit_wish(
    caller: Caller, submission: WishSubmission, repo: WishRepository, settings: Settings
) -> WishPrivateView:
    collector = _collector(caller, submission, repo)
    refuse_personal_data(
        [("title", submission.title), ("description", submission.description)], submission.beneficiary.name
    )
    if submission.campaign_id:  # joins a running campaign whose region and targets fit (else 422)
        from .campaigns import check_joinable  # why: cold start (campaigns only for a campaign's wish)

        check_joinable(
            repo,
            submission.campaign_id,
            region_code=submission.region_code,
            category=submission.category,
            groups=list(submission.groups),
        )
    now = clock.now_iso()
    wish = Wish(
        id=once.new_uuid("wish"),
        title=submission.title,
        description=submission.description,
        category=submission.category,
        groups=list(submission.groups),
        region_code=submission.region_code,
        status=INITIAL_STATUS,
        target_fen=submission.target_fen,
        beneficiary_alias=alias(submission.beneficiary.name, list(submission.groups), submission.beneficiary.title),
        campaign_id=submission.campaign_id,
        needed_by=submission.needed_by,
        submitted_by=caller.sub or "",
        created_at=now,
        updated_at=now,
        due_at=settings.due_for(INITIAL_STATUS, "village"),
        collected_by=collector,
    )
    view = private_view(wish, {"beneficiary": submission.beneficiary.model_dump()}, [])
    once.answering(view)
    event = event_for(caller, Action.SUBMITTED, None, wish)
    try:  # a collector's membership is a guard of the submission's own transaction (removed meanwhile: 403)
        repo.put_new_wish(wish, submission.beneficiary, event, member_of=collector.unit_id if collector else None)
    except ConditionFailed as failure:
        if failure.guard is not None and failure.guard.name == "unit member":
            raise Forbidden("you act only for a unit you are a member of") from None
        raise
    return view


def load_for_officer(caller: Caller, wish_id: str, repo: WishRepository) -> Wish:
    """The wish, if the caller is an officer (or admin) of its region; 404 for anyone else."""
    require_role(caller, "officer", "admin")
    wish = repo.get_wish(wish_id)
    if wish is None or not caller.is_officer_for(wish.region_code):
        raise NotFound("no such wish in your region")
    return wish


def load_bundle_for_officer(
    caller: Caller, wish_id: str, repo: WishRepository
) -> tuple[Wish, dict[str, Any], list[dict[str, Any]]]:
    """The wish with its private part and claims (one Query), for an officer (or admin) of its region.

    For actions that leave the claims as they are: the answer's view is built from what was read
    and the changed wish, with no second read.
    """
    require_role(caller, "officer", "admin")
    bundle = repo.get_wish_bundle(wish_id)
    if bundle is None or not caller.is_officer_for(bundle[0].region_code):
        raise NotFound("no such wish in your region")
    return bundle


def review_wish(
    caller: Caller, wish_id: str, decision: ReviewDecision, repo: WishRepository, settings: Settings
) -> WishPrivateView:
    wish, private, claims = load_bundle_for_officer(caller, wish_id, repo)
    action = Action.APPROVED if decision.decision == "approve" else Action.REJECTED
    status = next_status(wish.status, action)
    now = clock.now_iso()
    changes: dict[str, Any] = {
        "status": status,
        "updated_at": now,
        "version": wish.version + 1,
        "review_reason": decision.reason,
    }
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
        changes.update(mode=mode, target_fen=target, due_at=settings.due_for(status, wish.level), approved_at=now)
    joined = None
    if decision.campaign_id and decision.campaign_id != wish.campaign_id:  # joins a campaign at review
        if wish.campaign_id:
            raise InvalidInput("campaign_id", "the wish is already in a campaign")
        from .campaigns import check_joinable  # why: cold start (campaigns only for a campaign's wish)

        check_joinable(
            repo, decision.campaign_id, region_code=wish.region_code, category=wish.category, groups=wish.groups
        )
        changes["campaign_id"] = joined = decision.campaign_id
    after = wish.model_copy(update=changes)
    view = private_view(after, private, claims)
    once.answering(view)
    try:
        repo.replace_wish(wish, after, event_for(caller, action, wish, after, decision.reason, campaign_joined=joined))
    except ConditionFailed as failure:
        raise changed_meanwhile(repo, wish, failure) from None
    return view


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
