"""Campaigns (专场活动): time-boxed, themed lists with partners, their own progress, and matching.

Item layout (the wish table):
- campaign  PK=CAMPAIGN#<id>  SK=CAMPAIGN   the campaign, its matching offer and `matched_fen`;
            on the ByPerson index as PersonPK="CAMPAIGNS", PersonSK="<ends_at>#<id>" (the campaign list:
            one small partition, newest-ending first; a federation runs tens of campaigns a year).
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

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator

from .. import clock, once, regions
from ..auth import Caller, require_role
from ..catalog import CategoryCode, GroupCode
from ..errors import Forbidden, InvalidInput, NotFound
from ..models import MAX_TARGET_FEN, CalendarDateTime, Claim, Description, RegionPrefix, Strict, Text50, Wish
from ..registry import get_registry
from ..repository import Transaction, WishRepository, claim_item, from_dynamo, to_dynamo

CAMPAIGN_SK = "CAMPAIGN"
CAMPAIGN_LIST = "CAMPAIGNS"
MAX_CAP_FEN = 1_000 * MAX_TARGET_FEN  # ¥100,000,000: a sponsor's whole matching budget
CampaignId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


# ---------------------------------------------------------------- models
class MatchingOffer(Strict):
    sponsor_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
    sponsor_name: Text50
    cap_fen: Annotated[int, Field(ge=1, le=MAX_CAP_FEN, description="The most the sponsor matches, in fen.")]


class MatchingTerms(BaseModel):
    """The stored offer: it binds the sponsor only once they accepted it (status active)."""

    sponsor_id: str
    sponsor_name: str
    cap_fen: int
    status: Literal["offered", "active"] = "offered"  # items from before acceptance existed: not binding
    accepted_at: str | None = None


class MatchingView(BaseModel):
    """What anyone sees of a matching offer: a display name, never the sponsor's login id."""

    sponsor_name: str = Field(description="The sponsor's display name (their own, once they accepted)")
    cap_fen: int
    status: Literal["offered", "active"] = Field(
        description="offered: named by the officer, binds nobody yet; active: the sponsor accepted, pledges "
                    "are matched")


class CampaignRequest(Strict):
    name: Text50
    description: Description = ""
    region_code: RegionPrefix = Field(description="The campaign's region (province to township), e.g. 4312.")
    starts_at: CalendarDateTime
    ends_at: CalendarDateTime
    groups: list[GroupCode] = Field(default_factory=list, max_length=8,
                                    description="Target groups: a wish joins if it names one of them.")
    categories: list[CategoryCode] = Field(default_factory=list, max_length=5,
                                           description="Target categories: a wish joins if it is one of them.")
    matching: MatchingOffer | None = None

    @field_validator("region_code")
    @classmethod
    def _known_region(cls, value: str) -> str:
        region = get_registry().get(value)
        if region is None:
            raise ValueError("is not a known region code")
        if region.level == "village":
            raise ValueError("a campaign covers a township or more, not one village")
        return value

    @field_validator("groups", "categories")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("must not repeat")
        return value

    @field_validator("ends_at")
    @classmethod
    def _period(cls, value: datetime, info: ValidationInfo) -> datetime:
        starts = info.data.get("starts_at")
        if starts is not None and value <= starts:
            raise ValueError("must be after starts_at")
        return value


class Campaign(BaseModel):
    id: str
    name: str
    description: str = ""
    region_code: str
    starts_at: str
    ends_at: str
    groups: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    matching: MatchingTerms | None = None
    matched_fen: int = 0
    created_by: str
    created_at: str

    def running(self, now: str) -> bool:
        return self.starts_at <= now < self.ends_at


class CampaignProgress(BaseModel):
    wishes: int = Field(0, description="Wishes submitted into the campaign (or joined at review)")
    open: int = 0
    fulfilled: int = 0
    value_fen: int = Field(0, description="What the fulfilled wishes were worth")
    donors: int = Field(0, description="Distinct donors of the fulfilled wishes")
    matched_fen: int = Field(0, description="What the sponsor matched so far (never above the cap)")
    cap_fen: int | None = None


class CampaignView(BaseModel):
    id: str
    name: str
    description: str
    region_code: str
    region_name: str
    starts_at: str
    ends_at: str
    groups: list[str]
    categories: list[str]
    matching: MatchingView | None
    active: bool
    created_at: str
    progress: CampaignProgress | None = None


# ---------------------------------------------------------------- storage
def campaign_key(campaign_id: str) -> dict[str, str]:
    return {"PK": f"CAMPAIGN#{campaign_id}", "SK": CAMPAIGN_SK}


