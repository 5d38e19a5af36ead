"""GET /wishes (the dynamic wish list) and GET /wishes/{id} (public or private view)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ...catalog import CategoryCode, GroupCode
from ...lifecycle import Status
from ...models import Level, Page, RegionPrefix, WishPublicView, WishView
from ...repository import ListQuery
from ...services import wishes
from ..dependencies import AppSettings, CurrentCaller, Repository

router = Router()


@router.get(
    "/wishes",
    summary="The dynamic wish list",
    tags=["wishes"],
    responses={
        200: {"description": "A page of public views"},
        422: {"description": "A bad filter, or a village filter from one who may not see villages"},
    },
)
def list_wishes(
    caller: CurrentCaller,
    repo: Repository,
    settings: AppSettings,
    status: Annotated[
        Status, Query(description="Default open; officers may list submitted in their region")
    ] = Status.OPEN,
    region: Annotated[
        RegionPrefix | None,
        Query(
            description="Division code prefix, e.g. 431222. A village (12 digits) only for officers of a region "
            "containing it and admins: anyone else gets 422 on region (the list stops at the township)"
        ),
    ] = None,
    category: Annotated[CategoryCode | None, Query()] = None,
    group: Annotated[GroupCode | None, Query()] = None,
    campaign: Annotated[str | None, Query(max_length=64)] = None,
    level: Annotated[Level | None, Query(description="The level whose queue holds the wish")] = None,
    order: Annotated[
        Literal["newest", "oldest"] | None,
        Query(description="Default newest first; the review queue (submitted) oldest first"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Page[WishPublicView]:
    if region is None:
        own_queue = caller.region if status is Status.SUBMITTED else None
        region = own_queue or settings.home_region
    ascending = order == "oldest" if order else status is Status.SUBMITTED
    query = ListQuery(
        status=status,
        region=region,
        ascending=ascending,
        category=category,
        group=group,
        level=level,
        campaign=campaign,
        limit=limit,
        cursor=cursor,
    )
    items, next_cursor = wishes.list_wishes(caller, query, repo)
    return Page[WishPublicView](items=items, next_cursor=next_cursor)


@router.get("/wishes/<id>", summary="A wish: the public view, or the private one for its officers", tags=["wishes"])
def get_wish(id: str, caller: CurrentCaller, repo: Repository) -> WishView:
    return wishes.get_wish(caller, id, repo)
