"""Privacy rights (PIPL): erasure of a beneficiary's personal data, and the log of who read it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from ...models import AccessEntry, ErasureRequest, Page, WishPrivateView
from ...services import access_log, erasure
from ..app import BEARER
from ..dependencies import CurrentCaller, Repository
from ..idempotency import idempotent

router = Router()
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2048)]
_ADMIN_ONLY: dict[int, OpenAPIResponse] = {
    401: {"description": "Not signed in"},
    403: {"description": "Only admins read the access log"},
    422: {"description": "A parameter is not valid (the field is named)"},
}


@router.post(
    "/wishes/<id>/erasure",
    summary="Erase the beneficiary's personal data",
    tags=["privacy"],
    security=BEARER,
    description=(
        "By an officer whose region contains the wish, an admin, or the resident who submitted it. The "
        "beneficiary's name, phone and address are erased for good; the wish, its alias, claims, audit trail "
        "and every report figure stay. The audit trail gets an `erased` event (who, when, the reason with any "
        "of the erased data masked), never what was erased. Answers the private view with `beneficiary: null` "
        "and `personal_data_erased: true`. Erasing again answers the same (200) and writes nothing. "
        "Finished wishes are also erased by themselves RetentionDays after they end."
    ),
    responses={
        200: {"description": "The private view, personal data erased"},
        401: {"description": "Not signed in"},
        403: {"description": "A donor"},
        404: {"description": "No such wish, or not one the caller may erase"},
        422: {"description": "`reason` missing or not valid"},
    },
    middlewares=[idempotent],
)
def erase(id: str, request: ErasureRequest, caller: CurrentCaller, repo: Repository) -> Response[WishPrivateView]:
    view = erasure.erase(caller, id, request, repo)
    return Response(200, "application/json", view)


@router.get(
    "/wishes/<id>/access-log",
    summary="Who read this wish's private view (admins)",
    tags=["privacy"],
    security=BEARER,
    description="Every officer's and admin's read of the wish's private view, newest first: who, their role "
    "and region, when, by which route. No personal data.",
    responses={200: {"description": "A page of access entries"}, **_ADMIN_ONLY, 404: {"description": "No such wish"}},
)
def wish_access_log(
    id: str, caller: CurrentCaller, repo: Repository, limit: Limit = 50, cursor: Cursor = None
) -> Page[AccessEntry]:
    return access_log.wish_log(caller, id, repo, limit, cursor)


@router.get(
    "/access-log",
    summary="The private views one officer read (admins)",
    tags=["privacy"],
    security=BEARER,
    description="An officer's (or admin's) reads of private views between `from` and `to` (RFC 3339; "
    "either may be left out), newest first.",
    responses={200: {"description": "A page of access entries"}, **_ADMIN_ONLY},
)
def actor_access_log(
    actor: Annotated[str, Query(min_length=1, max_length=128, description="The officer's login id (sub)")],
    caller: CurrentCaller,
    repo: Repository,
    since: Annotated[datetime | None, Query(alias="from", description="From this time (RFC 3339)")] = None,
    until: Annotated[datetime | None, Query(alias="to", description="Up to this time (RFC 3339)")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AccessEntry]:
    return access_log.actor_log(caller, actor, since, until, repo, limit, cursor)