def _item(campaign: Campaign) -> dict[str, Any]:
    return {**campaign_key(campaign.id), "type": "campaign", **campaign.model_dump(mode="json"),
            "PersonPK": CAMPAIGN_LIST, "PersonSK": f"{campaign.ends_at}#{campaign.id}"}


def get_campaign(repo: WishRepository, campaign_id: str) -> Campaign | None:
    if not (len(campaign_id) == 32 and all(c in "0123456789abcdef" for c in campaign_id)):
        return None
    response = repo.client.get_item(TableName=repo.table_name, Key=to_dynamo(campaign_key(campaign_id)))
    item = response.get("Item")
    return Campaign.model_validate(from_dynamo(item)) if item else None


def _iso(moment: datetime) -> str:
    return clock.iso(moment)


# ---------------------------------------------------------------- use cases
def create_campaign(caller: Caller, request: CampaignRequest, repo: WishRepository) -> CampaignView:
    require_role(caller, "admin", "officer")
    if caller.role == "officer" and not (caller.region and regions.contains(caller.region, request.region_code)):
        raise Forbidden("an officer creates campaigns only for their own region")
    now = clock.now_iso()
    campaign = Campaign(id=once.new_uuid("campaign"), name=request.name, description=request.description,
                        region_code=request.region_code, starts_at=_iso(request.starts_at),
                        ends_at=_iso(request.ends_at), groups=list(request.groups),
                        categories=list(request.categories),
                        matching=MatchingTerms(**request.matching.model_dump()) if request.matching else None,
                        created_by=caller.sub or "", created_at=now)
    repo.client.put_item(TableName=repo.table_name, Item=to_dynamo(_item(campaign)),
                         ConditionExpression="attribute_not_exists(PK)")
    return view(campaign, now)


def view(campaign: Campaign, now: str, progress: CampaignProgress | None = None) -> CampaignView:
    matching = campaign.matching
    return CampaignView(
        **campaign.model_dump(include={"id", "name", "description", "region_code", "starts_at", "ends_at",
                                       "groups", "categories", "created_at"}),
        matching=MatchingView(sponsor_name=matching.sponsor_name, cap_fen=matching.cap_fen,
                              status=matching.status) if matching else None,
        region_name=get_registry().full_name(campaign.region_code), active=campaign.running(now),
        progress=progress)


def list_campaigns(repo: WishRepository, region: str | None, active: bool | None, limit: int,
                   cursor: str | None) -> tuple[list[CampaignView], str | None]:
    """Campaigns newest-ending first; `region` keeps those above or inside it (a city's campaign
    concerns its counties; a county's campaign its city); `active` those running now (or not)."""
    from ..repository import decode_cursor, encode_cursor

    now = clock.now_iso()
    names: dict[str, str] = {}
    values: dict[str, Any] = {":list": CAMPAIGN_LIST}
    filters = []
    if active is True:
        filters.append("starts_at <= :now AND ends_at > :now")
        values[":now"] = now
    elif active is False:
        filters.append("(starts_at > :now OR ends_at <= :now)")
        values[":now"] = now
    params: dict[str, Any] = {
        "IndexName": "ByPerson", "KeyConditionExpression": "PersonPK = :list",
        "ScanIndexForward": False, "ExpressionAttributeValues": to_dynamo(values)}
    if filters:
        params["FilterExpression"] = " AND ".join(filters)
    if names:
        params["ExpressionAttributeNames"] = names
    start = decode_cursor(cursor, {"PK", "SK", "PersonPK", "PersonSK"}, ("PersonPK", CAMPAIGN_LIST))
    found: list[CampaignView] = []
    read = 0
    while True:
        response = repo._query(**params, Limit=limit - len(found), ExclusiveStartKey=start)  # noqa: SLF001
        read += response.get("ScannedCount", 0)
        for item in response.get("Items", []):
            campaign = Campaign.model_validate(from_dynamo(item))
            if region is None or regions.contains(region, campaign.region_code) or regions.contains(
                    campaign.region_code, region):
                found.append(view(campaign, now))
        start = response.get("LastEvaluatedKey")
        if not start or len(found) >= limit or read >= 500:
            return found, encode_cursor(start)


def campaign_with_progress(repo: WishRepository, campaign_id: str) -> CampaignView:
    from . import reports

    campaign = get_campaign(repo, campaign_id)
    if campaign is None:
        raise NotFound("no such campaign")
    totals = reports.campaign_totals(repo, campaign.region_code, campaign.id)
    progress = CampaignProgress(**totals, matched_fen=campaign.matched_fen,
                                cap_fen=campaign.matching.cap_fen if campaign.matching else None)
    return view(campaign, clock.now_iso(), progress)


