"""The unit registry (issue 12 §1): /units, /units/{id}, its members and claims, /me/units."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from ...auth import Caller
from ...models import ClaimView, KnownUnits, Page, RegionPrefix
from ...models.units import MemberList, MemberRequest, MemberView, UnitKindName, UnitRequest, UnitUpdate, UnitView
from ...once import KeyedRequest
from ...repository import WishRepository
from ...services import units
from ...services.views import claim_view
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository
from ..idempotency import idempotent, idempotent_replaying

router = Router()
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2048)]
_UNIT_404: dict[int, OpenAPIResponse] = {404: {"description": "No such unit (also for an id of any format)"}}


def _replay_created(
    _: APIGatewayHttpResolver, caller: Caller, repo: WishRepository, keyed: KeyedRequest
) -> Response[UnitView]:
    """The unit the key created (its id derives from the key)."""
    unit = repo.units.get(keyed.derived_uuid("unit"))
    assert unit is not None  # the record commits with the unit
    return Response(201, "application/json", units.view_for(caller, repo, unit))


@router.get(
    "/units",
    summary="The unit registry of a region: units to dispatch to",
    tags=["units"],
    security=BEARER,
    description="For officers and admins: the registry's units (federation units, party organizations, partner "
    "organizations) of a region subtree — the caller's region by default; `region` inside it (admins: any) — "
    "optionally of one `kind`, ordered by region code; one index Query a page (`limit`, `cursor`). Each with "
    "`donor_id` (`unit:<id>`, what POST /wishes/{id}/assignment takes) and `wishes` it fulfilled in the region "
    "(a village's: its township's). Changed by issue 12: before, the units known from the leaderboard only.",
    responses={
        200: {"description": "The units"},
        403: {"description": "Not an officer or admin, or `region` outside the officer's own"},
        422: {"description": "A bad `region`, `kind`, `limit` or `cursor`"},
    },
)
def list_units(
    caller: CurrentCaller,
    repo: Repository,
    settings: AppSettings,
    region: Annotated[RegionPrefix | None, Query(description="A region inside the caller's; default theirs")] = None,
    kind: Annotated[UnitKindName | None, Query(description="Only units of this kind")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> KnownUnits:
    return units.list_units(caller, repo, settings, region=region, kind=kind, limit=limit, cursor=cursor)


@router.post(
    "/units",
    summary="Register a unit (officers of its region)",
    tags=["units"],
    security=BEARER,
    description="An officer of the unit's region (or an admin) registers it: name, kind, region, contact (private: "
    "shown only to the officers of its region, admins and the unit's admins), honours, and its first admins "
    "(platform people, by sub), who then manage its members. An officer outside the region: 403.",
    middlewares=[idempotent_replaying(_replay_created)],
    responses={
        201: {"description": "The unit, with its contact"},
        403: {"description": "Not an officer or admin, or the region is outside the officer's"},
        422: {"description": "A field is not valid (named in `errors`)"},
    },
)
def create_unit(request: UnitRequest, caller: CurrentCaller, repo: Repository) -> Response[UnitView]:
    return Response(201, "application/json", units.create_unit(caller, request, repo))


@router.get(
    "/units/<id>",
    summary="A unit of the registry",
    tags=["units"],
    security=BEARER,
    description="Any signed-in person. `contact` only for the officers of its region, admins and the unit's "
    "admins; `my_role` is the caller's role in it (admin, member) or null.",
    responses={200: {"description": "The unit"}, **_UNIT_404},
)
def get_unit(id: str, caller: CurrentCaller, repo: Repository) -> UnitView:
    return units.get_unit(caller, id, repo)


@router.patch(
    "/units/<id>",
    summary="Edit a unit (officers of its region)",
    tags=["units"],
    security=BEARER,
    description="name, contact, honours (each optional; honours replace the list). Officers of the unit's region "
    "and admins only: a unit's own admins and officers elsewhere get 403. Guarded by the unit's version: a "
    "concurrent edit is a 409.",
    responses={
        200: {"description": "The unit as changed"},
        403: {"description": "Not an officer of the unit's region or an admin"},
        409: {"description": "Changed meanwhile"},
        **_UNIT_404,
    },
)
def update_unit(id: str, request: UnitUpdate, caller: CurrentCaller, repo: Repository) -> UnitView:
    return units.update_unit(caller, id, request, repo)


@router.get(
    "/units/<id>/members",
    summary="A unit's members",
    tags=["units"],
    security=BEARER,
    description="For the unit's admins, the officers of its region and admins.",
    responses={200: {"description": "The members"}, 403: {"description": "Not allowed"}, **_UNIT_404},
)
def list_members(id: str, caller: CurrentCaller, repo: Repository) -> MemberList:
    return units.list_members(caller, id, repo)


@router.post(
    "/units/<id>/members",
    summary="Add a member to a unit",
    tags=["units"],
    security=BEARER,
    description="By the unit's admins (an admin of another unit: 403), the officers of its region and admins. "
    "A member is a platform person (sub), with role member (default) or admin. Already a member: 409.",
    middlewares=[idempotent],
    responses={
        201: {"description": "The member"},
        403: {"description": "Not the unit's admin nor an officer of its region"},
        409: {"description": "Already a member"},
        **_UNIT_404,
    },
)
def add_member(id: str, request: MemberRequest, caller: CurrentCaller, repo: Repository) -> Response[MemberView]:
    return Response(201, "application/json", units.add_member(caller, id, request, repo))


@router.delete(
    "/units/<id>/members/<sub>",
    summary="Remove a member from a unit",
    tags=["units"],
    security=BEARER,
    description="By the unit's admins, the officers of its region and admins. From then on the person can no "
    "longer act for the unit (every act for a unit is guarded by the membership item).",
    responses={
        204: {"description": "Removed"},
        403: {"description": "Not the unit's admin nor an officer of its region"},
        404: {"description": "No such unit or member"},
    },
)
def remove_member(id: str, sub: str, caller: CurrentCaller, repo: Repository) -> Response[None]:
    units.remove_member(caller, id, sub, repo)
    return Response(204)


@router.get(
    "/units/<id>/claims",
    summary="A unit's claims, pledges and the wishes dispatched to it",
    tags=["units"],
    security=BEARER,
    description="For its members (who accept what was dispatched to the unit: status `offered`), the officers of "
    "its region and admins; newest first.",
    responses={200: {"description": "The unit's claims"}, 403: {"description": "Not a member"}, **_UNIT_404},
)
def unit_claims(
    id: str, caller: CurrentCaller, repo: Repository, limit: Limit = 20, cursor: Cursor = None
) -> Page[ClaimView]:
    items, next_cursor = units.unit_claims(caller, id, repo, limit, cursor)
    return Page[ClaimView](items=[claim_view(item) for item in items], next_cursor=next_cursor)


@router.get(
    "/me/units",
    summary="The units I belong to",
    tags=["units", "me"],
    security=BEARER,
    description="Each with my role in it; what a claim or pledge can name as `unit_id`.",
    responses={200: {"description": "My units"}},
)
def my_units(caller: CurrentCaller, repo: Repository) -> list[UnitView]:
    return units.my_units(caller, repo)
