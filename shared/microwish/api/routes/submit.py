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
    description="A resident submits their own wish, an officer one of their region. With `unit_id`, a member of a "
    "partner organization of the registry (志愿者协会, 女企业家协会, a company, a hospital …) submits it on a "
    "resident's behalf (征集): the wish records the partner as `collected_by`, which officers see (and the "
    "submitter, on GET /me/wishes), never the public or donors; review stays with the federation.",
    responses={
        201: {"description": "The wish, submitted (private view)"},
        403: {
            "description": "Not a role that submits; an officer outside the village's region; with unit_id: "
            "not (or no longer) a member of the unit"
        },
        422: {
            "description": "Invalid field; unit_id: no such unit, not a partner organization, or the village "
            "outside its region"
        },
    },
)
def submit(
    submission: WishSubmission, caller: CurrentCaller, repo: Repository, settings: AppSettings
) -> Response[WishPrivateView]:
    return Response(201, "application/json", wishes.submit_wish(caller, submission, repo, settings))