def check_joinable(repo: WishRepository, campaign_id: str, *, region_code: str, category: str,
                   groups: list[str]) -> Campaign:
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
    from ..errors import Conflict
    from .profiles import display_name_of

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
    with contextlib.suppress(repo.client.exceptions.ConditionalCheckFailedException):
        # lost: accepted meanwhile, or an item from before offers had a status; what is there decides
        repo.client.update_item(
            TableName=repo.table_name, Key=to_dynamo(campaign_key(campaign.id)),
            UpdateExpression="SET matching.#status = :active, matching.accepted_at = :now, "
                             "matching.sponsor_name = :name",
            ConditionExpression="matching.sponsor_id = :me AND (attribute_not_exists(matching.#status) OR "
                                "matching.#status = :offered)",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=to_dynamo({":active": "active", ":offered": "offered", ":now": now,
                                                 ":name": name, ":me": caller.sub}))
    accepted = get_campaign(repo, campaign.id)
    assert accepted is not None and accepted.matching is not None
    if accepted.matching.status != "active":
        raise Conflict("the offer could not be accepted; try again", state=accepted.matching.status)
    return view(accepted, now)


@dataclass(frozen=True)
class Match:
    campaign: Campaign
    amount_fen: int


def match_for(caller: Caller, wish: Wish, amount_fen: int, remaining: int, repo: WishRepository,
              now: str) -> Match | None:
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
    offer = match.campaign.matching
    assert offer is not None
    claim = Claim(id=f"{wish.id}-{once.new_id('match:' + wish.id)}", wish_id=wish.id, donor_id=offer.sponsor_id,
                  donor_name=offer.sponsor_name, donor_kind="unit", kind="pledge", amount_fen=match.amount_fen,
                  status="active", created_at=now, updated_at=now, wish_title=wish.title, matched=True,
                  matched_claim_id=pledge.id, note=f"配捐 {pledge.id}")
    transaction.put(claim_item(claim), "attribute_not_exists(PK)")
    move_matched(transaction, match.campaign, match.amount_fen)
    return claim


def move_matched(transaction: Transaction, campaign: Campaign, delta: int) -> None:
    cap = campaign.matching.cap_fen if campaign.matching else 0
    if delta > 0:
        transaction.update(campaign_key(campaign.id), "ADD matched_fen :delta",
                           "attribute_exists(PK) AND (attribute_not_exists(matched_fen) OR matched_fen <= :room)",
                           {":delta": delta, ":room": cap - delta})
    else:
        transaction.update(campaign_key(campaign.id), "ADD matched_fen :delta", "attribute_exists(PK)",
                           {":delta": delta})


def match_of(claims: list[Claim], pledge: Claim) -> Claim | None:
    """The active matching pledge a donor's pledge brought, if any."""
    return next((c for c in claims if c.matched and c.matched_claim_id == pledge.id and c.status == "active"), None)


MATCHING = Caller(sub="system:matching")


def write_match(transaction: Transaction, match: Match, before: Wish, after: Wish, pledge: Claim, now: str) -> None:
    """Everything the match adds to the pledge's transaction: the sponsor's pledge, the sponsor's
    record, the campaign's matched total (guarded by the cap) and its own audit event."""
    from ..lifecycle import Action
    from ..repository import audit_item
    from .claims import count_donor
    from .wishes import event_for

    claim = add_match(transaction, match, after, pledge, now)
    count_donor(transaction, claim.donor_id, active=1, claimed=1)  # a sponsor is not held to the claim limit
    event = event_for(MATCHING, Action.PLEDGED, before, after, f"配捐：{claim.donor_name} 按 1:1 配捐",
                      donor_id=claim.donor_id, claim_id=claim.id, amount_fen=claim.amount_fen)
    transaction.put(audit_item(after, event, order=2), "attribute_not_exists(PK)")


def release_match(transaction: Transaction, repo: WishRepository, before: Wish, after: Wish, match: Claim,
                  now: str) -> None:
    """A withdrawn pledge takes its match with it, and the amount goes back to the sponsor's cap."""
    from ..lifecycle import Action
    from ..repository import audit_item
    from .claims import count_donor, set_claim_status
    from .wishes import event_for

    set_claim_status(transaction, match, "withdrawn", now, expect="active")
    count_donor(transaction, match.donor_id, active=-1, withdrawn=1)
    event = event_for(MATCHING, Action.WITHDRAWN, before, after, "配捐随认捐撤回", donor_id=match.donor_id,
                      claim_id=match.id, amount_fen=match.amount_fen)
    transaction.put(audit_item(after, event, order=1), "attribute_not_exists(PK)")
    campaign = get_campaign(repo, before.campaign_id or "")
    if campaign is not None:
        move_matched(transaction, campaign, -(match.amount_fen or 0))
