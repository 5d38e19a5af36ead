"""GET /me/wishes and GET /me/claims: the caller's own, newest first; GET|PUT /me/profile: a donor's display name."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ...auth import require_role
from ...models import ClaimView, MyWishView, Page, Profile, ProfileUpdate
from ...services import profiles
from ...services.views import claim_view, private_view
from ..app import BEARER
from ..dependencies import CurrentCaller, Repository

router = Router()
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@router.get(
    "/me/wishes",
    summary="The wishes I submitted",
    tags=["me"],
    security=BEARER,
    description="Each with its private part but without its claims (claims: null; GET /wishes/{id} has "
    "them): a page is one Query and one BatchGetItem, however many wishes it holds.",
)
def my_wishes(caller: CurrentCaller, repo: Repository, limit: Limit = 20, cursor: Cursor = None) -> Page[MyWishView]:
    # donors too: a partner's member who collected wishes for residents (issue 12 §1) lists them here
    require_role(caller, "resident", "donor", "officer", "admin")
    page, next_cursor = repo.wishes_submitted_by(caller.sub or "", limit, cursor)  # the index projects whole wishes
    private_parts = repo.get_private_parts([wish.id for wish in page])  # one BatchGetItem for the page
    views = [
        MyWishView(**private_view(wish, private_parts.get(wish.id, {}), []).model_dump(exclude={"claims"}))
        for wish in page
    ]
    return Page[MyWishView](items=views, next_cursor=next_cursor)


@router.get("/me/claims", summary="My claims, pledges and assignments", tags=["me"], security=BEARER)
def my_claims(caller: CurrentCaller, repo: Repository, limit: Limit = 20, cursor: Cursor = None) -> Page[ClaimView]:
    require_role(caller, "donor")
    items, next_cursor = repo.claims_by(caller.sub or "", limit, cursor)
    return Page[ClaimView](items=[claim_view(item) for item in items], next_cursor=next_cursor)


@router.get(
    "/me/profile",
    summary="My display name (donors)",
    tags=["me"],
    security=BEARER,
    description="shown_as: what the leaderboard and campaigns show — the chosen display name; else a "
    "unit's own name; else 爱心人士. A login id is never shown.",
    responses={200: {"description": "The display name"}, 403: {"description": "Not a donor"}},
)
def get_profile(caller: CurrentCaller, repo: Repository) -> Profile:
    return profiles.get_profile(caller, repo)


@router.put(
    "/me/profile",
    summary="Choose my display name (donors)",
    tags=["me"],
    security=BEARER,
    description='`{"display_name": "..."}` (1-30 visible characters) or null to go back to the '
    "default (爱心人士 for individuals, the unit's name for units). Takes effect on the "
    "leaderboard at once.",
    responses={
        200: {"description": "The display name, saved"},
        403: {"description": "Not a donor"},
        422: {"description": "display_name not acceptable"},
    },
)
def put_profile(update: ProfileUpdate, caller: CurrentCaller, repo: Repository) -> Profile:
    return profiles.put_profile(caller, update, repo)
