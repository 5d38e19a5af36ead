"""Recognition (issue 12 §4): a region's year ranked, as JSON and CSV; funds raised outside the platform."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ...models import RegionPrefix
from ...models.recognition import ExternalFunds, ExternalFundsRequest, Recognition
from ...services import recognition
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository
from ..idempotency import idempotent

router = Router()
Region = Annotated[RegionPrefix | None, Query(description="Default: the caller's region")]
Year = Annotated[int | None, Query(ge=2000, le=2999, description="Default: this year (China time)")]
_DESCRIPTION = (
    "Officers of the region and admins (it names people). People and units ranked by wishes fulfilled, then "
    "value, then volunteer hours (people) or activities (units), with the registry's honours. Wishes and value "
    "from the leaderboard the stream consumer keeps; a unit's also count the wishes fulfilled in its activities "
    "(each once, not again when the unit claimed it). Activities held, volunteer hours (a person's; a unit's: its "
    "volunteers' on the work wishes it held) and those credits are recognition counters the stream consumer keeps "
    "per region and year (recount-exact: one marker per event). Funds raised outside the platform are listed and "
    "totalled apart (`external_funds`), never added."
)


@router.get(
    "/recognition",
    summary="Recognition of a region's year: people and units ranked",
    tags=["reports"],
    security=BEARER,
    description=_DESCRIPTION,
    responses={200: {"description": "The ranking"}, 403: {"description": "Not an officer of this region"}},
)
def get_recognition(
    caller: CurrentCaller, repo: Repository, settings: AppSettings, region: Region = None, year: Year = None
) -> Recognition:
    return recognition.recognition(caller, repo, settings, region, year)


@router.get(
    "/recognition.csv",
    summary="Recognition of a region's year as CSV (UTF-8 with BOM)",
    tags=["reports"],
    security=BEARER,
    description=_DESCRIPTION,
    responses={
        200: {"description": "text/csv; charset=utf-8", "content": {"text/csv": {"schema": {"type": "string"}}}},
        403: {"description": "Not an officer of this region"},
    },
)
def get_recognition_csv(
    caller: CurrentCaller, repo: Repository, settings: AppSettings, region: Region = None, year: Year = None
) -> Response[str]:
    view = recognition.recognition(caller, repo, settings, region, year)
    headers = {"Content-Disposition": f'attachment; filename="recognition-{view.region}-{view.year}.csv"'}
    return Response(200, "text/csv; charset=utf-8", recognition.recognition_csv(view), headers=headers)


@router.post(
    "/external-funds",
    summary="Record funds raised outside the platform (a giving day), with their source",
    tags=["reports"],
    security=BEARER,
    description="Officers of the region and admins: `{region_code, source, day, amount_fen, donors, campaign_id?, "
    "note?}`. Shown apart in GET /recognition; never counted in /stats or the leaderboard.",
    middlewares=[idempotent],
    responses={
        201: {"description": "The record"},
        403: {"description": "Not an officer of this region"},
        422: {"description": "A field is not valid (named in `errors`)"},
    },
)
def record_external_funds(
    request: ExternalFundsRequest, caller: CurrentCaller, repo: Repository
) -> Response[ExternalFunds]:
    return Response(201, "application/json", recognition.record_external_funds(caller, request, repo))
