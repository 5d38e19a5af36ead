"""GET /me/wishes and GET /me/claims: the caller's own, newest first."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from ...auth import require_role
from ...models import ClaimView, Page, Wish, WishPrivateView
from ...services import wishes
from ...services.claims import claim_view
from .. import context
from ..app import BEARER

router = Router()
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@router.get("/me/wishes", summary="The wishes I submitted", tags=["me"], security=BEARER)
def my_wishes(limit: Limit = 20, cursor: Cursor = None) -> Page[WishPrivateView]:
    caller = context.caller(router)
    require_role(caller, "resident", "officer", "admin")
    repo = context.repository()
    items, next_cursor = repo.person_items(f"WISHES#{caller.sub}", limit, cursor)
    views = []
    for item in items:  # a page of at most `limit` wishes, each with its private part
        bundle = repo.get_wish_bundle(Wish.model_validate(item).id)
        if bundle is not None:
            views.append(wishes.private_view(*bundle))
    return Page[WishPrivateView](items=views, next_cursor=next_cursor)


@router.get("/me/claims", summary="My claims, pledges and assignments", tags=["me"], security=BEARER)
def my_claims(limit: Limit = 20, cursor: Cursor = None) -> Page[ClaimView]:
    caller = context.caller(router)
    require_role(caller, "donor")
    items, next_cursor = context.repository().person_items(f"CLAIMS#{caller.sub}", limit, cursor)
    return Page[ClaimView](items=[claim_view(item) for item in items], next_cursor=next_cursor)
