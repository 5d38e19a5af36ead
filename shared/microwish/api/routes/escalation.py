"""POST /wishes/{id}/escalation — an officer of the wish's region hands it one level up."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import EscalationRequest, WishPrivateView
from ...services import escalation
from .. import context
from ..app import BEARER
from ..idempotency import idempotent

router = Router()


@router.post(
    "/wishes/<id>/escalation", summary="Hand a wish to the federation one level up", tags=["wishes"],
    security=BEARER,
    description=(
        "For a submitted or open wish: it moves one level up (village → township → county → city → "
        "province, up to the deployment's top level) and waits there for the new level's window; its "
        "village does not change, so the levels below still see it. 409 at the top level, for a wish in "
        "another state, or when the wish changed meanwhile (e.g. the escalation schedule moved it first). "
        "The schedule does the same by itself for wishes left past their level's window."),
)
def escalate(id: str, request: EscalationRequest) -> Response[WishPrivateView]:  # the path's name
    def act() -> Response[WishPrivateView]:
        view = escalation.escalate_by_hand(context.caller(router), id, request.reason, context.repository(),
                                           context.settings())
        return Response(200, "application/json", view)

    return idempotent(router, act)
