"""Claiming: POST /wishes/{id}/claims (1+1 or an N+1 pledge), POST /claims (1+N), DELETE /claims/{id}."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import BatchClaimRequest, BatchClaimResponse, ClaimRequest, ClaimView
from ...services import claims
from ..app import BEARER
from ..dependencies import AppSettings, CurrentCaller, Repository
from ..idempotency import idempotent

router = Router()


@router.post(
    "/wishes/<id>/claims",
    summary="Claim a sole wish whole, or pledge to a pooled one",
    tags=["claims"],
    security=BEARER,
    middlewares=[idempotent],
    responses={
        201: {"description": "The claim or pledge"},
        409: {"description": "Taken, or over the remaining amount (remaining_fen)"},
    },
)
def claim(
    id: str,
    request: ClaimRequest,
    caller: CurrentCaller,
    repo: Repository,  # noqa: A002 - the path's name
    settings: AppSettings,
) -> Response[ClaimView]:
    return Response(201, "application/json", claims.claim_wish(caller, id, request.amount_fen, repo, settings))


@router.post(
    "/claims",
    summary="1+N: claim many wishes at once",
    tags=["claims"],
    security=BEARER,
    middlewares=[idempotent],
    responses={
        200: {
            "description": "A result per wish (claimed, or why not)",
            "content": {"application/json": {"model": BatchClaimResponse}},
        },
        409: {
            "description": "all_or_nothing refused, nothing claimed: a problem whose `results` "
            "member lists each wish that stood in the way, with its reason"
        },
    },
)
def claim_many(
    request: BatchClaimRequest, caller: CurrentCaller, repo: Repository, settings: AppSettings
) -> Response[BatchClaimResponse]:
    status, result = claims.claim_many(caller, request, repo, settings)
    return Response(status, "application/json", result)


@router.delete(
    "/claims/<claim_id>",
    summary="Withdraw your claim or pledge",
    tags=["claims"],
    security=BEARER,
    responses={204: {"description": "Withdrawn"}},
)
def withdraw(claim_id: str, caller: CurrentCaller, repo: Repository, settings: AppSettings) -> Response[None]:
    claims.withdraw(caller, claim_id, repo, settings)
    return Response(204)
