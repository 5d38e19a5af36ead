"""POST /wishes — a resident (or an officer for them) submits a wish."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...auth import Caller
from ...models import WishPrivateView, WishPublicView, WishSubmission
from ...once import KeyedRequest
from ...repository import WishRepository
from ...services import wishes
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository
from ..idempotency import idempotent_replaying

router = Router()


def _replay(
    app: APIGatewayHttpResolver, caller: Caller, repo: WishRepository, keyed: KeyedRequest
) -> Response[WishPublicView | WishPrivateView]:
    """The wish the key created (its id derives from the key), as its submitter sees it."""
    return Response(201, "application/json", wishes.get_wish(caller, keyed.derived_uuid("wish"), repo))


@router.post(
    "/wishes",
    summary="Submit a wish",
    tags=["wishes"],
    security=BEARER,
    middlewares=[idempotent_replaying(_replay, 201)],
    responses={201: {"description": "The wish, submitted (private view)"}},
)
def submit(
    submission: WishSubmission, caller: CurrentCaller, repo: Repository, settings: AppSettings
) -> Response[WishPrivateView]:
    return Response(201, "application/json", wishes.submit_wish(caller, submission, repo, settings))
