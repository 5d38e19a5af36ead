"""POST /wishes/{id}/escalation — an officer of the wish's region hands it one level up."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import EscalationRequest, WishPrivateView
from ...services import escalation
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository
from ..idempotency import idempotent

router = Router()


@router.post(
    "/wishes/<id>/escalation",
    summary="Hand a wish to the federation one level up",
    tags=["wishes"],
    security=BEARER,
    middlewares=[idempotent],
    description=(
        "For a submitted or open wish: it moves one level up (village → township → county → city → "
        "province, up to the deployment's top level) and waits there for the new level's window; its "
        "village does not change, so the levels below still see it. 409 at the top level, for a wish in "
        "another state, or when the wish changed meanwhile (e.g. the escalation schedule moved it first). "
        "The schedule does the same by itself for wishes left past their level's window."
    ),
)
def escalate(
    id: str,
    request: EscalationRequest,
    caller: CurrentCaller,
    repo: Repository,  # the path's name
    settings: AppSettings,
) -> Response[WishPrivateView]:
    return Response(200, "application/json", escalation.escalate_by_hand(caller, id, request.reason, repo, settings))
