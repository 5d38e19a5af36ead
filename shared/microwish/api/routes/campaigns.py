"""Campaigns (专场活动): POST /campaigns, GET /campaigns, GET /campaigns/{id} with progress."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ...auth import Caller
from ...models import CampaignRequest, CampaignView, Page, RegionPrefix
from ...once import KeyedRequest
from ...repository import WishRepository
from ...services import campaigns
from ..app import BEARER
from ..dependencies import CurrentCaller, Repository
from ..idempotency import idempotent_replaying, path_id

router = Router()


def _replay_created(
    _: APIGatewayHttpResolver, __: Caller, repo: WishRepository, keyed: KeyedRequest
) -> Response[CampaignView]:
    """The campaign the key created (its id derives from the key)."""
    return Response(201, "application/json", campaigns.campaign_with_progress(repo, keyed.derived_uuid("campaign")))


def _replay_campaign(
    app: APIGatewayHttpResolver, _: Caller, repo: WishRepository, __: KeyedRequest
) -> Response[CampaignView]:
    return Response(200, "application/json", campaigns.campaign_with_progress(repo, path_id(app)))


@router.post(
    "/campaigns",
    summary="Create a campaign (专场), optionally with a sponsor's 1:1 matching",
    tags=["campaigns"],
    security=BEARER,
    description="Admins anywhere; officers for their own region (a township or more). A wish joins at "
    "submission or at review with `campaign_id`, while the campaign runs, if its village is "
    "in the campaign's region and it names one of its groups / is one of its categories. "
    "A matching offer names a sponsor (a donor) but binds them only once they accept it "
    "(POST /campaigns/{id}/matching/acceptance); views show its sponsor_name, never the "
    "sponsor's login id.",
    responses={201: {"description": "The campaign"}},
    middlewares=[idempotent_replaying(_replay_created, 201)],
)
def create(request: CampaignRequest, caller: CurrentCaller, repo: Repository) -> Response[CampaignView]:
    view = campaigns.create_campaign(caller, request, repo)
    return Response(201, "application/json", view)


@router.post(
    "/campaigns/<id>/matching/acceptance",
    summary="The named sponsor accepts the matching offer",
    tags=["campaigns"],
    security=BEARER,
    description="A matching offer binds nobody until the sponsor it names (a donor) accepts it: status "
    "offered → active; only then are pledges matched. The offer then shows the sponsor's own "
    "display name (PUT /me/profile). Accepting again answers the same.",
    responses={
        200: {"description": "The campaign, its offer active"},
        403: {"description": "The caller is not the sponsor the offer names"},
        404: {"description": "No such campaign, or it has no matching offer"},
        409: {"description": "The campaign has ended"},
    },
    middlewares=[idempotent_replaying(_replay_campaign)],
)
def accept_matching(id: str, caller: CurrentCaller, repo: Repository) -> Response[CampaignView]:
    view = campaigns.accept_matching(caller, id, repo)
    return Response(200, "application/json", view)


@router.get("/campaigns", summary="Campaigns, newest-ending first", tags=["campaigns"])
def list_campaigns(
    repo: Repository,
    region: Annotated[RegionPrefix | None, Query(description="Campaigns above or inside this region")] = None,
    active: Annotated[bool | None, Query(description="Only those running now (true) or not (false)")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Page[CampaignView]:
    items, next_cursor = campaigns.list_campaigns(repo, region, active, limit, cursor)
    return Page[CampaignView](items=items, next_cursor=next_cursor)


@router.get(
    "/campaigns/<id>",
    summary="A campaign with its progress",
    tags=["campaigns"],
    description="progress: wishes joined, open now, fulfilled, their value, distinct donors (from the "
    "report counters, seconds behind), and what the sponsor matched so far (exact).",
)
def get_campaign(id: str, repo: Repository) -> CampaignView:
    return campaigns.campaign_with_progress(repo, id)
