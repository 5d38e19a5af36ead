"""GET /stats (aggregates for a region, period and campaign) and GET /donors/leaderboard (recognition)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ...models import CalendarDate, RegionPrefix
from ...services import reports
from ...services.reports import Leaderboard, Stats
from ..dependencies import AppSettings, Repository

router = Router()
Region = Annotated[
    RegionPrefix | None, Query(description="Province, city, county or township; default the home region")
]
From = Annotated[CalendarDate | None, Query(alias="from", description="First day (China time), inclusive")]
To = Annotated[CalendarDate | None, Query(description="Last day (China time), inclusive")]


@router.get(
    "/stats",
    summary="Report figures for a region, period and campaign (aggregates only)",
    tags=["reports"],
    description="Counted from the audit trail by a stream consumer (seconds behind). submitted, approved, "
    "fulfilled, rejected, cancelled, value_fen, donors and the median are what happened in the "
    "period; in_review, open, assigned, claimed and delivered are the wishes in that status at "
    "its end; fulfilment_rate = fulfilled / approved in the period (at most 1). by_region: the "
    "child regions (down to townships). Unknown regions and campaigns give zeros.",
)
def get_stats(
    repo: Repository,
    settings: AppSettings,
    region: Region = None,
    campaign: Annotated[str | None, Query(max_length=64)] = None,
    from_: From = None,
    to: To = None,
) -> Stats:
    region = region or settings.home_region
    return reports.stats(repo, region, campaign, from_, to)


@router.get(
    "/donors/leaderboard",
    summary="Donors and units by wishes fulfilled, then value",
    tags=["reports"],
    description="Kept by month: from/to select the months that contain them. Individuals and units "
    "(custom:donor_type, and every unit a wish was dispatched to) are ranked apart.",
)
def get_leaderboard(
    repo: Repository,
    settings: AppSettings,
    region: Region = None,
    from_: From = None,
    to: To = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Leaderboard:
    region = region or settings.home_region
    return reports.leaderboard(repo, region, from_, to, limit)
