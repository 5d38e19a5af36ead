"""POST /wishes — a resident (or an officer for them) submits a wish."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import WishPrivateView, WishSubmission
from ...services import wishes
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository
from ..idempotency import idempotent

router = Router()


@router.post(
    "/wishes",
    summary="Submit a wish",
    tags=["wishes"],
    security=BEARER,
    middlewares=[idempotent],
    responses={201: {"description": "The wish, submitted (private view)"}},
)
def submit(
    submission: WishSubmission, caller: CurrentCaller, repo: Repository, settings: AppSettings
) -> Response[WishPrivateView]:
    return Response(201, "application/json", wishes.submit_wish(caller, submission, repo, settings))
