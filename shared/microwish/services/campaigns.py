"""Campaigns (专场活动): time-boxed, themed lists with partners, their own progress, and matching.

Stored by repository/campaigns.py (the campaign list: one small partition, newest-ending first).
A wish joins a campaign at submission or at review (`campaign_id`); its list is GET /wishes?campaign=
(the ByCampaign index). Progress comes from the report counters (services/stats.py) of the campaign's
region, plus `matched_fen`, which the pledge transaction itself moves (never past the cap).

Matching (配捐): a sponsor matches pledges 1:1 up to a cap. On a pooled wish of a running campaign
with a matching offer, a donor's pledge of X adds the sponsor's pledge of
min(X, cap left, what remains of the target after X) in the SAME transaction as the pledge, with a
conditional update of the campaign's matched total (matched + m ≤ cap). Nobody is matched on a
wish they submitted; the sponsor is not matched on their own pledge. Withdrawing a matched pledge
withdraws its match and gives the amount back to the cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import clock, once, regions
from ..auth import Caller, require_role
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..lifecycle import Action
from ..models import (
    Campaign,
    CampaignProgress,
    CampaignRequest,
    CampaignView,
    MatchingTerms,
    MatchingView,
    Wish,
    event_for,
)
from ..registry import get_registry
from ..repository import Transaction, WishRepository
from .profiles import display_name_of

if TYPE_CHECKING:
    from ..models import Claim


def get_campaign(repo: WishRepository, campaign_id: str) -> Campaign | None:
    return repo.campaigns.get(campaign_id)


# ---------------------------------------------------------------- use cases
def create_campaign(caller: Caller, request: CampaignRequest, repo: WishRepository) -> CampaignView:
    require_role(caller, "admin", "officer")
    if caller.role == "officer" and not (caller.region and regions.contains(caller.region, request.region_code)):
        raise Forbidden("an officer creates campaigns only for their own region")
    now = clock.now_iso()
    campaign = Campaign(
        id=once.new_uuid("campaign"),
        name=request.name,
        description=request.description,
        region_code=request.region_code,
        starts_at=clock.iso(request.starts_at),
        ends_at=clock.iso(request.ends_at),
        groups=list(request.groups),
        categories=list(request.categories),
        matching=MatchingTerms(**request.matching.model_dump()) if request.matching else None,
        created_by=caller.sub or "",
        created_at=now,
    )
    answer = view(campaign, now)
    once.answering(answer)
    repo.campaigns.create(campaign)
    return answer


def view(campaign: Campaign, now: str, progress: CampaignProgress | None = None) -> CampaignView:
    matching = campaign.matching
    return CampaignView(
        **campaign.model_dump(
            include={
                "id",
                "name",
                "description",
                "region_code",
                "starts_at",
                "ends_at",
                "groups",
                "categories",
                "created_at",
            }
        ),
        matching=MatchingView(sponsor_name=matching.sponsor_name, cap_fen=matching.cap_fen, status=matching.status)
        if matching
        else None,
        region_name=get_registry().full_name(campaign.region_code),
        active=campaign.running(now),
        progress=progress,
    )


def list_campaigns(
    repo: WishRepository, region: str | None, active: bool | None, limit: int, cursor: str | None
) -> tuple[list[CampaignView], str | None]:
    """Campaigns newest-ending first; `region` keeps those above or inside it (a city's campaign
    concerns its counties; a county's campaign its city); `active` those running now (or not)."""
    now = clock.now_iso()

    def concerns(campaign: Campaign) -> bool:
        return (
            region is None
            or regions.contains(region, campaign.region_code)
            or regions.contains(campaign.region_code, region)
        )

    found, next_cursor = repo.campaigns.page(now, active, concerns, limit, cursor)
    return [view(campaign, now) for campaign in found], next_cursor


def campaign_with_progress(repo: WishRepository, campaign_id: str) -> CampaignView:
    # Lazy for cold start: the wish functions import this module (check_joinable); only this reads reports.
    from . import reports

    campaign = get_campaign(repo, campaign_id)
    if campaign is None:
        raise NotFound("no such campaign")
    totals = reports.campaign_totals(repo, campaign.region_code, campaign.id)
    progress = CampaignProgress(
        **totals, matched_fen=campaign.matched_fen, cap_fen=campaign.matching.cap_fen if campaign.matching else None
    )
    return view(campaign, clock.now_iso(), progress)


def check_joinable(
    repo: WishRepository, campaign_id: str, *, region_code: str, category: str, groups: list[str]
) -> Campaign:
    """The campaign a wish may join now, or a 422 on campaign_id that says why not."""
    campaign = get_campaign(repo, campaign_id)
    if campaign is None:
        raise InvalidInput("campaign_id", "is not a known campaign")
    if not campaign.running(clock.now_iso()):
        raise InvalidInput("campaign_id", f"the campaign runs from {campaign.starts_at} to {campaign.ends_at}")
    if not regions.contains(campaign.region_code, region_code):
        raise InvalidInput("campaign_id", f"the campaign is for region {campaign.region_code}, not this village")
    if campaign.categories and category not in campaign.categories:
        raise InvalidInput("campaign_id", "the campaign is for the categories " + ", ".join(campaign.categories))
    if campaign.groups and not set(groups) & set(campaign.groups):
        raise InvalidInput("campaign_id", "the campaign is for the groups " + ", ".join(campaign.groups))
    return campaign


# ---------------------------------------------------------------- matching (配捐)
def accept_matching(caller: Caller, campaign_id: str, repo: WishRepository) -> CampaignView:
    """The named sponsor accepts the matching offer: from now on their pledges match (offered → active).

    Only the sponsor (403 for anyone else); accepting again answers the same. The offer then shows the
    sponsor's own display name (services/profiles.py), not what the officer typed.
    """
    campaign = get_campaign(repo, campaign_id)
    if campaign is None or campaign.matching is None:
        raise NotFound("no such campaign with a matching offer")
    if caller.anonymous:
        require_role(caller, "donor")
    if caller.role != "donor" or caller.sub != campaign.matching.sponsor_id:
        raise Forbidden("only the sponsor the offer names may accept it")
    now = clock.now_iso()
    if campaign.matching.status == "active":
        return view(campaign, now)
    if campaign.ends_at <= now:
        raise Conflict("the campaign has ended", state="ended")
    name = display_name_of(caller, repo)
    accepted = campaign.model_copy(  # as the acceptance writes it: the answer needs no read after
        update={
            "matching": campaign.matching.model_copy(
                update={"status": "active", "accepted_at": now, "sponsor_name": name}
            )
        }
    )
    answer = view(accepted, now)
    once.answering(answer)
    if repo.campaigns.accept_matching(campaign, caller.sub or "", name, now):
        return answer
    # lost: accepted meanwhile, or an item from before offers had a status; what is there decides
    found = get_campaign(repo, campaign.id)
    assert found is not None and found.matching is not None
    if found.matching.status != "active":
        raise Conflict("the offer could not be accepted; try again", state=found.matching.status)
    return view(found, now)


@dataclass(frozen=True)
class Match:
    campaign: Campaign
    amount_fen: int


def match_for(
    caller: Caller, wish: Wish, amount_fen: int, remaining: int, repo: WishRepository, now: str
) -> Match | None:
    """What the wish's campaign sponsor adds to this pledge: min(X, cap left, remaining after X)."""
    if not wish.campaign_id or wish.mode != "pooled":
        return None
    campaign = get_campaign(repo, wish.campaign_id)
    if campaign is None or campaign.matching is None or not campaign.running(now):
        return None
    if campaign.matching.status != "active":
        return None  # an offer binds the sponsor only once they accepted it
    if caller.sub in (campaign.matching.sponsor_id, wish.submitted_by):
        return None  # the sponsor does not match themselves; nobody is matched on their own wish
    amount = min(amount_fen, campaign.matching.cap_fen - campaign.matched_fen, remaining - amount_fen)
    return Match(campaign, amount) if amount > 0 else None


def add_match(transaction: Transaction, match: Match, wish: Wish, pledge: Claim, now: str) -> Claim:
    """The sponsor's matching pledge, and the cap-guarded move of the campaign's matched total."""
    from ..models import Claim, ClaimKind, ClaimStatus  # why: cold start (the campaigns function never matches)

    offer = match.campaign.matching
    assert offer is not None
    claim = Claim(
        id=f"{wish.id}-{once.new_id('match:' + wish.id)}",
        wish_id=wish.id,
        donor_id=offer.sponsor_id,
        donor_name=offer.sponsor_name,
        donor_kind="unit",
        kind=ClaimKind.PLEDGE,
        amount_fen=match.amount_fen,
        status=ClaimStatus.ACTIVE,
        created_at=now,
        updated_at=now,
        wish_title=wish.title,
        matched=True,
        matched_claim_id=pledge.id,
        note=f"配捐 {pledge.id}",
    )
    transaction.put_claim(claim)
    transaction.move_matched(match.campaign, match.amount_fen)
    return claim


def match_of(claims: list[Claim], pledge: Claim) -> Claim | None:
    """The active matching pledge a donor's pledge brought, if any."""
    return next((c for c in claims if c.matched and c.matched_claim_id == pledge.id and c.status == "active"), None)


MATCHING = Caller(sub="system:matching")


def write_match(transaction: Transaction, match: Match, before: Wish, after: Wish, pledge: Claim, now: str) -> None:
    """Everything the match adds to the pledge's transaction: the sponsor's pledge, the sponsor's
    record, the campaign's matched total (guarded by the cap) and its own audit event."""
    claim = add_match(transaction, match, after, pledge, now)
    transaction.count_donor(claim.donor_id, active=1, claimed=1)  # a sponsor is not held to the claim limit
    event = event_for(
        MATCHING,
        Action.PLEDGED,
        before,
        after,
        f"配捐：{claim.donor_name} 按 1:1 配捐",
        donor_id=claim.donor_id,
        claim_id=claim.id,
        amount_fen=claim.amount_fen,
    )
    transaction.audit(after, event, order=2)


def release_match(
    transaction: Transaction, repo: WishRepository, before: Wish, after: Wish, match: Claim, now: str
) -> None:
    """A withdrawn pledge takes its match with it, and the amount goes back to the sponsor's cap."""
    from ..models import ClaimStatus  # why: cold start (as in add_match)

    transaction.move_claim(match, ClaimStatus.WITHDRAWN, now, expect=ClaimStatus.ACTIVE)
    transaction.count_donor(match.donor_id, active=-1, withdrawn=1)
    event = event_for(
        MATCHING,
        Action.WITHDRAWN,
        before,
        after,
        "配捐随认捐撤回",
        donor_id=match.donor_id,
        claim_id=match.id,
        amount_fen=match.amount_fen,
    )
    transaction.audit(after, event, order=1)
    campaign = get_campaign(repo, before.campaign_id or "")
    if campaign is not None:
        transaction.move_matched(campaign, -(match.amount_fen or 0))
