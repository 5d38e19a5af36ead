"""Activities (圆梦活动) of a unit, and the yearly quota's compliance view (issue 12 §2)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ...models import RegionPrefix
from ...models.activities import ActivityRequest, ActivityView, Compliance
from ...services import activities
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository
from ..idempotency import idempotent

router = Router()


@router.post(
    "/units/<id>/activities",
    summary="Record a unit's activity (圆梦活动)",
    tags=["units"],
    security=BEARER,
    description="By the unit's admins and the officers of its region: title, day, the wishes it fulfilled "
    "(wish_ids), participants, summary (public text: no phone or ID numbers), campaign_id. Counts toward the "
    "unit's yearly quota (GET /compliance). The unit's members are told in their inbox (`activity_held`); the "
    "wishes it lists that are (or come to be) fulfilled count for the unit in GET /recognition, once each.",
    middlewares=[idempotent],
    responses={
        201: {"description": "The activity"},
        403: {"description": "Not the unit's admin nor an officer of its region"},
        404: {"description": "No such unit"},
        422: {"description": "A field is not valid (named in `errors`): an unknown wish or campaign too"},
    },
)
def create_activity(
    id: str, request: ActivityRequest, caller: CurrentCaller, repo: Repository
) -> Response[ActivityView]:
    return Response(201, "application/json", activities.create_activity(caller, id, request, repo))


@router.get(
    "/units/<id>/activities",
    summary="A unit's activities, latest first",
    tags=["units"],
    security=BEARER,
    responses={200: {"description": "The activities"}, 404: {"description": "No such unit"}},
)
def unit_activities(id: str, caller: CurrentCaller, repo: Repository) -> list[ActivityView]:
    return activities.unit_activities(caller, id, repo)


@router.get(
    "/compliance",
    summary="The yearly activity quota: every unit of a region, below or met",
    tags=["units"],
    security=BEARER,
    description="Officers of the region and admins. Every unit of the registry in the region (default the "
    "caller's) with the activities it held in `year` (default this year, China time) against its kind's "
    "quota (UNIT_ACTIVITY_QUOTAS: 1 for federation units and party organizations, none for partners): "
    "`below`, `met` or `no_quota`; below first. Read by two index Queries, never a Scan.",
    responses={
        200: {"description": "The compliance view"},
        403: {"description": "Not an officer of this region"},
        422: {"description": "A bad `region` or `year`"},
    },
)
def get_compliance(
    caller: CurrentCaller,
    repo: Repository,
    settings: AppSettings,
    region: Annotated[RegionPrefix | None, Query(description="Default: the caller's region")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2999)] = None,
) -> Compliance:
    return activities.compliance(caller, repo, settings, region, year)
