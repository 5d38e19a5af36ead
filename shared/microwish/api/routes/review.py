"""POST /wishes/{id}/review — an officer of the wish's region approves or rejects it."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import ReviewDecision, WishPrivateView
from ...services import wishes
from .. import context
from ..app import BEARER
from ..idempotency import idempotent

router = Router()


@router.post("/wishes/<id>/review", summary="Approve or reject a submitted wish", tags=["wishes"],
             security=BEARER)
def review(id: str, decision: ReviewDecision) -> Response[WishPrivateView]:
    def act() -> Response[WishPrivateView]:
        view = wishes.review_wish(context.caller(router), id, decision, context.repository(), context.settings())
        return Response(200, "application/json", view)

    return idempotent(router, act)
