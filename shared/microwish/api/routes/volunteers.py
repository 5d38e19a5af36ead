"""Volunteer work (issue 12 §3): a work wish's needs, signups, check-in with hours, and the hours as CSV."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from ...models import CalendarDate, Page, RegionPrefix
from ...models.volunteers import CheckIn, SignupList, SignupView, VolunteeringView, VolunteerNeeds
from ...services import volunteers
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository
from ..idempotency import idempotent

router = Router()
_NO_NEEDS: OpenAPIResponse = {"description": "No such wish, or it asks for no volunteers"}


@router.put(
    "/wishes/<id>/volunteering",
    summary="State a labour or service wish's volunteer needs",
    tags=["volunteers"],
    security=BEARER,
    description="An officer of the wish's region: `places` (how many people), `day`, `place` (public: a "
    "township-level meeting place, never a home; no phone numbers), `skills`, `hours` expected each. Only "
    "for labour and service wishes (category yard, skill, care) still open, assigned or claimed. Changing "
    "the needs keeps the places taken; fewer places than taken is a 409.",
    responses={
        200: {"description": "The needs, with the places taken and remaining"},
        404: {"description": "No such wish in the officer's region"},
        409: {"description": "Not a labour or service wish, not taking volunteers, or fewer places than taken"},
    },
)
def set_needs(id: str, request: VolunteerNeeds, caller: CurrentCaller, repo: Repository) -> VolunteeringView:
    return volunteers.set_needs(caller, id, request, repo)


@router.get(
    "/wishes/<id>/volunteering",
    summary="A work wish's volunteer needs and the places left",
    tags=["volunteers"],
    description="Public: places, taken, remaining, day, township-level place, skills, hours.",
    responses={200: {"description": "The needs"}, 404: _NO_NEEDS},
)
def get_needs(id: str, repo: Repository) -> VolunteeringView:
    return volunteers.get_needs(id, repo)


@router.post(
    "/wishes/<id>/volunteers",
    summary="Sign up as a volunteer for a place",
    tags=["volunteers"],
    security=BEARER,
    description="Any signed-in person, while places are left and the wish still takes volunteers (open, "
    "assigned, claimed). No overbooking: the counter of places moves in the signup's own transaction, only "
    "while below the places. 409 `state`: `signed_up` (already), else `closed` (the wish is finished: said even "
    "when every place is taken), else `full`.",
    middlewares=[idempotent],
    responses={201: {"description": "The signup"}, 404: _NO_NEEDS, 409: {"description": "Full, already, closed"}},
)
def sign_up(id: str, caller: CurrentCaller, repo: Repository) -> Response[SignupView]:
    return Response(201, "application/json", volunteers.sign_up(caller, id, repo))


@router.delete(
    "/wishes/<id>/volunteers",
    summary="Withdraw my signup",
    tags=["volunteers"],
    security=BEARER,
    description="The place is free again. After check-in the hours stay: 409.",
    responses={
        204: {"description": "Withdrawn"},
        404: {"description": "Not signed up, or no such needs"},
        409: {"description": "Checked in already"},
    },
)
def withdraw(id: str, caller: CurrentCaller, repo: Repository) -> Response[None]:
    volunteers.withdraw(caller, id, repo)
    return Response(204)


@router.get(
    "/wishes/<id>/volunteers",
    summary="The volunteers signed up (organizer)",
    tags=["volunteers"],
    security=BEARER,
    description="For the organizer: officers of the wish's region, admins, and the admins of the registry unit "
    "holding or offered the wish.",
    responses={200: {"description": "The signups"}, 403: {"description": "Not the organizer"}},
)
def list_signups(id: str, caller: CurrentCaller, repo: Repository) -> SignupList:
    return volunteers.list_signups(caller, id, repo)


@router.post(
    "/wishes/<id>/volunteers/<volunteer_id>/check-in",
    summary="Check a volunteer in, with their hours (志愿时长)",
    tags=["volunteers"],
    security=BEARER,
    description="By the organizer (see GET /wishes/{id}/volunteers), never by the volunteer themselves (403). "
    "The hours count in GET /recognition (the volunteer's, and the unit's that holds the wish); a check-in again "
    "with other hours moves them by the difference. "
    "`hours` default the needs' hours; checking in again sets the hours given.",
    middlewares=[idempotent],
    responses={
        200: {"description": "The signup, checked in"},
        403: {"description": "Not the organizer, or checking oneself in"},
        404: {"description": "No such wish, needs or volunteer"},
    },
)
def check_in(id: str, volunteer_id: str, request: CheckIn, caller: CurrentCaller, repo: Repository) -> SignupView:
    return volunteers.check_in(caller, id, volunteer_id, request, repo)


@router.get(
    "/me/volunteering",
    summary="My volunteer places and hours",
    tags=["volunteers", "me"],
    security=BEARER,
    responses={200: {"description": "My signups, latest day first"}},
)
def my_signups(
    caller: CurrentCaller,
    repo: Repository,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Page[SignupView]:
    items, next_cursor = volunteers.my_signups(caller, repo, limit, cursor)
    return Page[SignupView](items=items, next_cursor=next_cursor)


@router.get(
    "/exports/volunteer-hours.csv",
    summary="Volunteer hours (志愿时长) of a region as CSV (UTF-8 with BOM)",
    tags=["volunteers", "reports"],
    security=BEARER,
    description="Officers of the region and admins: every checked-in volunteer whose work day is in [from, to], "
    "by day: day, township, wish, volunteer id and name, check-in time, hours. A village's: its township's.",
    responses={
        200: {"description": "text/csv; charset=utf-8", "content": {"text/csv": {"schema": {"type": "string"}}}},
        403: {"description": "Not an officer of this region"},
    },
)
def hours_csv(
    caller: CurrentCaller,
    repo: Repository,
    settings: AppSettings,
    region: Annotated[RegionPrefix | None, Query(description="Default: the caller's region")] = None,
    from_: Annotated[CalendarDate | None, Query(alias="from")] = None,
    to: Annotated[CalendarDate | None, Query()] = None,
) -> Response[str]:
    text, rows = volunteers.hours_csv(caller, repo, settings, region, from_, to)
    headers = {
        "Content-Disposition": 'attachment; filename="volunteer-hours.csv"',
        "X-Rows": str(rows),
        "Access-Control-Expose-Headers": "X-Rows",
    }
    return Response(200, "text/csv; charset=utf-8", text, headers=headers)
