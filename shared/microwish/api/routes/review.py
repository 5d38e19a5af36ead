"""POST /wishes/{id}/review — an officer of the wish's region approves or rejects it."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import ReviewDecision, WishPrivateView
from ...services import wishes
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository
from ..idempotency import idempotent

router = Router()


@router.post(
    "/wishes/<id>/review",
    summary="Approve or reject a submitted wish",
    tags=["wishes"],
    security=BEARER,
    middlewares=[idempotent],
)
def review(
    id: str,
    decision: ReviewDecision,
    caller: CurrentCaller,
    repo: Repository,  # noqa: A002 - the path's
    settings: AppSettings,
) -> Response[WishPrivateView]:
    return Response(200, "application/json", wishes.review_wish(caller, id, decision, repo, settings))
