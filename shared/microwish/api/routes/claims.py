"""Claiming: POST /wishes/{id}/claims (1+1 or an N+1 pledge), POST /claims (1+N), DELETE /claims/{id}."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ...models import BatchClaimRequest, BatchClaimResponse, ClaimRequest, ClaimView
from ...services import claims
from .. import context
from ..app import BEARER
from ..idempotency import idempotent

router = Router()


@router.post("/wishes/<id>/claims", summary="Claim a sole wish whole, or pledge to a pooled one", tags=["claims"],
             security=BEARER, responses={201: {"description": "The claim or pledge"},
                                         409: {"description": "Taken, or over the remaining amount (remaining_fen)"}})
def claim(id: str, request: ClaimRequest) -> Response[ClaimView]:
    def act() -> Response[ClaimView]:
        view = claims.claim_wish(context.caller(router), id, request.amount_fen, context.repository(),
                                 context.settings())
        return Response(201, "application/json", view)

    return idempotent(router, act)


@router.post("/claims", summary="1+N: claim many wishes at once", tags=["claims"], security=BEARER,
             responses={200: {"description": "A result per wish (claimed, or why not)",
                              "content": {"application/json": {"model": BatchClaimResponse}}},
                        409: {"description": "all_or_nothing refused, nothing claimed: a problem whose `results` "
                                             "member lists each wish that stood in the way, with its reason"}})
def claim_many(request: BatchClaimRequest) -> Response[BatchClaimResponse]:
    def act() -> Response[BatchClaimResponse]:
        status, result = claims.claim_many(context.caller(router), request, context.repository(), context.settings())
        return Response(status, "application/json", result)

    return idempotent(router, act)


@router.delete("/claims/<claim_id>", summary="Withdraw your claim or pledge", tags=["claims"], security=BEARER,
               responses={204: {"description": "Withdrawn"}})
def withdraw(claim_id: str) -> Response[None]:
    claims.withdraw(context.caller(router), claim_id, context.repository(), context.settings())
    return Response(204)
